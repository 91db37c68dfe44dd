/// A model or a part of one: a class whose tensors are found by traversal.
///
/// Conforming takes no code. Traversal walks the layer's stored properties by reflection
/// and finds:
/// - `@Parameter var b` → trainable tensor `b`;
/// - `@Buffer var s` → state tensor `s`;
/// - `@Constrained(p) var w` → trainable `w.original`, and the parametrization's own tensors
///   `w.0.g`, `w.1.base`, … (part index, then property name; a removed parametrization leaves
///   plain `w`);
/// - a stored property holding a layer `cell` → its tensors prefixed `cell.` (optionals
///   included); an array of layers `blocks` → `blocks.0.`, `blocks.1.`, …; a dictionary of
///   layers keyed by strings → `heads.<key>.`.
///
/// Superclass properties come first, then the class's own in declaration order. A layer or a
/// tensor reachable twice (shared) is reported once, under its first name, so no parameter
/// is updated twice.
///
/// ```swift
/// final class Model: Layer {
///     @Constrained(Skew() >>> CayleyMap()) var recurrent = Tensor<Double>.eye(8)
///     @Parameter var bias = Tensor<Double>.zeros([8])
///     let head = Linear(8, 2)
/// }
/// Model().parameterNames   // ["recurrent.original", "bias", "head.weight", "head.bias"]
/// ```
///
/// The names are the keys of gradients (`valueWithGradient(of:_:)`), of optimizer state and
/// of checkpoints. Layers are not `Sendable`: a model belongs to one task at a time, while
/// reads of its constrained properties are thread-safe.
public protocol Layer: AnyObject {}

/// Type-erased access to a `@Constrained` property for traversal and mode changes.
protocol ConstrainedProperty: AnyObject {
    var namedSlots: [NamedSlot] { get }
    var isTraining: Bool { get set }
    /// Records the property's dotted name, which its errors then carry.
    func name(_ key: String)
}

extension Constrained: ConstrainedProperty {}

/// The result of walking a layer tree.
struct LayerTraversal {
    /// Every tensor slot, with its full dotted name, in traversal order.
    var slots: [NamedSlot] = []
    /// Every layer, the root included (name ""), in traversal order.
    var layers: [(name: String, layer: any Layer)] = []
    /// Every constrained property, with its dotted name.
    var constrained: [(name: String, property: any ConstrainedProperty)] = []

    private var seenLayers: Set<ObjectIdentifier> = []
    private var seenSlots: Set<ObjectIdentifier> = []

    /// Walks `root` and everything reachable from it.
    init(_ root: any Layer) {
        visit(layer: root, name: "")
    }

    private mutating func visit(layer: any Layer, name: String) {
        guard seenLayers.insert(ObjectIdentifier(layer)).inserted else { return }
        layers.append((name, layer))
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: layer)
        while let current = mirror {
            mirrors.append(current)
            mirror = current.superclassMirror
        }
        for current in mirrors.reversed() {
            for child in current.children {
                guard let label = child.label else { continue }
                visit(child.value, label: label, prefix: name)
            }
        }
    }

    private mutating func visit(_ value: Any, label: String, prefix: String) {
        func join(_ a: String, _ b: String) -> String {
            a.isEmpty ? b : b.isEmpty ? a : "\(a).\(b)"
        }
        if let property = value as? any ConstrainedProperty {
            let name = join(prefix, ParametrizationReflection.propertyName(label))
            guard seenSlots.insert(ObjectIdentifier(property)).inserted else { return }
            constrained.append((name, property))
            property.name(name)
            for named in property.namedSlots {
                if named.slot !== property {
                    guard seenSlots.insert(ObjectIdentifier(named.slot)).inserted else { continue }
                }
                slots.append(NamedSlot(name: join(name, named.name), slot: named.slot))
            }
        } else if let slot = value as? any TensorSlot {
            guard seenSlots.insert(ObjectIdentifier(slot)).inserted else { return }
            slots.append(NamedSlot(name: join(prefix, ParametrizationReflection.propertyName(label)), slot: slot))
        } else if let layer = value as? any Layer {
            visit(layer: layer, name: join(prefix, label))
        } else if let array = value as? [any Layer] {
            for (index, layer) in array.enumerated() {
                visit(layer: layer, name: join(prefix, "\(label).\(index)"))
            }
        } else if let dictionary = value as? [String: any Layer] {
            for key in dictionary.keys.sorted() {
                visit(layer: dictionary[key]!, name: join(prefix, "\(label).\(key)"))
            }
        } else if let unwrapped = ParametrizationReflection.unwrapOptional(value) {
            visit(unwrapped, label: label, prefix: prefix)
        }
    }
}

extension Layer {
    /// The dotted names of every trainable tensor, in traversal order.
    public var parameterNames: [String] {
        LayerTraversal(self).slots.filter { $0.slot.role == .trainable }.map(\.name)
    }

    /// The dotted names of every state tensor (`@Buffer`s, a parametrization's state).
    public var stateNames: [String] {
        LayerTraversal(self).slots.filter { $0.slot.role == .state }.map(\.name)
    }

    /// The current values of every trainable tensor of scalar type `Scalar`, by name
    /// (untracked; originals for constrained properties).
    public func parameters<Scalar>(as scalarType: Scalar.Type = Scalar.self) -> NamedTensors<Scalar> {
        tensors(as: scalarType, role: .trainable)
    }

    /// The current values of every tensor of scalar type `Scalar`, trainable and state, by
    /// name: everything a checkpoint holds.
    public func allTensors<Scalar>(as scalarType: Scalar.Type = Scalar.self) -> NamedTensors<Scalar> {
        tensors(as: scalarType, role: nil)
    }

    func tensors<Scalar>(as scalarType: Scalar.Type, role: TensorRole?) -> NamedTensors<Scalar> {
        var result = NamedTensors<Scalar>()
        for named in LayerTraversal(self).slots where role == nil || named.slot.role == role {
            if let value = named.slot.boxedValue() as? Tensor<Scalar> { result[named.name] = value }
        }
        return result
    }
}
