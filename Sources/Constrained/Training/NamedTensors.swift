/// Tensors keyed by dotted parameter names, in a fixed order: gradients, parameter
/// snapshots, checkpoint contents.
///
/// ```swift
/// let (loss, gradients) = try valueWithGradient(of: model) { m in loss(m) }
/// gradients["w.original"]        // the gradient of w's original
/// let scaled = gradients * 0.5   // arithmetic applies name by name
/// ```
///
/// Iteration yields `(name, tensor)` pairs in insertion order (traversal order for what the
/// package returns).
public struct NamedTensors<Scalar: TensorScalar>: Sequence, Sendable, CustomStringConvertible {
    /// The names, in order.
    public private(set) var names: [String] = []
    private var tensors: [String: Tensor<Scalar>] = [:]

    /// An empty collection.
    public init() {}

    /// A collection of `pairs`, in their order.
    ///
    /// - Precondition: no name appears twice.
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, Tensor<Scalar>) {
        for (name, tensor) in pairs {
            precondition(tensors[name] == nil, "NamedTensors: the name \"\(name)\" appears twice")
            self[name] = tensor
        }
    }

    /// The tensor named `name`; setting `nil` removes it, setting a new name appends it.
    public subscript(name: String) -> Tensor<Scalar>? {
        get { tensors[name] }
        set {
            if let newValue {
                if tensors.updateValue(newValue, forKey: name) == nil { names.append(name) }
            } else if tensors.removeValue(forKey: name) != nil {
                names.removeAll { $0 == name }
            }
        }
    }

    /// The number of tensors.
    public var count: Int { names.count }

    /// Whether there are no tensors.
    public var isEmpty: Bool { names.isEmpty }

    /// The `(name, tensor)` pairs in order.
    public func makeIterator() -> AnyIterator<(name: String, tensor: Tensor<Scalar>)> {
        var index = 0
        let names = self.names, tensors = self.tensors
        return AnyIterator {
            guard index < names.count else { return nil }
            defer { index += 1 }
            return (names[index], tensors[names[index]]!)
        }
    }

    /// The same names with `transform` applied to each tensor.
    public func mapTensors(_ transform: (Tensor<Scalar>) throws -> Tensor<Scalar>) rethrows -> NamedTensors {
        var result = self
        for name in names { result.tensors[name] = try transform(tensors[name]!) }
        return result
    }

    /// The Euclidean norm of all tensors together, `√(Σ ‖tᵢ‖²)` (for gradient clipping).
    public var globalNorm: Scalar {
        var sum: Scalar = 0
        for name in names {
            tensors[name]!.withUnsafeBufferPointer { for x in $0 { sum += x * x } }
        }
        return sum.squareRoot()
    }

    /// Name-by-name combination of two collections with the same names.
    private static func combine(_ a: NamedTensors, _ b: NamedTensors, _ op: String,
                                _ f: (Tensor<Scalar>, Tensor<Scalar>) -> Tensor<Scalar>) -> NamedTensors {
        precondition(Set(a.names) == Set(b.names),
                     "NamedTensors \(op): the names differ: \(a.names) and \(b.names)")
        var result = a
        for name in a.names { result.tensors[name] = f(a.tensors[name]!, b.tensors[name]!) }
        return result
    }

    /// Name-by-name sum. - Precondition: both have the same names.
    public static func + (a: NamedTensors, b: NamedTensors) -> NamedTensors { combine(a, b, "+", +) }

    /// Name-by-name difference. - Precondition: both have the same names.
    public static func - (a: NamedTensors, b: NamedTensors) -> NamedTensors { combine(a, b, "-", -) }

    /// Every tensor scaled by `s`.
    public static func * (a: NamedTensors, s: Scalar) -> NamedTensors { a.mapTensors { $0 * s } }

    /// Every tensor scaled by `s`.
    public static func * (s: Scalar, a: NamedTensors) -> NamedTensors { a * s }

    /// The names and shapes, in order.
    public var description: String {
        "NamedTensors(" + names.map { "\($0): \(tensors[$0]!.shape)" }.joined(separator: ", ") + ")"
    }
}
