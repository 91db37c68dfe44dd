import Testing
@testable import LinAlg

/// The largest elementwise relative error `|a − b| / max(|b|, floor)`.
func maxRelativeError<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>, floor: S = 1) -> S {
    precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape) differ")
    var worst: S = 0
    for (x, y) in zip(a.scalars, b.scalars) {
        worst = max(worst, abs(x - y) / max(abs(y), floor))
    }
    return worst
}

/// The scalar types every generic test runs for.
let scalarTypes: [any TensorScalar.Type] = [Float.self, Double.self]

/// `max |a − b| / max |b|`: the norm-wise relative error the LAPACK error bounds speak of
/// (a backward-stable algorithm bounds it, not the error of each tiny entry).
func normwiseRelativeError<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> S {
    precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape) differ")
    var difference: S = 0, scale: S = 0
    for (x, y) in zip(a.scalars, b.scalars) {
        difference = max(difference, abs(x - y))
        scale = max(scale, abs(y))
    }
    return scale == 0 ? difference : difference / scale
}
