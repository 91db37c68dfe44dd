/// Symmetric positive definite matrices.
///
/// - `.cholesky` (default): `P = L Lᵀ + jitter · I`, with `L` lower triangular: its strictly
///   lower part is the original's, its diagonal `softplus` of the original's diagonal (so
///   positive, and `L` is the unique Cholesky factor of `P − jitter·I`). The upper triangle of
///   the original is unused (zero gradient). The jitter bounds the smallest eigenvalue below
///   by `jitter`, so `P` stays safely invertible even when a diagonal entry of `L` underflows.
/// - `.exp`: `P = e^S` with `S = triu(X) + triu(X, 1)ᵀ` symmetric (``Symmetric``); the
///   eigenvalues of `P` are `e^{λ(S)}`. No jitter.
///
/// Batched `(..., n, n)`. `P` is symmetric up to rounding (`L Lᵀ` is computed by one GEMM,
/// which evaluates `(i, j)` and `(j, i)` by the same sums in different orders).
///
/// **Right inverse.** `.cholesky`: `C = cholesky(P − jitter·I)`, then the original is
/// `tril(C, −1) + diag(softplus⁻¹(diag C))`; throws `LinAlgError` when `P − jitter·I` is not
/// positive definite. `.exp`: the matrix logarithm through `eigh` (`V log(Λ) Vᵀ`, upper
/// triangle kept); throws ``ConstrainedError`` when an eigenvalue is not positive.
///
/// ```swift
/// @Constrained(PositiveDefinite()) var covariance = Tensor<Double>.eye(3)
/// ```
public struct PositiveDefinite<Scalar: TensorScalar>: Parametrization {
    /// How the matrix is built from the original.
    public enum Map: Sendable {
        /// `L Lᵀ + jitter·I` with a softplus-positive diagonal of `L`.
        case cholesky
        /// `e^S` of the symmetric part built from the upper triangle.
        case exp
    }

    /// The construction used.
    public let map: Map
    /// Added to the diagonal of `L Lᵀ` (`.cholesky` only).
    public let jitter: Scalar

    /// Positive definite matrices through `map`, with `jitter` added to the diagonal for
    /// `.cholesky`.
    ///
    /// - Precondition: `jitter ≥ 0`.
    public init(_ map: Map = .cholesky, jitter: Scalar = 1e-5) {
        precondition(jitter >= 0, "PositiveDefinite: jitter must be non-negative, got \(jitter)")
        self.map = map
        self.jitter = jitter
    }

    /// `L Lᵀ + jitter·I` or `e^S`.
    ///
    /// - Throws: ``ConstrainedError`` for a non-square input.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare("PositiveDefinite", x.shape)
        let n = x.shape[x.rank - 1]
        switch map {
        case .cholesky:
            let l = x.tril(-1) + Tensor.diagonalMatrix(softplus(x.diagonal()))
            let p = matmul(l, transposed: false, l, transposed: true)
            return jitter == 0 ? p : p + Tensor<Scalar>.eye(n) * jitter
        case .exp:
            return try matrixExp(try Symmetric<Scalar>().forward(x))
        }
    }

    /// The original whose value is `p` (see the type's documentation).
    ///
    /// - Throws: ``ConstrainedError`` for a non-square input or a non-positive eigenvalue
    ///   (`.exp`); `LinAlgError` when `p − jitter·I` is not positive definite (`.cholesky`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func rightInverse(_ p: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare("PositiveDefinite", p.shape, operation: "rightInverse")
        let n = p.shape[p.rank - 1]
        switch map {
        case .cholesky:
            let c = try cholesky(jitter == 0 ? p : p - Tensor<Scalar>.eye(n) * jitter)
            let d = c.diagonal().map { Pointwise.softplusInverse($0) }
            return c.tril(-1) + Tensor.diagonalMatrix(d)
        case .exp:
            // Symmetrise first: eigh reads one triangle, and the value may carry rounding.
            let (values, vectors) = try eigh((p + p.transposed()) * Scalar(0.5))
            if let bad = values.scalars.first(where: { !($0 > 0) }) {
                throw ConstrainedError("rightInverse", subject: "PositiveDefinite(.exp)", shape: p.shape, cause: .notInImage("the eigenvalue \(bad) is not positive, so the matrix has no logarithm"))
            }
            let logs = values.map { Scalar.log($0) }
            let batch = Array(logs.shape.dropLast())
            let scaled = vectors * logs.reshaped(to: batch + [1, n])
            return matmul(scaled, transposed: false, vectors, transposed: true).triu()
        }
    }
}
