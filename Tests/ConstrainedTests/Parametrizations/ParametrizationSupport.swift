import Testing
@testable import Constrained

/// `‖QᵀQ − I‖_F` for a tall or square `Q` (`‖QQᵀ − I‖_F` for a wide one), the largest over a
/// batch. The Frobenius norm bounds the spectral norm, so this is the strict reading of
/// "‖QᵀQ − I‖ ≤ 10·n·ε".
func orthogonalityError<S: TensorScalar>(_ q: Tensor<S>) -> S {
    let m = q.shape[q.rank - 2], n = q.shape[q.rank - 1]
    let wide = m < n
    let k = min(m, n)
    let gram = wide ? matmul(q, transposed: false, q, transposed: true)
                    : matmul(q, transposed: true, q, transposed: false)
    let difference = gram - Tensor<S>.eye(k)
    let count = k * k
    let scalars = difference.scalars
    var worst: S = 0
    for b in 0..<(scalars.count / max(count, 1)) {
        var sum: S = 0
        for i in 0..<count { sum += scalars[b * count + i] * scalars[b * count + i] }
        worst = max(worst, sum.squareRoot())
    }
    return worst
}

/// The bound `10·n·ε` with `n` the larger side of the matrices of `shape`.
func orthogonalityBound<S: TensorScalar>(_: S.Type, _ shape: [Int]) -> S {
    10 * S(max(shape[shape.count - 1], shape[shape.count - 2])) * S.ulpOfOne
}

/// A random matrix with orthonormal columns (tall, square) or rows (wide), batched.
func randomOrthogonal<S: TensorScalar>(_ shape: [Int], seed: UInt64) throws -> Tensor<S> {
    let m = shape[shape.count - 2], n = shape[shape.count - 1]
    if m < n {
        var t = shape
        t.swapAt(t.count - 1, t.count - 2)
        return try randomOrthogonal(t, seed: seed).transposed()
    }
    return try qr(Tensor<S>.randomNormal(shape, seed: seed), nonNegativeDiagonal: true).q
}

/// The gradient of `Σ C ⊙ p.forward(x)` with respect to `x`, for a fixed random `C`.
func gradientOfForward<P: Parametrization>(_ p: inout P, at x: Tensor<P.Scalar>, seed: UInt64 = 11) throws -> Tensor<P.Scalar> {
    let tape = GradientTape()
    let watched = tape.watch(x)
    let loss = try tape.record { () throws -> Tensor<P.Scalar> in
        let y = try p.forward(watched)
        return (y * Tensor<P.Scalar>.randomNormal(y.shape, seed: seed)).sum()
    }
    return try tape.gradient(of: loss, wrt: watched)
}

/// Runs `body` for Float and Double.
func forBothScalars(_ body: (any TensorScalar.Type) throws -> Void) rethrows {
    try body(Float.self)
    try body(Double.self)
}

/// The largest `|aᵢ − bᵢ|`.
func maxAbsoluteDifference<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> S {
    precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape) differ")
    var worst: S = 0
    for (x, y) in zip(a.scalars, b.scalars) { worst = max(worst, abs(x - y)) }
    return worst
}
