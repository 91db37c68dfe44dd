/// A failure of the constrained-parameter machinery: registration, assignment, evaluation,
/// traversal, loading and saving.
///
/// One error type for the whole module, built like `LinAlgError`: *what* was being done
/// (``operation``), *to what* (``subject``, the parametrization or layer; ``key``, the property
/// or tensor name; ``shape``), and *why* (``cause``). The description puts them in one sentence:
///
/// ```swift
/// try model.$w.assign(Tensor<Double>.ones([7]))
/// // assign of Orthogonal<Double> to "w" (shape [7]): expected a matrix or a batch of matrices (..., m, n)
/// ```
///
/// Match on the cause to handle one kind of failure:
///
/// ```swift
/// do { try model.$w.assign(y) }
/// catch let error as ConstrainedError where error.cause == .noRightInverse { ... }
/// ```
public struct ConstrainedError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Why the operation failed.
    public enum Cause: Equatable, Sendable {
        /// The parametrization has no right inverse: a constrained value cannot be assigned;
        /// set the original (`$w.original = x`) instead.
        case noRightInverse
        /// The value is not a point of the set the parametrization maps onto (so it has no
        /// preimage); the detail says where and by how much it is off.
        case notInImage(String)
        /// The tensor has a shape the operation cannot take; the detail names what it expects.
        case invalidShape(String)
        /// The tensor's shape differs from the one registered (or stored) under that name.
        case shapeMismatch(expected: [Int], found: [Int])
        /// The tensor's scalar type differs from the one registered under that name.
        case scalarTypeMismatch(expected: String, found: String)
        /// An option is out of its range; the detail names the option, its range and the value.
        case invalidArgument(String)
        /// A property was read before it was given a value.
        case noValue
        /// A checkpoint or a set of named tensors lacks a tensor the model needs.
        case missingTensor
        /// A checkpoint holds a tensor the model does not have (strict loading).
        case unexpectedTensor
        /// A checkpoint file is malformed; the detail says how.
        case invalidCheckpoint(String)
        /// The file system refused (a missing file, no permission); the detail is its message.
        case file(String)
        /// A linear-algebra operation inside a parametrization failed.
        case linearAlgebra(LinAlgError)
        /// Traversal found a stored property it cannot walk, of the named type.
        case untraversable(type: String)
    }

    /// What was being done: `"assign"`, `"forward"`, `"rightInverse"`, `"load"`, `"save"`, …
    public let operation: String
    /// The parametrization or layer involved, e.g. `"Orthogonal<Double>"`; nil when none is.
    public let subject: String?
    /// The property or tensor key, e.g. `"recurrent"` or `"head.weight.original"`.
    public let key: String?
    /// The shape of the tensor that caused the failure.
    public let shape: [Int]?
    /// The cause.
    public let cause: Cause

    /// An error of `operation` on `subject` (the parametrization or layer), for the tensor named
    /// `key` of `shape`, because of `cause`.
    public init(_ operation: String, subject: String? = nil, key: String? = nil, shape: [Int]? = nil,
                cause: Cause) {
        self.operation = operation
        self.subject = subject
        self.key = key
        self.shape = shape
        self.cause = cause
    }

    /// The same error, naming the property or tensor `key` (kept if the error names one already:
    /// the innermost name is the most precise).
    public func with(key: String) -> ConstrainedError {
        ConstrainedError(operation, subject: subject, key: self.key ?? key, shape: shape, cause: cause)
    }

    /// The same error, naming `subject` when it names none yet.
    public func with(subject: String) -> ConstrainedError {
        ConstrainedError(operation, subject: self.subject ?? subject, key: key, shape: shape, cause: cause)
    }

    /// The operation, its subject, key and shape, and the cause, in one sentence.
    public var description: String {
        var context = operation
        if let subject { context += " of \(subject)" }
        if let key { context += subject == nil ? " of \"\(key)\"" : " to \"\(key)\"" }
        if let shape { context += " (shape \(shape))" }
        return "\(context): \(reason)"
    }

    /// The cause as a clause, with the fix where there is one.
    private var reason: String {
        switch cause {
        case .noRightInverse:
            return "there is no right inverse, so a constrained value cannot be assigned; assign the unconstrained tensor with `$w.original = x` instead"
        case .notInImage(let detail):
            return "the value is not in the parametrization's image: \(detail)"
        case .invalidShape(let detail):
            return detail
        case .shapeMismatch(let expected, let found):
            return "the tensor has shape \(found), but \(expected) is expected"
        case .scalarTypeMismatch(let expected, let found):
            return "the tensor has scalar type \(found), but \(expected) is expected"
        case .invalidArgument(let detail):
            return detail
        case .noValue:
            return "read before it was given a value; assign one in the layer's initialiser"
        case .missingTensor:
            return "no tensor of that name"
        case .unexpectedTensor:
            return "the model has no tensor of that name (load with strict: false to ignore it)"
        case .invalidCheckpoint(let detail):
            return "invalid checkpoint: \(detail)"
        case .file(let detail):
            return "the file could not be used: \(detail)"
        case .linearAlgebra(let error):
            return "\(error)"
        case .untraversable(let type):
            return "a stored property of type \(type) cannot be traversed, so its tensors would never train or be saved; mark it to be skipped, or hold its tensors in layers"
        }
    }
}

extension ConstrainedError {
    /// Throws ``Cause/invalidShape(_:)`` for `subject` unless `shape` is a square matrix or a
    /// batch of them, `(..., n, n)`.
    static func requireSquare(_ subject: String, _ shape: [Int], operation: String = "forward") throws {
        guard shape.count >= 2, shape[shape.count - 1] == shape[shape.count - 2] else {
            throw ConstrainedError(operation, subject: subject, shape: shape,
                                   cause: .invalidShape("expected a square matrix or a batch of square matrices (..., n, n)"))
        }
    }

    /// Throws ``Cause/invalidShape(_:)`` for `subject` unless `shape` is a matrix or a batch of
    /// them, `(..., m, n)`.
    static func requireMatrix(_ subject: String, _ shape: [Int], operation: String = "forward") throws {
        guard shape.count >= 2 else {
            throw ConstrainedError(operation, subject: subject, shape: shape,
                                   cause: .invalidShape("expected a matrix or a batch of matrices (..., m, n)"))
        }
    }

    /// Runs `body`, turning a `LinAlgError` it throws into a ``Cause/linearAlgebra(_:)`` error of
    /// `operation` on `subject`.
    static func wrappingLinearAlgebra<R>(_ operation: String, subject: String, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as LinAlgError {
            throw ConstrainedError(operation, subject: subject, shape: error.shape, cause: .linearAlgebra(error))
        }
    }
}
