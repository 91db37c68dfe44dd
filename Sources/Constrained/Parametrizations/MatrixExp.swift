/// The matrix exponential `X ↦ e^X`.
///
/// For a skew-symmetric `X`, `e^X` is orthogonal with determinant 1 (`(e^X)ᵀ e^X =
/// e^{−X} e^X = I`), and every rotation is reached: `Skew() >>> MatrixExp()` parametrizes all
/// of SO(n), unlike the Cayley map. Batched `(..., n, n)`; differentiated through the
/// exponential's Fréchet derivative.
///
/// **No right inverse** (it would be a matrix logarithm): registration keeps the initial value
/// as the original, and assignment throws ``ConstrainedError/Cause/noRightInverse``. For
/// orthogonal matrices with assignment, use ``Orthogonal`` (dynamic trivialisation).
///
/// ```swift
/// @Constrained(Skew() >>> MatrixExp()) var q = Tensor<Double>.zeros([4, 4])   // reads I
/// ```
public struct MatrixExp<Scalar: TensorScalar>: Parametrization {
    /// The matrix exponential.
    public init() {}

    /// Accepts a square matrix or a batch of them, `(..., n, n)`.
    ///
    /// - Throws: ``ConstrainedError`` with cause ``ConstrainedError/Cause/invalidShape(_:)``
    ///   for any other shape.
    public func register(shape: [Int]) throws {
        try ConstrainedError.requireSquare("MatrixExp", shape, operation: "register")
    }

    /// `e^X`.
    ///
    /// - Throws: ``ConstrainedError`` for a non-square input; `LinAlgError` when `X`
    ///   holds NaN or infinity.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare("MatrixExp", x.shape)
        return try matrixExp(x)
    }
}
