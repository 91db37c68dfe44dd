/// The mean squared error `(1/N) Σᵢ (pᵢ − eᵢ)²` over all `N` elements, as a rank-0 tensor.
///
/// Differentiable in both arguments (`∂/∂p = 2(p − e)/N`). `expected` broadcasts to
/// `predicted`'s shape; the mean is over the broadcast shape, as PyTorch's `mse_loss`.
///
/// ```swift
/// let loss = meanSquaredError(model(x), y)
/// ```
@inlinable
public func meanSquaredError<Scalar>(_ predicted: Tensor<Scalar>, _ expected: Tensor<Scalar>) -> Tensor<Scalar> {
    let difference = predicted - expected
    let count = difference.scalarCount
    precondition(count > 0, "meanSquaredError: empty tensors of shapes \(predicted.shape) and \(expected.shape)")
    return (difference * difference).sum() / Scalar(count)
}
