import Synchronization

/// A tensor property that always satisfies a constraint: `@Constrained(p) var w: Tensor<S>`.
///
/// The property stores an unconstrained tensor, the *original*, and reads as
/// `p.forward(original)`. Optimizers update the original; gradients of anything computed
/// from `w` reach it through `p`.
///
/// ```swift
/// final class Cell: Layer {
///     @Constrained(Skew() >>> CayleyMap()) var recurrent = Tensor<Double>.eye(4)  // orthogonal
///     @Parameter var bias = Tensor<Double>.zeros([4])
/// }
/// let cell = Cell()
/// cell.recurrent            // the constrained value, cached until the original changes
/// cell.$recurrent.original  // the unconstrained tensor
/// cell.recurrent = q        // assignment: original = p.rightInverse(q)
/// ```
///
/// **Initial values are constrained values.** `@Constrained(p) var w = y` stores
/// `p.rightInverse(y)` as the original, so `w` reads `y` back (PyTorch's
/// `register_parametrization`). When `p` has no right inverse, the original is `y` itself.
///
/// **Caching.** The value is computed once and reused until the original or the
/// parametrization's state changes (checked by version counters, so an optimizer step
/// invalidates it by itself), or until a read happens on a different gradient tape than the
/// one it was computed on. All reads during one recording share one evaluation, and the
/// gradients of all their uses flow back through `p` once. See `Constrained+Cache.swift`
/// for the exact rules. Reads are thread-safe.
///
/// **Names.** Traversal of a ``Layer`` names the original `w.original` and the
/// parametrization's own tensors `w.0.g`, `w.1.base`, … (part index, then property name), as
/// PyTorch's `parametrizations.w.original` and `parametrizations.w.0.…`. After
/// ``removeParametrization(keeping:)`` the tensor is named plain `w`.
///
/// **Errors.** The plain property accessors cannot throw: reading `w` when `p.forward`
/// throws, or assigning `w = y` when the right inverse throws (or there is none), stops the
/// program with the error. `try $w.value()` and `try $w.assign(y)` are the throwing forms.
///
/// **Typed operations.** The wrapper's second generic parameter `P` is the parametrization's
/// type as declared, inferred from the attribute: `@Constrained(Orthogonal())` is a
/// `Constrained<Double, Orthogonal<Double>>`, and `@Constrained(Skew() >>> MatrixExp())` a
/// `Constrained<Double, Composed<Skew<Double>, MatrixExp<Double>>>`. Operations that belong to
/// one kind of parametrization are offered only where `P` has it: `$w.updateBase()` compiles
/// for an ``Orthogonal`` (alone or in a composition) and not for a ``Positive``. Layers whose
/// constraint is chosen at run time (``Linear``, ``Conv2d``, ``RNNCell``) hold the erased form
/// ``AnyConstrained`` (`P` is ``AnyParametrization``), where those operations check at run time
/// and throw.
///
/// The wrapper is a class (a reference to the property's state, shared by copies), and `$w`
/// is the wrapper itself.
@propertyWrapper
public final class Constrained<Scalar: TensorScalar, P: Parametrization>: @unchecked Sendable
where P.Scalar == Scalar {
    /// The owner id the gradient tape keys the original's leaves on.
    @usableFromInline let slotID = OwnerID.next()
    @usableFromInline let state: Lock<State>
    /// Unused: the original is never a parametrization's state (``TensorSlot``).
    let claims = Atomic<UInt64>(0)

    /// Frees the parametrization's state tensors for registration elsewhere.
    deinit {
        let owner = slotID
        state.withLock { s in
            for named in s.stateSlots { named.slot.release(from: owner) }
        }
    }

    /// Claims `slots` (a parametrization's `@Parameter`/`@Buffer` tensors) as this property's
    /// state, so that one stateful instance is never registered on two properties, which
    /// would then share its tensors silently.
    ///
    /// - Throws: ``ConstrainedError/Cause/invalidArgument(_:)`` naming the first tensor that
    ///   another property holds; no slot is claimed then.
    static func claim(_ slots: [NamedSlot], for owner: UInt64, subject: String?, key: String?) throws {
        var claimed: [any TensorSlot] = []
        for named in slots {
            let isNew = named.slot.claims.load(ordering: .acquiring) != owner
            guard named.slot.claim(for: owner) else {
                for slot in claimed { slot.release(from: owner) }
                throw ConstrainedError("register", subject: subject, key: key, cause: .invalidArgument(
                    "its state tensor \"\(named.name)\" is already held by another constrained property: an instance with @Parameter/@Buffer state cannot be registered twice (the properties would share that state); create one instance per property, e.g. `SpectralNorm()` for each layer"))
            }
            if isNew { claimed.append(named.slot) }
        }
    }

    /// Throws as ``claim(_:for:subject:key:)`` when another property holds one of the state
    /// tensors of `parametrization`, before a registration runs its right inverse (which
    /// would change the other property's state).
    static func requireUnclaimed(_ parametrization: any Parametrization, subject: String) throws {
        let slots = ParametrizationReflection.slots(of: parametrization)
        guard slots.contains(where: { $0.slot.claims.load(ordering: .acquiring) != 0 }) else { return }
        try claim(slots, for: 0, subject: subject, key: nil)
    }

    /// ``claim(_:for:subject:key:)`` for a registration that cannot throw.
    func claimOrStop(_ s: State) {
        do {
            try Self.claim(s.stateSlots, for: slotID, subject: s.subject, key: s.key)
        } catch {
            fatalError("@Constrained: \(error). The throwing form: `try $w.parametrize(with: p)` on a property declared without a parametrization.")
        }
    }

    /// Registers `parametrization` on the constrained value `wrappedValue`: the original is
    /// `parametrization.rightInverse(wrappedValue)`, or `wrappedValue` itself when it has no
    /// right inverse.
    ///
    /// - Precondition: the parametrization accepts the shape (``Parametrization/register(shape:)``)
    ///   and its right inverse, if any, succeeds on `wrappedValue`.
    public convenience init(wrappedValue: Tensor<Scalar>, _ parametrization: P) {
        self.init(registeringOrStop: parametrization, on: wrappedValue)
    }

    /// A property whose state is `state`, with its parametrization's tensors not yet claimed.
    init(state s: State) {
        state = Lock(s)
    }

    /// Registers `parametrization` (of any type: the erased form's initialisers use it too) on
    /// the constrained value `value`, stopping the program when registration fails.
    convenience init<Q: Parametrization>(registeringOrStop parametrization: Q, on value: Tensor<Scalar>)
    where Q.Scalar == Scalar {
        var p = parametrization
        let original: Tensor<Scalar>
        do {
            try Self.requireUnclaimed(p, subject: String(describing: Q.self))
            try p.register(shape: value.shape)
            original = try Self.initialOriginal(of: value, under: &p)
        } catch {
            fatalError("@Constrained(\(Q.self)): registration on the initial value of shape \(value.shape) failed: \(error)")
        }
        var s = State(original: original, parametrization: p)
        s.registeredShape = value.shape
        self.init(state: s)
        claimOrStop(s)
    }

    /// A property under the registered `parametrization` holding `original`, for a constrained
    /// value of `shape`.
    ///
    /// - Throws: when the parametrization's state is held by another property.
    convenience init(original: Tensor<Scalar>, registered parametrization: any Parametrization<Scalar>, shape: [Int]) throws {
        var s = State(original: original.detached(), parametrization: parametrization)
        s.registeredShape = shape
        self.init(state: s)
        try Self.claim(s.stateSlots, for: slotID, subject: s.subject, key: nil)
    }

    /// The original for the constrained value `value`: `p.rightInverse(value)`, or `value`
    /// itself when `p` has no right inverse (as PyTorch's `register_parametrization`).
    static func initialOriginal<Q: Parametrization>(of value: Tensor<Scalar>, under p: inout Q) throws -> Tensor<Scalar>
    where Q.Scalar == Scalar {
        do {
            return try withoutRecording { try p.rightInverse(value.detached()) }.detached()
        } catch let error as ConstrainedError where error.cause == .noRightInverse {
            return value.detached()
        }
    }

    /// Registers `parametrization` on a property without a value yet: assign one (`w = y`, which
    /// runs the right inverse, or `$w.original = x`) before reading it.
    public convenience init(_ parametrization: P) {
        self.init(registeringWithoutValue: parametrization)
    }

    /// Registers `parametrization` (of any type) on a property without a value yet.
    convenience init<Q: Parametrization>(registeringWithoutValue parametrization: Q) where Q.Scalar == Scalar {
        let s = State(original: nil, parametrization: parametrization)
        self.init(state: s)
        claimOrStop(s)
    }

    /// The constrained value, `parametrization.forward(original)`, from the cache when valid.
    ///
    /// While a `GradientTape` records, the value is tracked on it (gradients reach the
    /// original). Setting runs the right inverse: see ``assign(_:)``.
    ///
    /// A generic caller the compiler cannot specialise (a generic layer's getter, as
    /// ``Linear``'s `weight`) reaches the erased forms' specialisations below, whose reads
    /// need no generic metadata lookups.
    @inlinable
    public var wrappedValue: Tensor<Scalar> {
        @_specialize(where Scalar == Double, P == AnyParametrization<Double>)
        @_specialize(where Scalar == Float, P == AnyParametrization<Float>)
        get {
            if GradientTape.recording == nil, let hit = state.withLock({ $0.untrackedHit() }) {
                return hit
            }
            return readOrTrap()
        }
        set {
            do {
                try assign(newValue)
            } catch {
                fatalError("@Constrained: assignment failed: \(error). Use `try $w.assign(y)` to handle the error.")
            }
        }
    }

    /// The wrapper itself: `$w.original`, `$w.invalidate()`, `$w.cacheStatistics`, …
    public var projectedValue: Constrained<Scalar, P> { self }

    /// The constrained value; the throwing form of reading the property.
    ///
    /// - Throws: what the parametrization's `forward` throws (then the cache is unchanged), or
    ///   ``ConstrainedError`` with cause ``ConstrainedError/Cause/noValue`` when the property
    ///   has no value yet.
    @inlinable
    public func value() throws -> Tensor<Scalar> {
        let tape = GradientTape.recording
        if tape == nil, let hit = state.withLock({ $0.untrackedHit() }) { return hit }
        return try evaluate(tape: tape)
    }

    /// The slow path of reading the property: evaluation, recorded reads, errors.
    @usableFromInline
    func readOrTrap() -> Tensor<Scalar> {
        do {
            return try evaluate(tape: GradientTape.recording)
        } catch {
            fatalError("@Constrained: reading the constrained value failed: \(error). Use `try $w.value()` to handle the error.")
        }
    }

    /// Sets the constrained value: the original becomes `rightInverse(y)`, with the right
    /// inverses of a composition run in reverse order (`a⁻¹(b⁻¹(y))` for `a >>> b`).
    ///
    /// Atomic: if a right inverse throws, the original, the parametrization's tensors and the
    /// cache are left exactly as they were. On success the next read recomputes. After the
    /// parametrization was removed, sets the tensor directly.
    ///
    /// - Throws: ``ConstrainedError`` with cause ``ConstrainedError/Cause/noRightInverse`` when
    ///   the parametrization has none, or what its right inverse throws.
    public func assign(_ y: Tensor<Scalar>) throws {
        let y = y.detached()
        try state.withLock { s in
            guard s.isParametrized else {
                try s.requireShape(y.shape, s.original?.shape, "assign")
                s.setOriginal(y)
                s.cache = nil
                return
            }
            try s.requireShape(y.shape, s.registeredShape, "assign")
            // Value types are restored by working on a copy; tensors held by reference
            // (`@Parameter`, `@Buffer`, possibly updated by the right inverse, as an orthogonal
            // base is) are restored from a snapshot, and a slot the right inverse gave its
            // first value is emptied again. Restoring a snapshot puts back the same storages at
            // the same versions, so a cache computed before stays valid.
            var p = s.parametrization
            let snapshot = s.stateSlots.map { $0.slot.boxedValue() }
            do {
                // The first value of a property declared without one registers the shape.
                if s.original == nil { try p.register(shape: y.shape) }
                let x = try withoutRecording { try p.rightInverse(y) }.detached()
                if let current = s.original, x.shape != current.shape {
                    throw ConstrainedError("rightInverse", subject: s.subject, key: s.key, shape: x.shape,
                                           cause: .shapeMismatch(expected: current.shape, found: x.shape))
                }
                s.parametrization = p
                if s.original == nil { s.registeredShape = y.shape }
                s.setOriginal(x)
                s.cache = nil
            } catch {
                for (named, saved) in zip(s.stateSlots, snapshot) {
                    if let saved { named.slot.setBoxedValue(saved) } else { named.slot.clear() }
                }
                throw error
            }
        }
    }

    /// Replaces the original, without any right inverse, and drops the cache; the throwing
    /// form of setting ``original``.
    ///
    /// On a property declared without a value, the parametrization is registered on `x`'s
    /// shape, which is right for the maps that keep the shape. For a set with a packed original
    /// (``LowRank``, ``FixedRank``, `PositiveSemidefinite(rank:)`, …) the original's shape does
    /// not tell the value's: use ``setOriginal(_:valueShape:)``, or assign a value.
    ///
    /// - Throws: ``ConstrainedError`` with cause
    ///   ``ConstrainedError/Cause/shapeMismatch(expected:found:)`` when `x` has another shape
    ///   than the current original; on a property without a value,
    ///   ``ConstrainedError/Cause/invalidShape(_:)`` when registration on `x`'s shape fails (with
    ///   its error) or the parametrization's original for values of `x`'s shape has another
    ///   shape (a packed original). Nothing changes then.
    public func setOriginal(_ x: Tensor<Scalar>) throws {
        try setOriginal(x, valueShape: nil)
    }

    /// Replaces the original by `x`, the original of values of `valueShape`, without any right
    /// inverse, and drops the cache: the form for a property declared without a value whose
    /// parametrization packs its original.
    ///
    /// ```swift
    /// @Constrained(LowRank(rank: 2)) var w: Tensor<Double>
    /// try $w.setOriginal(Tensor.randomNormal([8 + 5 + 1, 2], seed: 1), valueShape: [8, 5])
    /// ```
    ///
    /// - Throws: ``ConstrainedError`` with cause
    ///   ``ConstrainedError/Cause/shapeMismatch(expected:found:)`` when `x` is not the shape of
    ///   the original of `valueShape` (``Parametrization/originalShape(forValueShape:)``), or
    ///   `valueShape` is not the property's registered value shape; what registration throws.
    ///   Nothing changes then.
    public func setOriginal(_ x: Tensor<Scalar>, valueShape: [Int]?) throws {
        let x = x.detached()
        try state.withLock { s in
            if let current = s.original {
                if let valueShape { try s.requireShape(valueShape, s.registeredShape, "setOriginal") }
                try s.requireShape(x.shape, current.shape, "setOriginal")
            } else if s.isParametrized {
                var p = s.parametrization
                let shape = valueShape ?? x.shape
                do {
                    try p.register(shape: shape)
                } catch let error as ConstrainedError where valueShape == nil {
                    throw ConstrainedError("setOriginal", subject: s.subject, key: s.key, shape: x.shape, cause: .invalidShape(
                        "registering on the original's shape failed (\(error)); if the parametrization packs its original, use `try $w.setOriginal(x, valueShape:)` or assign a value"))
                }
                let expected = try p.originalShape(forValueShape: shape)
                guard expected == x.shape else {
                    let cause: ConstrainedError.Cause = valueShape == nil
                        ? .invalidShape("the original of values of shape \(shape) has shape \(expected), so \(x.shape) is the shape of a packed original whose value's shape it does not tell; use `try $w.setOriginal(x, valueShape:)` or assign a value")
                        : .shapeMismatch(expected: expected, found: x.shape)
                    throw ConstrainedError("setOriginal", subject: s.subject, key: s.key, shape: x.shape, cause: cause)
                }
                s.parametrization = p
                s.registeredShape = shape
            }
            s.setOriginal(x)
            s.cache = nil
        }
    }

    /// The unconstrained tensor the constrained value is computed from.
    ///
    /// Reading it while a tape records returns the tape's leaf for it (the same leaf the
    /// constrained value is computed from), so a loss may use it directly (a regulariser on
    /// the original). Setting replaces it, without any right inverse, and drops the cache.
    ///
    /// - Precondition: the property has a value (when reading); the new original has the
    ///   current one's shape (when setting: ``setOriginal(_:)`` is the throwing form).
    public var original: Tensor<Scalar> {
        get {
            guard let x = storedValue else {
                fatalError("\(ConstrainedError("read", subject: "the original of a @Constrained property", cause: .noValue))")
            }
            if let tape = GradientTape.recording { return tape.leaf(owner: slotID, watching: x) }
            return x
        }
        set {
            do {
                try setOriginal(newValue)
            } catch {
                fatalError("@Constrained: setting the original failed: \(error). Use `try $w.setOriginal(x)` to handle the error.")
            }
        }
    }

    /// The parametrization (``Identity`` after it was removed).
    ///
    /// A copy: tensors it holds with `@Parameter`/`@Buffer` are shared with the property,
    /// plain stored properties are not. Change it with ``modifyParametrization(_:)``.
    public var parametrization: any Parametrization<Scalar> {
        state.withLock { $0.parametrization }
    }

    /// The parametrization as its concrete type, nil if it has another type.
    ///
    /// ```swift
    /// let sn = model.$weight.parametrization(as: SpectralNorm<Double>.self)
    /// ```
    public func parametrization<Q: Parametrization>(as type: Q.Type) -> Q? {
        state.withLock { $0.parametrization as? Q }
    }

    /// Runs `body` on the parametrization in place, then drops the cache (the
    /// parametrization may have changed) and finds its tensors again.
    public func modifyParametrization<R>(_ body: (inout any Parametrization<Scalar>) throws -> R) rethrows -> R {
        try state.withLock { s in
            defer {
                let slots = s.isParametrized ? ParametrizationReflection.slots(of: s.parametrization) : []
                for named in s.stateSlots where !slots.contains(where: { $0.slot === named.slot }) {
                    named.slot.release(from: slotID)
                }
                s.setStateSlots(slots)
                s.cache = nil
                claimOrStop(s)
                LayerStructureGeneration.bump()
            }
            return try body(&s.parametrization)
        }
    }

    /// Registers `parametrization` at run time, as PyTorch's `register_parametrization`.
    ///
    /// On a property without a parametrization, the current value is taken as a constrained
    /// value: the original becomes `parametrization.rightInverse(value)` (or stays the value
    /// when there is no right inverse), and the tensor is named `w.original` from now on. On a
    /// parametrized property, `parametrization` is appended after the existing ones (the
    /// value becomes `parametrization(current)`, the original is unchanged, as PyTorch does),
    /// and its state is numbered after theirs (`w.2.…` after parts 0 and 1).
    ///
    /// - Throws: what the right inverse throws, what `register(shape:)` throws, or
    ///   ``ConstrainedError/Cause/invalidShape(_:)`` when a set with a packed original
    ///   (``Parametrization/originalShape(forValueShape:)`` differs from the value's shape) is
    ///   appended to a parametrized property; the property is then unchanged.
    public func parametrize<Q: Parametrization>(with parametrization: Q) throws where Q.Scalar == Scalar {
        try state.withLock { s in
            guard let current = s.original else {
                throw ConstrainedError("parametrize", subject: String(describing: Q.self), cause: .noValue)
            }
            // Every map of the catalogue keeps the shape, so the appended part maps values of
            // the original's shape too.
            var p = parametrization
            let valueShape = s.registeredShape ?? current.shape
            if s.isParametrized {
                // An appended part maps the chain's values, so it must take an original of the
                // value's own shape: a set with a packed original (LowRank's factors) cannot.
                let taken = try p.originalShape(forValueShape: valueShape)
                guard taken == valueShape else {
                    throw ConstrainedError("parametrize", subject: String(describing: p), key: s.key, shape: valueShape,
                                           cause: .invalidShape("its original is packed (\(taken) for a value of shape \(valueShape)), so it cannot follow the parametrizations already on the property, whose values it would have to take as its original; compose it first instead (`p >>> existing`) or register it on a property of its own"))
                }
            }
            try p.register(shape: valueShape)
            let newSlots = ParametrizationReflection.slots(of: p)
            try Self.claim(newSlots, for: slotID, subject: String(describing: Q.self), key: s.key)
            if s.isParametrized {
                s.parametrization = Composed(AnyParametrization(s.parametrization), p)
            } else {
                let x: Tensor<Scalar>
                do {
                    x = try Self.initialOriginal(of: current, under: &p)
                } catch {
                    for named in newSlots { named.slot.release(from: slotID) }
                    throw error
                }
                s.setOriginal(x)
                s.parametrization = p
                s.isParametrized = true
                s.registeredShape = current.shape
            }
            s.parametrization.setTraining(s.isTraining)
            s.setStateSlots(ParametrizationReflection.slots(of: s.parametrization))
            s.cache = nil
            LayerStructureGeneration.bump()
        }
    }

    /// Whether a parametrization is applied (false after ``removeParametrization(keeping:)``).
    public var isParametrized: Bool { state.withLock { $0.isParametrized } }

    /// Drops the cached value: the next read evaluates the parametrization.
    ///
    /// Rarely needed: the cache notices changes of the original and of the parametrization's
    /// tensors by itself. Use it after changing state the cache cannot see.
    public func invalidate() {
        state.withLock { $0.cache = nil }
    }

    /// Whether reads reuse a cached value (default `true`). When `false`, every read
    /// evaluates the parametrization. Turning caching off drops the cache.
    public var isCaching: Bool {
        get { state.withLock { $0.isCaching } }
        set {
            state.withLock { s in
                s.isCaching = newValue
                if !newValue { s.cache = nil }
            }
        }
    }

    /// How many reads evaluated the parametrization, and how many the cache answered.
    public var cacheStatistics: CacheStatistics { state.withLock { $0.statistics } }

    /// Sets ``cacheStatistics`` back to zero.
    public func resetCacheStatistics() {
        state.withLock { $0.statistics = CacheStatistics() }
    }

    /// Whether the parametrization runs in training mode (default `true`).
    ///
    /// Set by the enclosing layer's `isTraining`; changing it calls the parametrization's
    /// `setTraining(_:)` and drops the cache.
    public var isTraining: Bool {
        get { state.withLock { $0.isTraining } }
        set {
            state.withLock { s in
                guard s.isTraining != newValue else { return }
                s.isTraining = newValue
                s.parametrization.setTraining(newValue)
                s.cache = nil
            }
        }
    }

    /// Removes the parametrization: the property becomes a plain trainable tensor.
    ///
    /// With `.constrained` (PyTorch's `leave_parametrized=True`) it keeps its current value,
    /// `forward(original)`, computed with recording off (from the cache when valid); with
    /// `.original` its value becomes the original. The parametrization's own tensors are
    /// dropped from traversal, and the tensor is named plain `w` instead of `w.original`.
    ///
    /// - Throws: what `forward` throws, when the value must be computed (nothing changes then).
    public func removeParametrization(keeping value: RemovalValue = .constrained) throws {
        let owner = slotID
        try state.withLock { s in
            guard s.isParametrized else { return }
            if value == .constrained, s.original != nil {
                s.setOriginal(try withoutRecording { try s.read(tape: nil, owner: owner) }.detached())
            }
            for named in s.stateSlots { named.slot.release(from: owner) }
            s.isParametrized = false
            s.registeredShape = nil
            s.parametrization = Identity<Scalar>()
            s.setStateSlots([])
            s.cache = nil
            LayerStructureGeneration.bump()
        }
    }

    /// The tensors traversal reports for this property, relative to its name: `original`
    /// and the parametrization's `0.g`, …; or the tensor alone (empty name) once removed.
    var namedSlots: [NamedSlot] {
        state.withLock { s in
            guard s.isParametrized else { return [NamedSlot(name: "", slot: self)] }
            return [NamedSlot(name: "original", slot: self)] + s.stateSlots
        }
    }
}

