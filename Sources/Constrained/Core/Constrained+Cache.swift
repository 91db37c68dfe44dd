// The cache of a constrained property, and the rules that decide when it is reused.
//
// A read of `w` returns `p.forward(original)`. Evaluating `p` can be expensive (a matrix
// exponential, a QR, a power iteration), and a forward pass may read `w` many times (an RNN
// reads its recurrent kernel at every time step), so the value is cached. The cache must
// never hand out a stale or a gradient-less value, and it must not need a context manager
// (PyTorch's `parametrize.cached()`), so validity is decided from facts the cache can check
// on every read, cheaply:
//
// 1. **The original's content.** Every tensor storage carries a process-unique identity and
//    a version that every in-place mutation increments (`Tensor.storageID`, `.version`). The
//    cache records the pair of the original it was computed from. An optimizer step updates
//    the original in place (version + 1); an assignment or a load replaces it (new
//    identity). Either way the pair differs and the next read recomputes. Nothing has to
//    remember to call `invalidate()`.
//
// 2. **The parametrization's state.** A parametrization's own tensors (`@Parameter g`,
//    `@Buffer u`) are found by reflection when it is registered; the cache records each
//    one's (identity, version) pair after the evaluation, and compares them on a read. The
//    pairs are recorded *after* `forward`, because `forward` may itself update a buffer
//    (spectral norm's power iteration updates `u` and `v`): that update belongs to the
//    evaluation and must not invalidate the value it produced. State outside such tensors is
//    reported by `Parametrization.stateVersion`. A mode change (train/eval) drops the cache.
//
// 3. **The recording tape.** Gradients flow to the original only through a graph recorded on
//    the tape that will take the gradient. A value computed with recording off has no graph;
//    a value computed on tape A has a graph only tape A can use; a value computed on a tape
//    whose gradient was already taken has lost its pullbacks. So the cache records the id of
//    the tape that was recording when it evaluated (or none), and a read **while a tape T
//    records** reuses the cached value only if it was built on T and T has not been consumed.
//    Otherwise it re-evaluates on T. This is the fix for PyTorch issue 28937: a value first
//    read with gradients off (a validation pass, a print) is never handed to a later training
//    step without a graph.
//    A read **with recording off** needs no graph, so any cached value of the current content
//    will do; it is returned detached (without its graph node), so it cannot leak a graph into
//    untracked code or keep one alive.
//
// 4. **One evaluation per recording.** On tape T, the original enters the graph as the leaf
//    `T.leaf(owner:watching:)` gives for the property's owner id: the same leaf for every read
//    of the same content during T's recording. The first read evaluates `p` on that leaf and
//    caches the (tracked) result; every later read on T returns the same tracked value. A
//    thousand uses in one forward pass are a thousand uses of one node: their cotangents are
//    summed at that node by the tape, and one backward runs through `p`. After an optimizer
//    step (new version) the next read makes a new leaf and evaluates once more.
//
// 5. **Threads.** All of the cache's state sits behind one lock (`Lock`, a pthread mutex:
//    see its file for why not `Synchronization.Mutex`). Readers of a valid cache take the
//    lock only long enough to compare a few integers. The evaluation itself runs *outside*
//    the lock, on a copy of the parametrization, so that a parametrization's `forward` may
//    read other constrained properties (a tied weight) without lock-order deadlocks; its
//    result is stored only if nothing changed meanwhile (the original's generation and the
//    parametrization's generation are those the evaluation started from). A top-level reader
//    of a stale cache that finds an evaluation in progress waits for it instead of running its
//    own (so eight threads reading a stale value still cost one evaluation); a reader nested
//    in another property's evaluation never waits (it evaluates itself), so no wait can close
//    a cycle between threads. A cycle on one thread (A's `forward` reads B, whose `forward`
//    reads A) is detected from the stack of properties being evaluated by the current task,
//    and throws instead of recursing. Different threads record on different tapes (the
//    recording tape is task-local), so two threads training the same model concurrently
//    alternate the cache between their tapes: correct (each gets a value with its own graph),
//    but each alternation costs an evaluation.
//
// 6. **Caching off.** `$w.isCaching = false` evaluates `p` on every read (each on the
//    recording tape's leaf, so gradients are still right, just computed per use).

