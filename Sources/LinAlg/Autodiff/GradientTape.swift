import Synchronization

/// Records the operations of a computation so that gradients can be taken in reverse mode.
///
/// While a tape records (inside ``record(_:)``), every operation whose inputs take part in
/// differentiation appends a pullback closure to the graph.
/// ``gradient(of:wrt:)->[Tensor<Scalar>]`` then runs the pullbacks from the target back to the
/// inputs, newest first, accumulating each input's cotangent once.
///
/// ```swift
/// let tape = GradientTape()
/// let x = tape.watch(Tensor<Double>([1, 2, 3]))
/// let y = tape.record { (x * x).sum() }
/// let dx = try tape.gradient(of: y, wrt: x)   // [2, 4, 6]
/// ```
///
/// **Scoping.** The recording tape is a task-local value: it is seen by code that runs
/// synchronously inside `record`, not by other threads or detached tasks, which record on
/// their own tapes. Tapes nest: an inner tape's operations are ordinary graph nodes, so an
/// outer tape's gradient flows through them. ``withoutRecording(_:)`` suspends all recording
/// in its body.
///
/// **Memory.** Unless ``isPersistent``, taking the gradient consumes the tape: the pullbacks
/// it recorded, and the tensors they captured, are released, and a second gradient throws.
/// Only the pullbacks recorded by this tape are released; an enclosing tape's stay.
///
/// **Order.** Pullbacks run with recording off: gradients are not themselves differentiable
/// (no higher-order derivatives).
public final class GradientTape: @unchecked Sendable {
    /// An identity unique within the process; the caching layer keys cached values on it.
    public let id: UInt64
    /// Whether the tape keeps its graph after a gradient, so several gradients can be taken.
    public let isPersistent: Bool

    private let state = Mutex<State>(State())

    private struct State {
        var isConsumed = false
        /// Leaves watched on behalf of long-lived owners (parameters), by owner; see
        /// ``leaf(owner:watching:)``.
        var ownedLeaves: [UInt64: [OwnedLeaf]] = [:]
    }

    /// One leaf watched for an owner: the content it was made from and the leaf itself
    /// (a `Tensor<Scalar>` of the owner's scalar type, boxed because the tape is not generic).
    private struct OwnedLeaf {
        let storageID: UInt64
        let version: UInt64
        let leaf: Any
    }

    /// The tape recording in the current task (or thread), if any.
    @TaskLocal public static var current: GradientTape?

    private static let counter = Atomic<UInt64>(0)

    /// Creates a tape; a persistent one allows several gradients from one recording.
    public init(persistent: Bool = false) {
        self.id = Self.counter.wrappingAdd(1, ordering: .relaxed).newValue
        self.isPersistent = persistent
    }

    /// Whether a non-persistent tape has already given its gradient (its graph is released).
    public var isConsumed: Bool { state.withLock { $0.isConsumed } }

    /// Runs `body` with this tape recording.
    public func record<R>(_ body: () throws -> R) rethrows -> R {
        GradientTape.activeRecordings.add(1, ordering: .relaxed)
        defer { GradientTape.activeRecordings.subtract(1, ordering: .relaxed) }
        return try GradientTape.$current.withValue(self) { try body() }
    }

    /// How many ``record(_:)`` scopes are running, process-wide.
    @usableFromInline static let activeRecordings = Atomic<Int>(0)

    /// The tape recording in the current task, like ``current``, but answering `nil` in about
    /// a nanosecond when no tape records anywhere in the process (the common case outside
    /// training steps), instead of the ~20 ns of a task-local lookup.
    ///
    /// Exact: a tape records on a thread only inside its `record` scope, and the thread's own
    /// increment of the process-wide count is visible to it, so a zero count means no tape
    /// records on this thread. A non-zero count falls back to the task-local lookup.
    @inlinable
    public static var recording: GradientTape? {
        activeRecordings.load(ordering: .relaxed) == 0 ? nil : current
    }

