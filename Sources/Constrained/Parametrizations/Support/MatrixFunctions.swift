// The matrix exponential for the catalogue, until LinAlg's `matrixExp` (Padé, with a Fréchet
// pullback) is on `main`; `MatrixExp` and `Orthogonal(map: .matrixExp)` call it only through
// `MatrixFunctions.exp`, so the switch is a change to this file only.
//
// Scaling and squaring with a Taylor polynomial, written with differentiable tensor ops so
// that the tape differentiates it: choose s with ‖A‖₁ / 2ˢ ≤ 1, evaluate the degree-18 Taylor
// polynomial T(B) of B = A / 2ˢ by Horner's rule, then square s times. The truncation error
// of T is at most ‖B‖¹⁹ / 19! ≤ 8·10⁻¹⁸ relative, below Double's ε; squaring amplifies the
// rounding error by about 2ˢ·κ(e^A) in the worst case, which is the classical bound of the
// method (Moler and Van Loan, "Nineteen dubious ways", method 3). For skew-symmetric A
// (every use in the catalogue) e^A is orthogonal and each squaring is well conditioned.
// Cost: 18 + s matrix products forward, about twice that backward.

/// Matrix functions with gradients, used by the parametrizations.
enum MatrixFunctions {
    /// The Taylor degree: 1/19! < 2⁻⁵⁵ makes the truncation error negligible in Double.
    static let taylorDegree = 18

    /// `e^A` for each square matrix of `a` (shape `(..., n, n)`).
    static func exp<Scalar: TensorScalar>(_ a: Tensor<Scalar>) throws -> Tensor<Scalar> {
        precondition(a.rank >= 2 && a.shape[a.rank - 1] == a.shape[a.rank - 2],
                     "matrixExp: expected square matrices (..., n, n), got shape \(a.shape)")
        let n = a.shape[a.rank - 1]
        let norm = withoutRecording { maxOneNorm(a) }
        guard norm.isFinite else {
            throw LinAlgError(operation: "matrixExp", shape: a.shape, cause: .nonFinite)
        }
        var squarings = 0
        var scale: Scalar = 1
        while norm * scale > 1 {
            squarings += 1
            scale /= 2
        }
        let b = squarings == 0 ? a : a * scale
        let identity = Tensor<Scalar>.eye(n)
        var p = identity + b * (1 / Scalar(taylorDegree))
        for k in stride(from: taylorDegree - 1, through: 1, by: -1) {
            p = identity + matmul(b, p) * (1 / Scalar(k))
        }
        for _ in 0..<squarings { p = matmul(p, p) }
        return p
    }

    /// The largest 1-norm (maximum absolute column sum) over the matrices of `a`.
    static func maxOneNorm<Scalar: TensorScalar>(_ a: Tensor<Scalar>) -> Scalar {
        let n = a.shape[a.rank - 1], m = a.shape[a.rank - 2]
        let count = m * n == 0 ? 0 : a.scalarCount / (m * n)
        var worst: Scalar = 0
        a.withUnsafeBufferPointer { p in
            var sums = [Scalar](repeating: 0, count: n)
            for b in 0..<count {
                for j in 0..<n { sums[j] = 0 }
                for i in 0..<m {
                    let row = b * m * n + i * n
                    for j in 0..<n { sums[j] += Swift.abs(p[row + j]) }
                }
                for j in 0..<n where !(sums[j] <= worst) { worst = sums[j] }
            }
        }
        return worst
    }
}
