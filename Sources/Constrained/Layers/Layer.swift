import Synchronization

/// A model or a part of one: a class whose tensors are found by traversal.
///
/// Write a layer with `@Layer` (`import ConstrainedLayerMacros`), which generates the
/// traversal at compile time and checks the properties; or conform with `: Layer` and no
/// code, and traversal walks the stored properties by reflection. Both find:
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
/// is updated twice. Properties holding no tensor and no layer (`let width: Int`) are skipped.
///
/// **What cannot be traversed is an error.** A stored property that holds tensors or layers
/// in another form (a tuple, `[Int: Layer]`, `[Layer?]`, a struct holding `@Parameter`s) makes
/// traversal throw ``ConstrainedError`` with cause `.untraversable(type:)`, naming the
/// property's dotted key and its type. Traversal runs at the first use of the model's
/// structure: the throwing entry points (`valueWithGradient(of:_:)`, `load`, `save`,
/// ``structure()``) throw it; the others (``parameterNames``, `checkpoint()`, optimizers'
/// `update`, ``isTraining``) stop the program with its message. Call `try model.structure()`
/// once after building a model to handle it.
///
/// **Traversal is computed once.** A model whose layers all declare their traversal (`@Layer`,
/// the package's layers, or a hand-written ``Traversable/traverse(with:)``) keeps it and
/// reuses it for gradients, optimizer steps, checkpoints and mode changes, until the
/// structure changes: a parametrization registered or removed (`parametrize(with:)`,
/// `removeParametrization(keeping:)`, `constrainWeight(_:)`), or a nested layer replaced
/// (`@Layer` observes its `var` properties; a hand-written traversal calls
/// ``structureDidChange()``). A model containing a layer walked by reflection is walked again
/// at every use, because replacing one of its layers cannot be observed.
///
/// ```swift
/// final class Model: Layer {
///     @Constrained(Skew() >>> CayleyMap()) var recurrent = Tensor<Double>.eye(8)
///     @Parameter var bias = Tensor<Double>.zeros([8])
///     let head = Linear(8, 2)
/// }
/// Model().parameterNames   // ["recurrent.original", "bias", "head.weight", "head.bias"]
/// print(Model())           // the tree, as PyTorch prints a module
/// ```
///
/// The names are the keys of gradients (`valueWithGradient(of:_:)`), of optimizer state and
/// of checkpoints. Layers are not `Sendable`: a model belongs to one task at a time, while
/// reads of its constrained properties are thread-safe.
public protocol Layer: AnyObject, Traversable, CustomStringConvertible {
    /// What the package keeps in a layer: its mode and its cached traversal.
    ///
    /// `@Layer` stores one in the layer; the default keeps one per layer in a side table.
    var layerState: LayerState { get }
}

/// A layer's mode and its cached traversal (the package's bookkeeping, kept in the layer).
///
/// `@Layer` adds `let layerState = LayerState()`; layers without it get one from a side
/// table keyed by identity.
public final class LayerState: @unchecked Sendable {
    struct Contents {
        var isTraining = true
        var traversal: (generation: UInt64, value: LayerTraversal)?
    }

    let contents = Lock(Contents())

    /// Fresh bookkeeping: training mode, no cached traversal.
    public init() {}
}

/// Counts structural changes anywhere (a parametrization registered or removed, a nested
/// layer replaced): a cached traversal is valid while the count it was made at is current.
/// One global count keeps the check to one atomic load; structural changes are rare.
enum LayerStructureGeneration {
    static let counter = Atomic<UInt64>(0)

    static var current: UInt64 { counter.load(ordering: .acquiring) }

    static func bump() { counter.add(1, ordering: .releasing) }
}

/// The side table of layers without their own ``LayerState``. The weak reference tells a
/// live entry from one left by a freed layer whose address was reused.
private let sideTable = Lock<[ObjectIdentifier: SideEntry]>([:])

private struct SideEntry: @unchecked Sendable {
    weak var layer: AnyObject?
    let state: LayerState
}

extension Layer {
    /// The layer's bookkeeping from the side table (layers written without `@Layer`).
    public var layerState: LayerState {
        sideTable.withLock { table in
            let id = ObjectIdentifier(self)
            if let entry = table[id], entry.layer === self { return entry.state }
            if table.count >= 64, table.count.nonzeroBitCount == 1 {
                table = table.filter { $0.value.layer != nil }
            }
            let state = LayerState()
            table[id] = SideEntry(layer: self, state: state)
            return state
        }
    }

    /// Walks the layer's stored properties by reflection (see ``Layer``).
    public func traverse(with visitor: TraversalVisitor) throws {
        try Reflection.traverse(layer: self, with: visitor)
    }

    /// Tells cached traversals that the structure changed: call it when a hand-written
    /// ``Traversable/traverse(with:)`` would now report other layers (a `var` layer property
    /// was replaced). `@Layer` calls it from its `var` properties' observers.
    public func structureDidChange() {
        LayerStructureGeneration.bump()
    }

    /// The model's traversal: cached when every layer declares its traversal, else walked.
    func traversal() throws -> LayerTraversal {
        let generation = LayerStructureGeneration.current
        let state = layerState
        if let cached = state.contents.withLock({ $0.traversal }), cached.generation == generation {
            return cached.value
        }
        let traversal = try LayerTraversal(self)
        if !traversal.usesReflection {
            state.contents.withLock { $0.traversal = (generation, traversal) }
        }
        return traversal
    }

    /// The traversal, or the program stops with the error (the non-throwing entry points).
    func traversalOrTrap() -> LayerTraversal {
        do {
            return try traversal()
        } catch {
            fatalError("\(error). Call `try model.structure()` to handle the error.")
        }
    }

    /// The model's structure: the names of its tensors and layers, after checking that
    /// every stored property can be traversed.
    ///
    /// - Throws: ``ConstrainedError`` with cause `.untraversable(type:)` naming the first
    ///   property traversal cannot walk.
    public func structure() throws -> LayerStructure {
        LayerStructure(try traversal())
    }

    /// The dotted names of every trainable tensor, in traversal order.
    ///
    /// Stops the program if traversal fails; ``structure()`` is the throwing form.
    public var parameterNames: [String] { LayerStructure(traversalOrTrap()).parameterNames }

    /// The dotted names of every state tensor (`@Buffer`s, a parametrization's state).
    ///
    /// Stops the program if traversal fails; ``structure()`` is the throwing form.
    public var stateNames: [String] { LayerStructure(traversalOrTrap()).stateNames }

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
        for named in traversalOrTrap().slots where role == nil || named.slot.role == role {
            if let value = named.slot.boxedValue() as? Tensor<Scalar> { result[named.name] = value }
        }
        return result
    }
}

/// The names traversal gives a model's tensors and layers.
public struct LayerStructure: Sendable, Equatable {
    /// The dotted names of every trainable tensor, in traversal order.
    public let parameterNames: [String]
    /// The dotted names of every state tensor, in traversal order.
    public let stateNames: [String]
    /// The dotted names of every nested layer, in traversal order (the root, `""`, excluded).
    public let layerNames: [String]

    init(_ traversal: LayerTraversal) {
        parameterNames = traversal.slots.filter { $0.slot.role == .trainable }.map(\.name)
        stateNames = traversal.slots.filter { $0.slot.role == .state }.map(\.name)
        layerNames = traversal.layers.map(\.name).filter { !$0.isEmpty }
    }
}
