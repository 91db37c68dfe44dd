import Synchronization

/// A tensor property kept *on* a manifold: `@OnManifold(Orthogonal()) var w: Tensor<Double>`.
///
/// The other way of constraining a parameter. `@Constrained(p)` stores an unconstrained
/// original and reads `p.forward(original)`; `@OnManifold(m)` stores the point itself, a
/// member of the set `m`, and a Riemannian optimizer (``RiemannianSGD``, ``RiemannianAdam``)
/// moves it along the set with the Riemannian gradient and a retraction:
/// `x ← R_x(−η grad f(x))`. Reads cost nothing (no map to evaluate) and there is no
/// parametrization to differentiate through.
///
/// ```swift
/// final class Cell: Layer {
///     @OnManifold(Orthogonal()) var recurrent = Tensor<Double>.eye(8)    // a point of O(8)
///     @Parameter var bias = Tensor<Double>.zeros([8])
/// }
/// let cell = Cell()
/// let optimizer = RiemannianAdam(for: cell, learningRate: 1e-2)   // updates both tensors
/// ```
///
/// - **Reads** return the point; while a `GradientTape` records, the tape's leaf for it, so
///   `valueWithGradient(of:_:)` reports its Euclidean gradient under the property's name.
/// - **Assignment** is checked: `w = y` (or `try $w.assign(y)`) accepts a `y` within the set's
///   ``Manifold/defaultTolerance(for:)`` and otherwise throws
///   ``ConstrainedError/Cause/notInImage(_:)`` (the plain setter traps with it), leaving the
///   point unchanged; `try $w.assign(y, projecting: true)` stores the nearest point. The initial
///   value of the declaration is projected when it is off the set.
/// - **Traversal and checkpoints** name the tensor by the property, `w` (`cell.w` nested): it is
///   the trainable tensor itself, as a `@Parameter`; a checkpoint stores the point.
/// - **Stock optimizers** (`SGD`, `Adam`, `RMSprop`) would move the point off the set: their
///   `update` stops with a ``ConstrainedError`` that names the property and says to use a
///   Riemannian optimizer, and `try optimizer.validate(model)` reports the same error as a
///   thrown one before any step.
@propertyWrapper
public final class OnManifold<Scalar: TensorScalar>: @unchecked Sendable, CustomStringConvertible {
    @usableFromInline let slotID = OwnerID.next()
    @usableFromInline let state: Lock<State>
    @usableFromInline let writes = Atomic<UInt64>(0)
    /// The property whose parametrization holds this slot as state (never: a point on a
    /// manifold is a trainable tensor of its own layer); see `TensorSlot.claim(for:)`.
    let claims = Atomic<UInt64>(0)

    @usableFromInline
    struct State {
        @usableFromInline var point: Tensor<Scalar>?
        @usableFromInline var manifold: any RiemannianManifold<Scalar>
    }

    /// A property holding the point `wrappedValue` of `manifold` (projected when off the set).
    ///
    /// - Precondition: `manifold` accepts the shape and the projection succeeds.
    public init<M: RiemannianManifold>(wrappedValue: Tensor<Scalar>, _ manifold: M) where M.Scalar == Scalar {
        var m = manifold
        do {
            try m.register(shape: wrappedValue.shape)
            let point = try Self.admitted(wrappedValue, on: m, projecting: true)
            state = Lock(State(point: point, manifold: m))
        } catch {
            fatalError("@OnManifold(\(m)): registration on the initial value of shape \(wrappedValue.shape) failed: \(error)")
        }
    }

    /// A property on `manifold` without a point yet: assign one before reading it.
    public init<M: RiemannianManifold>(_ manifold: M) where M.Scalar == Scalar {
        state = Lock(State(point: nil, manifold: manifold))
    }

