/// A type whose tensors traversal finds: layers and parametrizations.
///
/// `traverse(with:)` reports each trainable tensor, state tensor, nested layer and
/// parametrization part to the visitor under its name; the visitor builds the dotted names
/// (`cell.recurrent.original`, `cell.recurrent.0.base`) that gradients, optimizers and
/// checkpoints use. `@Layer` (in `ConstrainedLayerMacros`) writes this method at compile
/// time; without it, the default walks the stored properties by reflection.
///
/// ```swift
/// final class Cell: Layer {
///     @Constrained(Skew() >>> MatrixExp()) var recurrent = Tensor<Double>.eye(4)
///     @Parameter var bias = Tensor<Double>.zeros([4])
///     let head = Linear<Double>(4, 2)
///
///     func traverse(with visitor: TraversalVisitor) throws {   // what @Layer generates
///         try visitor.visit(_recurrent, named: "recurrent")
///         try visitor.visit(_bias, named: "bias")
///         try visitor.visit(head, named: "head")
///     }
/// }
/// ```
public protocol Traversable {
    /// Reports every tensor, nested layer and parametrization part to `visitor`, each under
    /// its name relative to this value.
    ///
    /// - Throws: ``ConstrainedError`` with cause `.untraversable(type:)` for a stored property
    ///   that holds tensors or layers in a form traversal cannot walk.
    func traverse(with visitor: TraversalVisitor) throws
}

/// Collects what a ``Traversable`` value reports: its tensors under dotted names.
///
/// A layer's ``Traversable/traverse(with:)`` calls one `visit` per property; the overload
/// chosen at compile time says what the property is. `visit(_:named:)` on `Any` classifies
/// the value at run time, as the reflection walk does, and throws for a value that holds
/// tensors or layers it cannot walk (a tuple, `[Int: Layer]`, `[Layer?]`, a struct holding
/// `@Parameter`s). A layer or tensor reachable twice is reported once, under its first name.
public final class TraversalVisitor {
    var result = LayerTraversal()
    private var prefix = ""
    private var depth = 0
    /// The type of the layer being walked, for errors.
    private var layerType: String?
    private var seenLayers: Set<ObjectIdentifier> = []
    private var seenSlots: Set<ObjectIdentifier> = []

    init() {}

    /// `prefix.name`, or either alone when the other is empty.
    func join(_ name: String) -> String {
        prefix.isEmpty ? name : name.isEmpty ? prefix : "\(prefix).\(name)"
    }

    /// Runs `body` with `name` appended to the prefix.
    func nested<R>(_ name: String, _ body: () throws -> R) rethrows -> R {
        let saved = prefix
        prefix = join(name)
        depth += 1
        defer { prefix = saved; depth -= 1 }
        return try body()
    }

    func visitSlot(_ slot: any TensorSlot, named name: String, kind: TraversalEntry.Kind) {
        guard seenSlots.insert(ObjectIdentifier(slot)).inserted else { return }
        let full = join(name)
        result.slots.append(NamedSlot(name: full, slot: slot))
        result.outline.append(TraversalEntry(depth: depth, name: name, kind: kind))
    }

    // MARK: Tensors

    /// A trainable tensor, `@Parameter var name`.
    public func visit<Scalar>(_ parameter: Parameter<Scalar>, named name: String) throws {
        visitSlot(parameter, named: name, kind: .parameter(parameter))
    }

    /// An optional trainable tensor (a bias that may be absent): nothing when nil.
    public func visit<Scalar>(_ parameter: Parameter<Scalar>?, named name: String) throws {
        if let parameter { try visit(parameter, named: name) }
    }

    /// A state tensor, `@Buffer var name`.
    public func visit<Scalar>(_ buffer: Buffer<Scalar>, named name: String) throws {
        visitSlot(buffer, named: name, kind: .buffer(buffer))
    }

    /// A constrained property: its original `name.original` and its parametrization's tensors
    /// `name.0.u`, …, or plain `name` once the parametrization was removed.
    public func visit<Scalar, P>(_ property: Constrained<Scalar, P>, named name: String) throws {
        guard seenSlots.insert(ObjectIdentifier(property)).inserted else { return }
        let full = join(name)
        result.constrained.append((full, property))
        property.name(full)
        result.outline.append(TraversalEntry(depth: depth, name: name, kind: .constrained(property)))
        for named in property.namedSlots {
            if named.slot !== property {
                guard seenSlots.insert(ObjectIdentifier(named.slot)).inserted else { continue }
            }
            let slotName = named.name.isEmpty ? full : "\(full).\(named.name)"
            result.slots.append(NamedSlot(name: slotName, slot: named.slot))
        }
    }

    // MARK: Layers

    /// A nested layer: its tensors are named `name.…`.
    public func visit<L: Layer>(_ layer: L, named name: String) throws {
        try visitLayer(layer, named: name)
    }

    /// An optional nested layer: nothing when nil.
    public func visit<L: Layer>(_ layer: L?, named name: String) throws {
        if let layer { try visitLayer(layer, named: name) }
    }

    /// An array of layers: `name.0.…`, `name.1.…`, …
    public func visit<L: Layer>(_ layers: [L], named name: String) throws {
        for (index, layer) in layers.enumerated() { try visitLayer(layer, named: "\(name).\(index)") }
    }

