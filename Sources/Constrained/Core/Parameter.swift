import Synchronization

/// A trainable tensor: `@Parameter var b: Tensor<Double>`.
///
/// Traversal names it by its property name (`b`, or `cell.b` in a nested layer); optimizers
/// update it in place; checkpoints save it. Reading it while a `GradientTape` records
/// returns the tape's watched leaf for its current content (the same leaf for every read in
/// that recording), so `valueWithGradient(of:_:)` finds its gradient under its name.
///
/// Inside a parametrization, `@Parameter` declares the parametrization's own trainable
/// tensors (weight norm's `g`), named `w.0.g` for a property `w`.
///
/// ```swift
/// final class Affine: Layer {
///     @Parameter var weight = Tensor<Double>.randomNormal([3, 3], seed: 1)
///     @Parameter var bias = Tensor<Double>.zeros([3])
/// }
/// ```
///
/// The wrapper is a class: copies of a struct holding it share the tensor. Reads and writes
/// are serialised by a lock.
@propertyWrapper
public final class Parameter<Scalar: TensorScalar>: TypedTensorSlot, @unchecked Sendable {
    @usableFromInline let slotID = OwnerID.next()
    @usableFromInline let value: Lock<Tensor<Scalar>?>
    /// Incremented, under the lock, by every write of `value` (set or in-place `modify`).
    /// The constrained cache's fast path compares it without taking the lock: an unchanged
    /// count proves unchanged content (a changed one only sends the read to the slow path).
    @usableFromInline let writes = Atomic<UInt64>(0)
    /// The constrained property whose parametrization holds this tensor (0: none).
    let claims = Atomic<UInt64>(0)

    /// A parameter holding `wrappedValue` (detached from any gradient graph).
    public init(wrappedValue: Tensor<Scalar>) {
        value = Lock(wrappedValue.detached())
    }

    /// A parameter without a value yet; assign one before reading it.
    public init() {
        value = Lock(nil)
    }

    /// The tensor: tracked by the recording tape, if any (see the type's documentation).
    ///
    /// Setting replaces the tensor (detached from any graph).
    @inlinable
    public var wrappedValue: Tensor<Scalar> {
        get {
            guard let tensor = value.withLock({ $0 }) else { Self.noValue() }
            if let tape = GradientTape.recording { return tape.leaf(owner: slotID, watching: tensor) }
            return tensor
        }
        set {
            let detached = newValue.detached()
            value.withLock {
                $0 = detached
                writes.add(1, ordering: .releasing)
            }
        }
    }

    /// Stops the program: the wrapper was read before it was given a value.
    @usableFromInline
    static func noValue() -> Never {
        fatalError("\(ConstrainedError("read", subject: "a @Parameter of type Tensor<\(Scalar.self)>", cause: .noValue))")
    }

    /// The wrapper itself (`$b`).
    public var projectedValue: Parameter { self }

    var role: TensorRole { .trainable }

    var contentKey: ContentKey { value.withLock { ContentKey($0) } }

    var storedValue: Tensor<Scalar>? { value.withLock { $0 } }

    func setBoxedValue(_ boxed: Any) {
        guard let tensor = boxed as? Tensor<Scalar> else {
            preconditionFailure("Parameter<\(Scalar.self)>: cannot store a \(type(of: boxed))")
        }
        wrappedValue = tensor
    }

    func modify<R>(_ body: (inout Tensor<Scalar>) throws -> R) rethrows -> R {
        try value.withLock { stored in
            guard stored != nil else {
                fatalError("\(ConstrainedError("read", subject: "a @Parameter of type Tensor<\(Scalar.self)>", cause: .noValue))")
            }
            writes.add(1, ordering: .releasing)
            return try body(&stored!)
        }
    }

    var writeCount: UInt64 { writes.load(ordering: .acquiring) }

    func clear() {
        value.withLock {
            $0 = nil
            writes.add(1, ordering: .releasing)
        }
    }
}
