import Synchronization

/// A state tensor that is saved with the model but not trained: `@Buffer var u: Tensor<Double>`.
///
/// PyTorch calls these buffers: spectral norm's power-iteration vectors `u` and `v`, the
/// `base` of an orthogonal parametrization with dynamic trivialisation, running statistics.
/// Reads are never tracked by a gradient tape. Inside a parametrization, the cache watches a
/// buffer's version: updating it (even from within `forward`) invalidates the cached value
/// computed with the old one.
///
/// ```swift
/// struct Shifted: Parametrization {
///     @Buffer var shift = Tensor<Double>([1])
///     func forward(_ x: Tensor<Double>) -> Tensor<Double> { x + shift }
/// }
/// ```
///
/// The wrapper is a class: copies of a struct holding it share the tensor. Reads and writes
/// are serialised by a lock.
@propertyWrapper
public final class Buffer<Scalar: TensorScalar>: TypedTensorSlot, @unchecked Sendable {
    @usableFromInline let slotID = OwnerID.next()
    @usableFromInline let value: Lock<Tensor<Scalar>?>
    /// Incremented, under the lock, by every write of `value` (set or in-place `modify`).
    /// The constrained cache's fast path compares it without taking the lock: an unchanged
    /// count proves unchanged content (a changed one only sends the read to the slow path).
    @usableFromInline let writes = Atomic<UInt64>(0)
    /// The constrained property whose parametrization holds this tensor (0: none).
    let claims = Atomic<UInt64>(0)

    /// A buffer holding `wrappedValue` (detached from any gradient graph).
    public init(wrappedValue: Tensor<Scalar>) {
        value = Lock(wrappedValue.detached())
        loadableShapes = nil
    }

    /// A buffer without a value yet; assign one before reading it.
    public init() {
        value = Lock(nil)
        loadableShapes = nil
    }

    /// Whether a checkpoint's tensor of the first shape may replace a value of the second;
    /// nil: only the same shape. A parametrization whose state has two valid layouts sets it
    /// (an orthogonal base is `n × k` here and `n × n` in PyTorch's files).
    let loadableShapes: (@Sendable ([Int], [Int]) -> Bool)?

    /// A buffer without a value yet, whose checkpoint loads also accept the shapes
    /// `loadableShapes(loaded, current)` allows.
    init(loadableShapes: @escaping @Sendable ([Int], [Int]) -> Bool) {
        value = Lock(nil)
        self.loadableShapes = loadableShapes
    }

    func accepts(shape: [Int], replacing current: [Int]) -> Bool {
        shape == current || loadableShapes?(shape, current) == true
    }

    /// The tensor, never tracked. Setting replaces it (detached from any graph).
    @inlinable
    public var wrappedValue: Tensor<Scalar> {
        get {
            guard let tensor = value.withLock({ $0 }) else { Self.noValue() }
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
        fatalError("\(ConstrainedError("read", subject: "a @Buffer of type Tensor<\(Scalar.self)>", cause: .noValue))")
    }

    /// The wrapper itself (`$u`).
    public var projectedValue: Buffer { self }

    var role: TensorRole { .state }

    var contentKey: ContentKey { value.withLock { ContentKey($0) } }

    var storedValue: Tensor<Scalar>? { value.withLock { $0 } }

    func setBoxedValue(_ boxed: Any) {
        guard let tensor = boxed as? Tensor<Scalar> else {
            preconditionFailure("Buffer<\(Scalar.self)>: cannot store a \(type(of: boxed))")
        }
        wrappedValue = tensor
    }

    func modify<R>(_ body: (inout Tensor<Scalar>) throws -> R) rethrows -> R {
        try value.withLock { stored in
            guard stored != nil else {
                fatalError("\(ConstrainedError("read", subject: "a @Buffer of type Tensor<\(Scalar.self)>", cause: .noValue))")
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
