/// Values in the open interval `(low, high)`: `forward(x) = low + (high − low) · σ(x)`
/// (logistic sigmoid, default) or `low + (high − low) · (1 + tanh x)/2`, elementwise.
///
/// The tanh form is the sigmoid at `2x` (`(1 + tanh x)/2 = σ(2x)`): the same curve, twice as
/// steep, as the box constraints of PyTorch issue 28937 use. The sigmoid is evaluated without
/// overflow for any `x`.
///
/// **Right inverse** (for `low < y < high`): with `t = (y − low)/(high − low)`, the logit
/// `log t − log1p(−t)` (halved for tanh); `log1p` keeps accuracy for `t` near 0 and 1.
///
/// ```swift
/// @Constrained(Bounded(low: -1, high: 1)) var correlation = Tensor<Double>([0.3])
/// ```
public struct Bounded<Scalar: TensorScalar>: Parametrization {
    /// The squashing function.
    public enum Function: Sendable {
        /// `σ(x) = 1 / (1 + e⁻ˣ)`.
        case sigmoid
        /// `(1 + tanh x)/2`.
        case tanh
    }

    /// The lower bound (not attained).
    public let low: Scalar
    /// The upper bound (not attained).
    public let high: Scalar
    /// The squashing function.
    public let function: Function

    /// Values in `(low, high)` through `function`.
    ///
    /// - Precondition: `low < high`.
    public init(low: Scalar, high: Scalar, function: Function = .sigmoid) {
        precondition(low < high, "Bounded: expected low < high, got low = \(low), high = \(high)")
        self.low = low
        self.high = high
        self.function = function
    }

    /// `low + (high − low) · σ(x)` (or `σ(2x)` for tanh).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        let s = sigmoid(function == .tanh ? x * 2 : x)
        return s * (high - low) + low
    }

    /// The logit of `(y − low)/(high − low)` (halved for tanh).
    ///
    /// - Throws: ``ConstrainedError`` when an entry is not strictly inside `(low, high)`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        if let bad = y.scalars.firstIndex(where: { !($0 > low && $0 < high) }) {
            throw ConstrainedError("rightInverse", subject: "Bounded", shape: y.shape, cause: .notInImage("the entry \(y.scalars[bad]) at flat index \(bad) is outside the set: values must lie strictly between \(low) and \(high)"))
        }
        let width = high - low, lowerBound = low, halve = function == .tanh
        return y.map { value in
            let t = (value - lowerBound) / width
            let logit = Scalar.log(t) - Scalar.log(onePlus: -t)
            return halve ? logit / 2 : logit
        }
    }
}
