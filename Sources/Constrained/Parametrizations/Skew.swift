/// Skew-symmetric matrices: `forward(X) = triu(X, 1) − triu(X, 1)ᵀ`.
///
/// The strictly upper triangle of the original is the free part; the diagonal and the lower
/// triangle are ignored (their gradient is zero). The result satisfies `A = −Aᵀ` exactly (each
/// pair is one entry and its negation; the diagonal is exactly zero). As in PyTorch's
/// parametrization tutorial. Works on batches `(..., n, n)`.
///
/// Followed by ``CayleyMap`` or ``MatrixExp`` it parametrizes orthogonal matrices:
/// ```swift
/// @Constrained(Skew() >>> CayleyMap()) var q = Tensor<Double>.eye(4)
/// ```
///
/// **Right inverse:** `triu(Y, 1)`, exact for a skew-symmetric `Y`.
public struct Skew<Scalar: TensorScalar>: Parametrization {
    /// The skew-symmetric parametrization.
    public init() {}

    /// Accepts a square matrix or a batch of them, `(..., n, n)`.
    ///
    /// - Throws: ``ConstrainedError`` with cause ``ConstrainedError/Cause/invalidShape(_:)``
    ///   for any other shape.
    public func register(shape: [Int]) throws {
        try ConstrainedError.requireSquare("Skew", shape, operation: "register")
    }

    /// `triu(X, 1) − triu(X, 1)ᵀ`.
    ///
    /// - Throws: ``ConstrainedError`` when `x` is not a (batch of) square matrix.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare("Skew", x.shape)
        let upper = x.triu(1)
        return upper - upper.transposed()
    }

    /// `triu(Y, 1)`: the original whose forward is `Y` when `Y` is skew-symmetric.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare("Skew", y.shape, operation: "rightInverse")
        return y.triu(1)
    }
}
