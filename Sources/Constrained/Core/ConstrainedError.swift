/// An error from the constrained-parameter machinery (assignment, loading, evaluation).
public enum ConstrainedError: Error, CustomStringConvertible, Equatable {
    /// The parametrization (named by its type) has no right inverse, so a constrained value
    /// cannot be assigned; set the original (`$w.original = x`) instead.
    case noRightInverse(String)
    /// A constrained property was read before it was given a value.
    case noValue(String)
    /// A checkpoint or a set of named tensors lacks a tensor the model needs.
    case missingTensor(name: String)
    /// A tensor has a different shape than the model's tensor of that name.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A tensor has a different scalar type than the model's tensor of that name.
    case scalarTypeMismatch(name: String, expected: String, found: String)
    /// A checkpoint holds a tensor the model does not have (strict loading).
    case unexpectedTensor(name: String)
    /// A checkpoint file is malformed.
    case invalidCheckpoint(String)

    /// A sentence naming what went wrong and, where there is one, the fix.
    public var description: String {
        switch self {
        case .noRightInverse(let type):
            return "\(type) has no right inverse: a constrained value cannot be assigned; assign the unconstrained tensor with `$w.original = x` instead"
        case .noValue(let what):
            return "\(what) was read before it was given a value; assign one in the layer's initialiser"
        case .missingTensor(let name):
            return "no tensor named \"\(name)\""
        case .shapeMismatch(let name, let expected, let found):
            return "tensor \"\(name)\" has shape \(found), but the model's has shape \(expected)"
        case .scalarTypeMismatch(let name, let expected, let found):
            return "tensor \"\(name)\" has scalar type \(found), but the model's is \(expected)"
        case .unexpectedTensor(let name):
            return "the checkpoint holds a tensor \"\(name)\" the model does not have (load with strict: false to ignore it)"
        case .invalidCheckpoint(let reason):
            return "invalid checkpoint: \(reason)"
        }
    }
}