extension Constrained {
    /// The value a cache entry holds and the facts that made it valid.
    @usableFromInline
    struct CachedValue {
        /// `forward(original)`: tracked on `tapeID`'s tape, or untracked when `tapeID` is nil.
        @usableFromInline var value: Tensor<Scalar>
        /// The original's (identity, version) when evaluated.
        @usableFromInline var original: ContentKey
        /// The original's shape when evaluated (a reshaped view shares identity and version).
        var originalShape: [Int]
        /// The tape recording during the evaluation, nil for none.
        var tapeID: UInt64?
        /// Each state slot's (identity, version) right after the evaluation, in slot order.
        var state: [ContentKey]
        /// `Parametrization.stateVersion` right after the evaluation.
        @usableFromInline var stateVersion: UInt64
    }

    /// Everything a constrained property holds, behind its lock.
    ///
    /// `@unchecked Sendable`: it is only ever touched inside `Lock.withLock`, which
    /// serialises all access; the parametrization it holds need not be `Sendable` itself
    /// (a user's class parametrization should not have to be).
    @usableFromInline
    struct State: @unchecked Sendable {
        /// The unconstrained tensor; nil until the property is given a value. Change it only
        /// through `setOriginal` / `modifyOriginal`, which bump `originalGeneration`.
        @usableFromInline private(set) var original: Tensor<Scalar>?
        /// Incremented by every change of `original` (replacement or in-place update). The
        /// original is private to this state (copies of it are copy-on-write), so every change
        /// of its content goes through one of the two mutators below: an unchanged generation
        /// proves an unchanged (identity, version) key without touching the tensor.
        @usableFromInline var originalGeneration: UInt64 = 0
        /// Every change (including a mutating call on it) bumps `parametrizationGeneration`.
        @usableFromInline var parametrization: any Parametrization<Scalar> {
            didSet { parametrizationGeneration &+= 1 }
        }
        /// False once the parametrization was removed: reads then return the original.
        @usableFromInline var isParametrized = true
        /// The shape of the constrained value the parametrization was registered on (the
        /// initial value's, the first assigned value's, or the value's at
        /// `parametrize(with:)`); nil before the first value and once the parametrization is
        /// removed (a plain tensor keeps the shape of its original instead).
        var registeredShape: [Int]?
        /// The property's dotted name in its layer, once a traversal has named it: errors
        /// carry it.
        var key: String?
        /// The parametrization's `@Parameter`/`@Buffer` tensors, named `0.g`, `1.u`, …
        var stateSlots: [NamedSlot]
        /// Whether `stateSlots` is non-empty (read by the inlined fast path).
        @usableFromInline var hasStateSlots: Bool
        @usableFromInline var isCaching = true
        /// Whether a top-level evaluation runs (outside the lock) right now: later top-level
        /// readers wait for its result.
        var isEvaluating = false
        /// Incremented by every change of the parametrization (registration, modification,
        /// removal, mode): an evaluation that started before a change is not stored.
        var parametrizationGeneration: UInt64 = 0
        var isTraining = true
        @usableFromInline var statistics = CacheStatistics()
        /// The cache entry. Every change refreshes the fast-path copy below.
        var cache: CachedValue? {
            didSet {
                refreshFastPath()
            }
        }
        /// The cached value, detached, when the inlined fast path may hand it out (caching on,
        /// parametrized, no state tensors to compare); nil otherwise. Kept beside `cache` as
        /// plain fields so that the fast path copies nothing but the returned tensor.
        @usableFromInline var fastValue: Tensor<Scalar>?
        /// The `originalGeneration` at which `fastValue` was last known valid.
        @usableFromInline var fastGeneration: UInt64 = 0
        /// Each state slot's write count when the fast path was refreshed, in slot order.
        var fastSlotWrites: [UInt64] = []
        /// The parametrization's `stateVersion` right after computing `fastValue`.
        @usableFromInline var fastStateVersion: UInt64 = 0

        /// Replaces the original.
        mutating func setOriginal(_ x: Tensor<Scalar>?) {
            original = x
            originalGeneration &+= 1
        }

        /// Updates the original in place (an optimizer step).
        mutating func modifyOriginal<R>(_ body: (inout Tensor<Scalar>) throws -> R) rethrows -> R {
            originalGeneration &+= 1
            return try body(&original!)
        }

