/// An elementwise nonlinearity without parameters, as a value a layer can be configured with
/// (``RNNCell``'s `nonlinearity`) or applied directly: `Activation.tanh(x)`.
///
/// ```swift
/// let h = Activation.relu(matmul(x, w))
/// ```
///
/// The parametrised activation ``ModReLU`` is a layer of its own.
public enum Activation: Sendable, Equatable, CustomStringConvertible {
    /// `tanh(x)`.
    case tanh
    /// `max(x, 0)`.
    case relu
    /// `1 / (1 + e^{−x})`.
    case sigmoid
    /// `x` (no nonlinearity).
    case identity

    /// The activation applied elementwise to `x` (differentiable).
    @inlinable
    public func callAsFunction<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        switch self {
        case .tanh: LinAlg.tanh(x)
        case .relu: LinAlg.relu(x)
        case .sigmoid: LinAlg.sigmoid(x)
        case .identity: x
        }
    }

    /// The activation's name: `tanh`, `relu`, `sigmoid`, `identity`.
    public var description: String {
        switch self {
        case .tanh: "tanh"
        case .relu: "relu"
        case .sigmoid: "sigmoid"
        case .identity: "identity"
        }
    }
}