    /// The point; tracked by the recording tape, if any. Setting is a checked ``assign(_:projecting:)``.
    @inlinable
    public var wrappedValue: Tensor<Scalar> {
        get {
            guard let point = state.withLock({ $0.point }) else { Self.noValue() }
            if let tape = GradientTape.recording { return tape.leaf(owner: slotID, watching: point) }
            return point
        }
        set {
            do {
                try assign(newValue)
            } catch {
                fatalError("@OnManifold: assignment failed: \(error). Use `try $w.assign(y)` to handle the error.")
            }
        }
    }

    /// The wrapper itself: `$w.manifold`, `$w.assign(_:projecting:)`, …
    public var projectedValue: OnManifold<Scalar> { self }

    /// The set the point lies on.
    public var manifold: any RiemannianManifold<Scalar> { state.withLock { $0.manifold } }

    /// The point, untracked; nil before the first value.
    public var point: Tensor<Scalar>? { state.withLock { $0.point } }

    /// Sets the point to `y` when it is on the set (within the set's tolerance) or, when
    /// `projecting`, to the nearest point of the set.
    ///
    /// - Throws: ``ConstrainedError`` with cause ``ConstrainedError/Cause/notInImage(_:)``
    ///   naming the set and the deviation; a shape error for a shape the set does not know (or
    ///   another than the point's). The point is unchanged then.
    public func assign(_ y: Tensor<Scalar>, projecting: Bool = false) throws {
        try state.withLock { s in
            if let current = s.point, current.shape != y.shape {
                throw ConstrainedError("assign", subject: s.manifold.description, shape: y.shape,
                                       cause: .shapeMismatch(expected: current.shape, found: y.shape))
            }
            var m = s.manifold
            if s.point == nil { try m.register(shape: y.shape) }
            let point = try Self.admitted(y, on: m, projecting: projecting)
            s.manifold = m
            s.point = point
            writes.add(1, ordering: .releasing)
        }
    }

    /// `OnManifold(Orthogonal(rows: 4, columns: 2)) [4, 2]`.
    public var description: String {
        state.withLock { s in
            "OnManifold(\(s.manifold))" + (s.point.map { " \($0.shape)" } ?? " (no value)")
        }
    }

    /// `y` when on `m`, its projection when `projecting` and off the set, else an error.
    static func admitted(_ y: Tensor<Scalar>, on m: any RiemannianManifold<Scalar>, projecting: Bool) throws -> Tensor<Scalar> {
        let y = y.detached()
        let d = try withoutRecording { try m.deviation(of: y) }
        let tolerance = m.defaultTolerance(for: y.shape)
        if d <= tolerance { return y }
        guard projecting else {
            throw ConstrainedError("assign", subject: m.description, shape: y.shape, cause: .notInImage(
                "it is \(d) off the set (the tolerance is \(tolerance)); assign with `projecting: true` to use the nearest point"))
        }
        return try withoutRecording { try m.projection(y) }.detached()
    }

    /// Stops the program: the property was read before it was given a value.
    @usableFromInline
    static func noValue() -> Never {
        fatalError("\(ConstrainedError("read", subject: "an @OnManifold property of type Tensor<\(Scalar.self)>", cause: .noValue))")
    }

    /// The point and its manifold, read together.
    func snapshot() -> (point: Tensor<Scalar>, manifold: any RiemannianManifold<Scalar>) {
        state.withLock { s in
            guard let point = s.point else { Self.noValue() }
            return (point, s.manifold)
        }
    }

    /// Runs `body` on the point in place: the Riemannian optimizers' access (stock optimizers
    /// go through ``modify(_:)``, which refuses).
    func modifyPoint<R>(_ body: (inout Tensor<Scalar>, any RiemannianManifold<Scalar>) throws -> R) rethrows -> R {
        try state.withLock { s in
            guard s.point != nil else { Self.noValue() }
            writes.add(1, ordering: .releasing)
            return try body(&s.point!, s.manifold)
        }
    }
}