        /// Points the fast path at the current cache entry when it may serve untracked reads
        /// at the current generation, or disables it.
        mutating func refreshFastPath() {
            // With state slots, the fast path compares each slot's write count with the one
            // recorded here. The counts are read *before* the content keys are compared: a
            // write racing with this refresh then either shows in the keys (no fast path) or
            // changes the count after we read it (the next fast read misses). Never stale.
            let slotWrites = stateSlots.map { $0.slot.writeCount }
            if let cache, isCaching, isParametrized, cache.original == ContentKey(original),
               cache.originalShape == original?.shape, stateSlotsMatch(cache) {
                fastSlotWrites = slotWrites
                fastValue = cache.value.detached()
                fastGeneration = originalGeneration
                fastStateVersion = cache.stateVersion
            } else {
                fastValue = nil
            }
        }

        init(original: Tensor<Scalar>?, parametrization: any Parametrization<Scalar>) {
            self.original = original
            self.parametrization = parametrization
            self.stateSlots = ParametrizationReflection.slots(of: parametrization)
            self.hasStateSlots = !stateSlots.isEmpty
        }

        /// The parametrization's type, for errors; nil once it is removed.
        var subject: String? {
            isParametrized ? String(describing: type(of: parametrization)) : nil
        }

        /// Throws ``ConstrainedError/Cause/shapeMismatch(expected:found:)`` for `operation`
        /// unless `found` is `expected` (nil expects nothing), before anything changes.
        func requireShape(_ found: [Int], _ expected: [Int]?, _ operation: String) throws {
            guard let expected, expected != found else { return }
            throw ConstrainedError(operation, subject: subject, key: key, shape: found,
                                   cause: .shapeMismatch(expected: expected, found: found))
        }

        /// Replaces the parametrization's tensors (after a change of parametrization).
        mutating func setStateSlots(_ slots: [NamedSlot]) {
            stateSlots = slots
            hasStateSlots = !slots.isEmpty
        }

        /// The cached value for a read with recording off, when the cache is valid for it;
        /// nil sends the read to ``read(tape:owner:)``.
        ///
        /// This is the hot path (rules 1, 2 and 3 with no tape): a few integer comparisons,
        /// inlined into the caller so that it is specialised for its scalar type, plus one
        /// comparison of (identity, version) per state slot when the parametrization has any
        /// (an orthogonal `base`, spectral norm's `u`, `v`). Any doubt (no cache, caching off)
        /// answers nil.
        ///
        /// A property without a parametrization (never given one, or removed) answers its
        /// original here too: layers declare every weight `@Constrained` so that a constraint
        /// can be added later, and their plain weights must read as fast as a `@Parameter`.
        @inlinable
        mutating func untrackedHit() -> Tensor<Scalar>? {
            if fastValue != nil, originalGeneration == fastGeneration,
               parametrization.stateVersion == fastStateVersion,
               !hasStateSlots || fastStateSlotsUnchanged() {
                statistics.hits += 1
                return fastValue
            }
            return isParametrized ? nil : original
        }

        /// Whether every state slot still holds the content the cache entry was computed with.
        func stateSlotsMatch(_ cache: CachedValue) -> Bool {
            guard cache.state.count == stateSlots.count else { return false }
            for (key, named) in zip(cache.state, stateSlots) where key != named.slot.contentKey {
                return false
            }
            return true
        }

        /// The state-slot check of the fast path (out of line: slots are internal types): no
        /// slot was written since the fast path was last refreshed.
        @usableFromInline
        func fastStateSlotsUnchanged() -> Bool {
            guard fastSlotWrites.count == stateSlots.count else { return false }
            for (count, named) in zip(fastSlotWrites, stateSlots) where count != named.slot.writeCount {
                return false
            }
            return true
        }

        /// Whether `cache` may answer a read while `tape` records (nil: recording off).
        func isValid(_ cache: CachedValue, for tape: GradientTape?) -> Bool {
            guard cache.original == ContentKey(original), cache.originalShape == original?.shape,
                  cache.stateVersion == parametrization.stateVersion,
                  stateSlotsMatch(cache)
            else { return false }
            guard let tape else { return true }
            return cache.tapeID == tape.id && !tape.isConsumed
        }

        /// The constrained value for a read while `tape` records (nil: recording off),
        /// evaluated under the lock (for operations that hold it anyway, as removal).
        @usableFromInline
        mutating func read(tape: GradientTape?, owner: UInt64) throws -> Tensor<Scalar> {
            if let value = try cachedRead(tape: tape, owner: owner) { return value }
            let input = tape?.leaf(owner: owner, watching: original!) ?? original!
            statistics.evaluations += 1
            let value = try parametrization.forward(input)
            store(value, from: ContentKey(original), shape: original!.shape, tape: tape)
            return tape == nil ? value.detached() : value
        }