    /// An array of layers of any types: `name.0.…`, `name.1.…`, …
    public func visit(_ layers: [any Layer], named name: String) throws {
        for (index, layer) in layers.enumerated() { try visitLayer(layer, named: "\(name).\(index)") }
    }

    /// A dictionary of layers by string key: `name.<key>.…`, keys in sorted order.
    public func visit<L: Layer>(_ layers: [String: L], named name: String) throws {
        for key in layers.keys.sorted() { try visitLayer(layers[key]!, named: "\(name).\(key)") }
    }

    /// A dictionary of layers of any types by string key: `name.<key>.…`, keys sorted.
    public func visit(_ layers: [String: any Layer], named name: String) throws {
        for key in layers.keys.sorted() { try visitLayer(layers[key]!, named: "\(name).\(key)") }
    }

    func visitLayer(_ layer: any Layer, named name: String) throws {
        let isRoot = result.layers.isEmpty
        guard seenLayers.insert(ObjectIdentifier(layer)).inserted else { return }
        let full = isRoot ? "" : join(name)
        result.layers.append((full, layer))
        if !isRoot { result.outline.append(TraversalEntry(depth: depth, name: name, kind: .layer(layer))) }
        let outer = layerType
        layerType = "\(type(of: layer))"
        defer { layerType = outer }
        if isRoot {
            try layer.traverse(with: self)
        } else {
            try nested(name) { try layer.traverse(with: self) }
        }
    }

    // MARK: Parametrizations

    /// A parametrization held in a stored property of another: its tensors are named
    /// `name.u`, …, or `name.0.u`, `name.1.…` when it is a composition.
    public func visit<P: Parametrization>(part: P, named name: String) throws {
        try visitPart(part, named: name)
    }

    func visitPart(_ part: any Parametrization, named name: String) throws {
        guard depth < 32 else { return }
        try nested(name) { try part.traverse(with: self) }
    }

    // MARK: Anything else

    /// A stored value of a type known only at run time, classified as the reflection walk
    /// does: a tensor wrapper, a layer, an array or string-keyed dictionary of layers, a
    /// parametrization, an optional of one of these; skipped when it holds no tensor and no
    /// layer (`let width: Int`, a plain `Tensor` constant).
    ///
    /// - Throws: ``ConstrainedError`` with cause `.untraversable(type:)` and the property's
    ///   dotted name as key, for a value that holds tensors or layers in another form.
    public func visit(_ value: Any, named name: String) throws {
        if let property = value as? any ConstrainedProperty {
            try property.accept(self, named: name)
        } else if let slot = value as? any TensorSlot {
            visitSlot(slot, named: name, kind: slot.role == .trainable ? .parameter(slot) : .buffer(slot))
        } else if let layer = value as? any Layer {
            try visitLayer(layer, named: name)
        } else if let layers = value as? [any Layer] {
            try visit(layers, named: name)
        } else if let layers = value as? [String: any Layer] {
            try visit(layers, named: name)
        } else if let part = value as? any Parametrization {
            try visitPart(part, named: name)
        } else if let parts = value as? [any Parametrization] {
            for (index, part) in parts.enumerated() { try visitPart(part, named: "\(name).\(index)") }
        } else if let unwrapped = Reflection.unwrapOptional(value) {
            try visit(unwrapped, named: name)
        } else if Reflection.holdsTraversable(value) {
            throw ConstrainedError("traverse", subject: layerType, key: join(name),
                                   cause: .untraversable(type: "\(type(of: value))"))
        }
    }
}

/// The result of walking a layer tree.
struct LayerTraversal {
    /// Every tensor slot, with its full dotted name, in traversal order.
    var slots: [NamedSlot] = []
    /// Every layer, the root included (name ""), in traversal order.
    var layers: [(name: String, layer: any Layer)] = []
    /// Every constrained property, with its dotted name.
    var constrained: [(name: String, property: any ConstrainedProperty)] = []
    /// The tree, in order, for printing: each entry's depth and name relative to its layer.
    var outline: [TraversalEntry] = []
    /// Whether some layer was walked by reflection: then the traversal is not cached, since
    /// replacing one of its layers cannot be observed.
    var usesReflection = false

    /// Walks `root` and everything reachable from it.
    init(_ root: any Layer) throws {
        let visitor = TraversalVisitor()
        try visitor.visitLayer(root, named: "")
        self = visitor.result
    }

    init() {}
}

/// One line of a layer tree: a nested layer or a tensor property.
struct TraversalEntry {
    enum Kind {
        case layer(any Layer)
        case parameter(any TensorSlot)
        case buffer(any TensorSlot)
        case constrained(any ConstrainedProperty)
    }
    var depth: Int
    var name: String
    var kind: Kind
}

/// Type-erased access to a `@Constrained` property for traversal, mode changes and printing.
protocol ConstrainedProperty: AnyObject, CustomStringConvertible {
    var namedSlots: [NamedSlot] { get }
    var isTraining: Bool { get set }
    /// Records the property's dotted name, which its errors then carry.
    func name(_ key: String)
    func accept(_ visitor: TraversalVisitor, named name: String) throws
}

extension Constrained: ConstrainedProperty {
    func accept(_ visitor: TraversalVisitor, named name: String) throws {
        try visitor.visit(self, named: name)
    }
}
