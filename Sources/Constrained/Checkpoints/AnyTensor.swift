/// A tensor of either scalar type, for collections that mix them (checkpoints).
public enum AnyTensor: Sendable, Equatable {
    /// A `Float` tensor (safetensors dtype `F32`).
    case float(Tensor<Float>)
    /// A `Double` tensor (safetensors dtype `F64`).
    case double(Tensor<Double>)

    /// Wraps `tensor` (of scalar type `Float` or `Double`).
    public init<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>) {
        if let t = tensor as? Tensor<Float> {
            self = .float(t)
        } else if let t = tensor as? Tensor<Double> {
            self = .double(t)
        } else {
            preconditionFailure("AnyTensor: unsupported scalar type \(Scalar.self)")
        }
    }

    /// The shape.
    public var shape: [Int] {
        switch self {
        case .float(let t): return t.shape
        case .double(let t): return t.shape
        }
    }

    /// The scalar type's name, `Float` or `Double`.
    public var scalarTypeName: String {
        switch self {
        case .float: return "Float"
        case .double: return "Double"
        }
    }

    /// The tensor, if its scalar type is `Scalar`.
    public func tensor<Scalar: TensorScalar>(as type: Scalar.Type = Scalar.self) -> Tensor<Scalar>? {
        switch self {
        case .float(let t): return t as? Tensor<Scalar>
        case .double(let t): return t as? Tensor<Scalar>
        }
    }

    /// The tensor boxed as `Any` (a `Tensor<Float>` or `Tensor<Double>`).
    var boxed: Any {
        switch self {
        case .float(let t): return t
        case .double(let t): return t
        }
    }
}
