/// Positive tensors: `forward(x) = softplus(x) = log(1 + eˣ)` (default) or `eˣ`, elementwise.
///
/// Softplus grows linearly for large `x` (gradients stay bounded, the usual choice for
/// scales and variances); `exp` makes the original the logarithm of the value (scale
/// invariance, multiplicative updates). Softplus is evaluated as `max(x, 0) + log1p(e^{−|x|})`,
/// which neither overflows nor loses the tiny values `≈ eˣ` of very negative `x`.
///
/// **Right inverse** (for `y > 0`): the inverse softplus `log(eʸ − 1)`, computed as
/// `y + log(−expm1(−y))` (no cancellation for small `y`, no overflow for large `y`), or `log y`.
///
/// ```swift
/// @Constrained(Positive()) var scale = Tensor<Double>([0.5, 2])
/// @Constrained(Positive(.exp)) var rate = Tensor<Double>([1e-3])
/// ```
///
/// Values are positive in exact arithmetic; in floating point softplus underflows to 0 below
/// `x ≈ −745` (Double) or `−104` (Float), and `exp` likewise.
public struct Positive<Scalar: TensorScalar>: Parametrization {
    /// The positive function applied elementwise.
    public enum Function: Sendable {
        /// `log(1 + eˣ)`.
        case softplus
        /// `eˣ`.
        case exp
    }

    /// The function used.
    public let function: Function

    /// A positive parametrization through `function` (default softplus).
    public init(_ function: Function = .softplus) {
        self.function = function
    }

    /// `softplus(x)` or `eˣ`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        function == .softplus ? softplus(x) : exp(x)
    }

    /// The inverse softplus or `log y`.
    ///
    /// - Throws: ``ConstrainedError`` when an entry of `y` is not positive.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        if let bad = y.scalars.firstIndex(where: { !($0 > 0) }) {
            throw ConstrainedError("rightInverse", subject: "Positive", shape: y.shape, cause: .notInImage("the entry \(y.scalars[bad]) at flat index \(bad) is outside the set: values must be positive"))
        }
        return function == .softplus ? y.map { Pointwise.softplusInverse($0) } : y.map { Scalar.log($0) }
    }
}