        /// The answer to a read that needs no evaluation: the cached value when valid, the
        /// original of an unparametrized property; nil when the parametrization must run.
        ///
        /// - Throws: ``ConstrainedError/Cause/noValue`` before the first value.
        mutating func cachedRead(tape: GradientTape?, owner: UInt64) throws -> Tensor<Scalar>? {
            guard let original else {
                throw ConstrainedError("read", subject: "a @Constrained property of type Tensor<\(Scalar.self)>",
                                       key: key, cause: .noValue)
            }
            guard isParametrized else {
                return tape?.leaf(owner: owner, watching: original) ?? original
            }
            if isCaching, let cache, isValid(cache, for: tape) {
                statistics.hits += 1
                // The original or a state slot was written without changing its content, or the
                // entry was built on a tape: let later untracked reads take the fast path again.
                if tape == nil { refreshFastPath() }
                return tape == nil ? cache.value.detached() : cache.value
            }
            return nil
        }

        /// Stores `value`, evaluated from the original of key `key` and `shape` on `tape`,
        /// as the cache entry (when caching), with the state slots' keys as they are now.
        mutating func store(_ value: Tensor<Scalar>, from key: ContentKey, shape: [Int], tape: GradientTape?) {
            guard isCaching else { return }
            cache = CachedValue(value: value, original: key, originalShape: shape,
                                tapeID: tape?.id,
                                state: stateSlots.map { $0.slot.contentKey },
                                stateVersion: parametrization.stateVersion)
        }
    }
}

/// The constrained properties whose evaluation runs on the current task, innermost last: a
/// read of one of them from inside its own evaluation is a cycle.
enum EvaluationStack {
    @TaskLocal static var current: [UInt64] = []
}

extension Constrained {
    /// An evaluation to run outside the lock: what it reads, and the generations it started at.
    struct EvaluationJob {
        var parametrization: any Parametrization<Scalar>
        var input: Tensor<Scalar>
        var key: ContentKey
        var shape: [Int]
        var generation: UInt64
        var parametrizationGeneration: UInt64
    }

    /// The outcome of a read's first, locked phase.
    enum EvaluationStep {
        case value(Tensor<Scalar>)
        case evaluate(EvaluationJob)
    }

    /// The slow path of a read: the cache when valid, otherwise one evaluation of the
    /// parametrization outside the lock (rule 5).
    @usableFromInline
    func evaluate(tape: GradientTape?) throws -> Tensor<Scalar> {
        let owner = slotID
        let stack = EvaluationStack.current
        let nested = !stack.isEmpty
        if stack.contains(owner) {
            let key = state.withLock { $0.key }
            throw ConstrainedError("read", subject: state.withLock { $0.subject }, key: key,
                                   cause: .invalidArgument("the parametrization's forward reads this property again while evaluating it (directly or through other properties whose forward reads it); a property's value cannot depend on itself"))
        }
        let step: EvaluationStep = try state.withLock { s in
            while true {
                if let value = try s.cachedRead(tape: tape, owner: owner) { return .value(value) }
                if !s.isEvaluating || nested { break }
                state.wait()
            }
            if !nested { s.isEvaluating = true }
            s.statistics.evaluations += 1
            let original = s.original!
            return .evaluate(EvaluationJob(parametrization: s.parametrization,
                                 input: tape?.leaf(owner: owner, watching: original) ?? original,
                                 key: ContentKey(original), shape: original.shape,
                                 generation: s.originalGeneration,
                                 parametrizationGeneration: s.parametrizationGeneration))
        }
        guard case .evaluate(var job) = step else {
            if case .value(let value) = step { return value }
            fatalError("unreachable")
        }
        let result = Result {
            try EvaluationStack.$current.withValue(stack + [owner]) { try job.parametrization.forward(job.input) }
        }
        return try state.withLock { s in
            if !nested {
                s.isEvaluating = false
                state.broadcast()
            }
            let value = try result.get()
            if s.originalGeneration == job.generation, s.parametrizationGeneration == job.parametrizationGeneration {
                s.parametrization = job.parametrization
                s.store(value, from: job.key, shape: job.shape, tape: tape)
            }
            return tape == nil ? value.detached() : value
        }
    }
}