/// The original of a constrained property, as a trainable slot: optimizers update it in place
/// (bumping its version, which is what invalidates the cache) and checkpoints load it.
extension Constrained: TypedTensorSlot {
    var role: TensorRole { .trainable }

    var contentKey: ContentKey { state.withLock { ContentKey($0.original) } }

    var writeCount: UInt64 { state.withLock { $0.originalGeneration } }

    var storedValue: Tensor<Scalar>? { state.withLock { $0.original } }

    func setBoxedValue(_ boxed: Any) {
        guard let tensor = boxed as? Tensor<Scalar> else {
            preconditionFailure("Constrained<\(Scalar.self), \(P.self)>: cannot store a \(type(of: boxed)) as the original")
        }
        original = tensor
    }

    /// Records the property's dotted name in its layer, for errors (traversal calls it).
    func name(_ key: String) {
        state.withLock { s in if s.key != key { s.key = key } }
    }

    func clear() {
        state.withLock { s in
            s.setOriginal(nil)
            s.cache = nil
        }
    }

    func modify<R>(_ body: (inout Tensor<Scalar>) throws -> R) rethrows -> R {
        try state.withLock { s in
            guard s.original != nil else {
                fatalError("\(ConstrainedError("modify", subject: "the original of a @Constrained property", cause: .noValue))")
            }
            return try s.modifyOriginal(body)
        }
    }
}
