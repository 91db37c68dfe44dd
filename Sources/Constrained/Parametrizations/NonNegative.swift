/// Non-negative tensors: `forward(x) = x ⊙ x`, elementwise.
///
/// Unlike ``Positive``, zero is reached exactly (at `x = 0`), which suits sparse non-negative
/// weights (non-negative matrix factorisation). The gradient `2x` vanishes at zero, so an
/// entry driven exactly to zero stays there under gradient descent.
///
/// **Right inverse** (for `y ≥ 0`): `√y`.
///
/// ```swift
/// @Constrained(NonNegative()) var h = Tensor<Double>.ones([8, 4])
/// ```
public struct NonNegative<Scalar: TensorScalar>: Parametrization {
    /// The non-negative parametrization.
    public init() {}

    /// `x ⊙ x`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x * x }

    /// `√y`.
    ///
    /// - Throws: ``ConstrainedError`` when an entry of `y` is negative (or NaN).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        if let bad = y.scalars.firstIndex(where: { !($0 >= 0) }) {
            throw ConstrainedError("rightInverse", subject: "NonNegative", shape: y.shape, cause: .notInImage("the entry \(y.scalars[bad]) at flat index \(bad) is outside the set: values must be non-negative"))
        }
        return y.map { $0.squareRoot() }
    }
}
