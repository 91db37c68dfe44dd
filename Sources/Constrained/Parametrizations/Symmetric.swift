/// Symmetric matrices: `forward(X) = triu(X) + triu(X, 1)ᵀ`.
///
/// The upper triangle (diagonal included) of the original is the free part; the lower
/// triangle is ignored (its gradient is zero). As in PyTorch's parametrization tutorial.
/// Works on batches `(..., n, n)`. The result is exactly symmetric (each off-diagonal pair is
/// one copied entry).
///
/// **Right inverse:** `triu(Y)`, exact for a symmetric `Y`.
///
/// ```swift
/// @Constrained(Symmetric()) var s = Tensor<Double>.eye(3)
/// ```
public struct Symmetric<Scalar: TensorScalar>: Parametrization {
    /// The symmetric parametrization.
    public init() {}

    /// Accepts a square matrix or a batch of them, `(..., n, n)`.
    ///
    /// - Throws: ``ConstrainedError`` with cause ``ConstrainedError/Cause/invalidShape(_:)``
    ///   for any other shape.
    public func register(shape: [Int]) throws {
        try ConstrainedError.requireSquare("Symmetric", shape, operation: "register")
    }

    /// `triu(X) + triu(X, 1)ᵀ`.
    ///
    /// - Throws: ``ConstrainedError`` when `x` is not a (batch of) square matrix.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare("Symmetric", x.shape)
        return x.triu() + x.triu(1).transposed()
    }

    /// `triu(Y)`: the original whose forward is `Y` when `Y` is symmetric.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare("Symmetric", y.shape, operation: "rightInverse")
        return y.triu()
    }
}