/// The Riemannian optimizers find manifold properties through this (type-erased over the scalar).
protocol ManifoldSlot: TensorSlot {
    /// The set's description, for error messages.
    var manifoldDescription: String { get }
    /// The point's shape, nil before the first value.
    var pointShape: [Int]? { get }
}

// Traversal: an `@OnManifold` property is a trainable tensor slot, found by `LayerTraversal`
// as a `@Parameter` is (named by the property, `w`), so gradients, checkpoints and optimizers
// see it with no change to the traversal.
extension OnManifold: TypedTensorSlot, ManifoldSlot {
    var role: TensorRole { .trainable }

    var contentKey: ContentKey { state.withLock { ContentKey($0.point) } }

    var writeCount: UInt64 { writes.load(ordering: .acquiring) }

    var storedValue: Tensor<Scalar>? { state.withLock { $0.point } }

    var manifoldDescription: String { state.withLock { $0.manifold.description } }

    var pointShape: [Int]? { state.withLock { $0.point?.shape } }

    /// Stores a loaded point as it is (``validateLoaded(_:)`` has checked it is on the set);
    /// the set is registered on its shape when the property had no point yet.
    func setBoxedValue(_ boxed: Any) {
        guard let tensor = boxed as? Tensor<Scalar> else {
            preconditionFailure("OnManifold<\(Scalar.self)>: cannot store a \(type(of: boxed))")
        }
        state.withLock { s in
            if s.point == nil {
                var m = s.manifold
                if (try? m.register(shape: tensor.shape)) != nil { s.manifold = m }
            }
            s.point = tensor.detached()
            writes.add(1, ordering: .releasing)
        }
    }

    /// A loaded point must lie on the set within its default tolerance: a checkpoint edited by
    /// hand, saved from another set, or rounded to a narrower type would otherwise put an
    /// off-set point under a Riemannian optimizer, which only keeps points on the set.
    ///
    /// - Throws: ``ConstrainedError`` of operation `load` naming the set, with cause
    ///   ``ConstrainedError/Cause/notInImage(_:)`` and the deviation, or the set's shape error.
    func validateLoaded(_ value: Any) throws {
        guard let tensor = value as? Tensor<Scalar> else { return }
        let m: any RiemannianManifold<Scalar> = try state.withLock { s in
            guard s.point == nil else { return s.manifold }
            var m = s.manifold
            do { try m.register(shape: tensor.shape) } catch let error as ConstrainedError {
                throw ConstrainedError("load", subject: error.subject ?? m.description, shape: tensor.shape, cause: error.cause)
            }
            return m
        }
        let d: Scalar
        do {
            d = try withoutRecording { try m.deviation(of: tensor.detached()) }
        } catch let error as ConstrainedError {
            throw ConstrainedError("load", subject: error.subject ?? m.description, shape: tensor.shape, cause: error.cause)
        }
        let tolerance = m.defaultTolerance(for: tensor.shape)
        guard d <= tolerance else {
            throw ConstrainedError("load", subject: m.description, shape: tensor.shape, cause: .notInImage(
                "the stored point is \(d) off the set (the tolerance is \(tolerance)); load it into a @Parameter and assign it with `projecting: true` to use the nearest point"))
        }
    }

    /// Removes the point (the rollback of a slot given its first value by a failed assignment).
    func clear() {
        state.withLock { s in
            s.point = nil
            writes.add(1, ordering: .releasing)
        }
    }

    /// The stock optimizers' in-place update: refused, since a Euclidean step leaves the set.
    func modify<R>(_ body: (inout Tensor<Scalar>) throws -> R) rethrows -> R {
        let error = ConstrainedError("update", subject: manifoldDescription, shape: storedValue?.shape,
                                     cause: .invalidArgument(Self.euclideanStepRefusal))
        fatalError("\(error)")
    }

    static var euclideanStepRefusal: String {
        "a Euclidean optimizer step would move a point kept on the manifold off the set; use RiemannianSGD or RiemannianAdam (check with `try optimizer.validate(model)`)"
    }
}
