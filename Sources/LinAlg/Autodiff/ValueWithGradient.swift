/// The value of `f` at `x` and its gradient with respect to `x`.
///
/// `f` must return a one-element tensor (a loss). It runs once, recorded on a fresh tape.
///
/// ```swift
/// let (loss, dx) = try valueWithGradient(at: x) { x in (x * x).sum() }
/// ```
public func valueWithGradient<Scalar>(
    at x: Tensor<Scalar>, in f: (Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, gradient: Tensor<Scalar>) {
    let tape = GradientTape()
    let tx = tape.watch(x)
    let y = try tape.record { try f(tx) }
    let g = try tape.gradient(of: y, wrt: tx)
    return (y.detached(), g)
}

/// The value of `f` at `(x, y)` and its gradients with respect to both.
public func valueWithGradient<Scalar>(
    at x: Tensor<Scalar>, _ y: Tensor<Scalar>,
    in f: (Tensor<Scalar>, Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, gradient: (Tensor<Scalar>, Tensor<Scalar>)) {
    let tape = GradientTape()
    let tx = tape.watch(x), ty = tape.watch(y)
    let z = try tape.record { try f(tx, ty) }
    let g = try tape.gradient(of: z, wrt: [tx, ty])
    return (z.detached(), (g[0], g[1]))
}

/// The gradient of `f` at `x`.
public func gradient<Scalar>(
    at x: Tensor<Scalar>, in f: (Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> Tensor<Scalar> {
    try valueWithGradient(at: x, in: f).gradient
}

/// The gradients of `f` at `(x, y)`.
public func gradient<Scalar>(
    at x: Tensor<Scalar>, _ y: Tensor<Scalar>,
    in f: (Tensor<Scalar>, Tensor<Scalar>) throws -> Tensor<Scalar>
) throws -> (Tensor<Scalar>, Tensor<Scalar>) {
    try valueWithGradient(at: x, y, in: f).gradient
}