    /// Returns `x` marked as an input this tape differentiates with respect to.
    ///
    /// The result shares `x`'s storage (no copy) and carries a fresh leaf node: each call
    /// makes an independent input.
    public func watch<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        Tensor(storage: x.storage, shape: x.shape,
               node: TapeNode(tapeID: id, shape: x.shape, operation: "watch", parents: [], pullback: nil))
    }

    /// The leaf this tape watches on behalf of `owner` for the content of `value`.
    ///
    /// A long-lived owner (a trainable parameter, identified by a process-unique `owner` id)
    /// calls this each time it is read while the tape records. The first call for a given
    /// content (`value`'s ``Tensor/storageID`` and ``Tensor/version``) watches `value` and
    /// remembers the leaf; later calls with the same content return that same leaf, so all
    /// uses of the parameter during one recording hang off one leaf and their gradients
    /// accumulate into it. When the owner's content changed (it was updated in place while
    /// the tape recorded), a new leaf is made and kept beside the old one:
    /// ``leaves(owner:as:)`` returns both, and the gradient with respect to the owner is the
    /// sum over them.
    ///
    /// The registry lives as long as the tape, and a non-persistent tape clears it when its
    /// gradient is taken (fetch the leaves before calling ``gradient(of:wrt:)->[Tensor<Scalar>]``).
    public func leaf<Scalar>(owner: UInt64, watching value: Tensor<Scalar>) -> Tensor<Scalar> {
        state.withLock { s in
            let storageID = value.storageID, version = value.version
            if let entries = s.ownedLeaves[owner] {
                for entry in entries.reversed()
                where entry.storageID == storageID && entry.version == version {
                    if let leaf = entry.leaf as? Tensor<Scalar>, leaf.shape == value.shape { return leaf }
                }
            }
            let leaf = watch(value)
            s.ownedLeaves[owner, default: []].append(
                OwnedLeaf(storageID: storageID, version: version, leaf: leaf))
            return leaf
        }
    }

    /// The leaves this tape watched on behalf of `owner` (see ``leaf(owner:watching:)``),
    /// oldest first; empty when the owner was not read while the tape recorded.
    public func leaves<Scalar>(owner: UInt64, as scalarType: Scalar.Type = Scalar.self) -> [Tensor<Scalar>] {
        state.withLock { s in
            (s.ownedLeaves[owner] ?? []).compactMap { $0.leaf as? Tensor<Scalar> }
        }
    }

    /// The gradient of a one-element `target` with respect to each of `inputs`.
    ///
    /// An input that `target` does not depend on gets zeros of its shape.
    ///
    /// - Throws: ``LinAlgError`` with cause ``LinAlgError/Cause/nonScalarTarget`` when
    ///   `target` has more than one element, or ``LinAlgError/Cause/tapeConsumed(tapeID:)``
    ///   when this non-persistent tape's gradient was already taken.
    public func gradient<Scalar>(of target: Tensor<Scalar>, wrt inputs: [Tensor<Scalar>]) throws -> [Tensor<Scalar>] {
        guard target.scalarCount == 1 else {
            throw LinAlgError(operation: "gradient", shape: target.shape, cause: .nonScalarTarget)
        }
        try state.withLock { s in
            if s.isConsumed { throw LinAlgError(operation: "gradient", shape: target.shape, cause: .tapeConsumed(tapeID: id)) }
            if !isPersistent {
                s.isConsumed = true
                // The owned leaves share their owners' storage; dropping them now lets an
                // optimizer update those storages in place instead of copying them.
                s.ownedLeaves = [:]
            }
        }
        guard let root = target.node else {
            return inputs.map { Tensor(shape: $0.shape, repeating: 0) }
        }
        let wanted = Set(inputs.compactMap { $0.node.map(ObjectIdentifier.init) })
        let cotangents = backpropagate(from: root, seed: Tensor(shape: root.shape, repeating: 1), keeping: wanted)
        return inputs.map { x in
            if let node = x.node, let g = cotangents[ObjectIdentifier(node)] { return g }
            return Tensor(shape: x.shape, repeating: 0)
        }
    }

    /// The gradient of a one-element `target` with respect to `input`.
    public func gradient<Scalar>(of target: Tensor<Scalar>, wrt input: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try gradient(of: target, wrt: [input])[0]
    }

    /// Runs every pullback reachable from `root`, newest first; returns the cotangents of the
    /// nodes in `wanted`.
    ///
    /// Specialised for Float and Double: this function is not `@inlinable`, so without these
    /// the accumulation `existing + dx` below ran the generic `+`, one witness-table call per
    /// element (19 ms instead of 0.6 ms for 10⁶ elements, every time a value is used twice).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func backpropagate<Scalar>(
        from root: TapeNode<Scalar>, seed: Tensor<Scalar>, keeping wanted: Set<ObjectIdentifier>
    ) -> [ObjectIdentifier: Tensor<Scalar>] {
        // Collect the reachable graph.
        var nodes: [TapeNode<Scalar>] = []
        var seen: Set<ObjectIdentifier> = []
        var stack = [root]
        while let node = stack.popLast() {
            guard seen.insert(ObjectIdentifier(node)).inserted else { continue }
            nodes.append(node)
            for case let parent? in node.parents { stack.append(parent) }
        }
        // A node's order is larger than its parents': decreasing order is a reverse
        // topological order.
        nodes.sort { $0.order > $1.order }

        var cotangents: [ObjectIdentifier: Tensor<Scalar>] = [ObjectIdentifier(root): seed]
        withoutRecording {
            for node in nodes {
                let key = ObjectIdentifier(node)
                guard let pullback = node.pullback else { continue }
                guard let g = cotangents[key] else { continue }
                if !wanted.contains(key) { cotangents[key] = nil }
                switch pullback {
                case .returning(let pullback):
                    let inputs = pullback(g)
                    for (parent, dx) in zip(node.parents, inputs) {
                        guard let parent, let dx else { continue }
                        add(dx, to: parent, of: node, in: &cotangents)
                    }
                case .accumulating(let pullback):
                    // Hand each input's cotangent so far to the pullback (taken out of the
                    // table, so it is uniquely held and can be updated in place) and take back
                    // the sums. An input listed twice gets its cotangent in its first slot;
                    // the later slot's contribution is added to it afterwards.
                    var slots: [Tensor<Scalar>?] = node.parents.map { parent in
                        parent.flatMap { cotangents.removeValue(forKey: ObjectIdentifier($0)) }
                    }
                    pullback(g, &slots)
                    precondition(slots.count == node.parents.count,
                                 "pullback of \(node.operation) returned \(slots.count) cotangents for \(node.parents.count) inputs")
                    for (parent, dx) in zip(node.parents, slots) {
                        guard let parent, let dx else { continue }
                        add(dx, to: parent, of: node, in: &cotangents)
                    }
                }
            }
        }
        if !isPersistent {
            // Release this tape's pullbacks, except those an enclosing tape still needs: a
            // node that depends on a leaf another tape watches stays for that tape.
            var foreign: Set<ObjectIdentifier> = []
            for node in nodes.reversed() {
                let isForeignLeaf = node.pullback == nil && node.parents.isEmpty && node.tapeID != id
                if isForeignLeaf || node.parents.contains(where: { $0.map { foreign.contains(ObjectIdentifier($0)) } ?? false }) {
                    foreign.insert(ObjectIdentifier(node))
                }
            }
            for node in nodes where node.tapeID == id && !foreign.contains(ObjectIdentifier(node)) {
                node.pullback = nil
                node.parents = []
            }
        }
        return cotangents
    }

    /// Adds `dx`, a cotangent from `node`'s pullback, to what `parent` has received so far.
    ///
    /// In place with BLAS axpy: this generic function is not specialised for the caller's
    /// scalar type, and `existing + dx` here ran the broadcasting loop unspecialised (a third
    /// of an RNN training step, whose kernels and states have hundreds of uses each).
    /// Copy-on-write keeps tensors a pullback shares intact.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func add<Scalar>(_ dx: Tensor<Scalar>, to parent: TapeNode<Scalar>, of node: TapeNode<Scalar>,
                             in cotangents: inout [ObjectIdentifier: Tensor<Scalar>]) {
        precondition(dx.shape == parent.shape,
                     "pullback of \(node.operation) returned shape \(dx.shape) for an input of shape \(parent.shape)")
        let key = ObjectIdentifier(parent)
        guard var existing = cotangents.removeValue(forKey: key) else {
            cotangents[key] = dx
            return
        }
        existing.withUnsafeMutableBufferPointer { acc in
            dx.withUnsafeBufferPointer { d in
                guard acc.count > 0 else { return }
                Scalar.axpy(n: acc.count, alpha: 1, x: d.baseAddress!, y: acc.baseAddress!)
            }
        }
        cotangents[key] = existing
    }
}

/// Runs `body` with no tape recording: values it computes have no gradient path.
public func withoutRecording<R>(_ body: () throws -> R) rethrows -> R {
    try GradientTape.$current.withValue(nil) { try body() }
}

/// The former error type of ``GradientTape/gradient(of:wrt:)``: its failures are now
/// ``LinAlgError``s with cause ``LinAlgError/Cause/nonScalarTarget`` or
/// ``LinAlgError/Cause/tapeConsumed(tapeID:)``.
@available(*, deprecated, renamed: "LinAlgError")
public typealias GradientError = LinAlgError
