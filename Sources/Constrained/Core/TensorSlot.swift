import Synchronization

/// Process-unique identities for everything that owns a trainable tensor or a state buffer.
///
/// The gradient tape keys the leaves it watches for a parameter on this id
/// (`GradientTape.leaf(owner:watching:)`), so it must never be reused, unlike an
/// `ObjectIdentifier`, whose address may come back after the object is freed.
enum OwnerID {
    static let counter = Atomic<UInt64>(0)

    static func next() -> UInt64 {
        counter.wrappingAdd(1, ordering: .relaxed).newValue
    }
}

/// What a tensor slot is for: trained by optimizers, or state kept beside them.
enum TensorRole: Sendable, Equatable {
    /// Updated by optimizers and differentiated by `valueWithGradient(of:_:)`.
    case trainable
    /// Not trained; saved and loaded with the model (spectral norm's `u`, an orthogonal `base`).
    case state
}

/// The exact content of a tensor slot: its storage identity and version. Two equal keys mean
/// the same scalars (see `Tensor.version`).
@usableFromInline
struct ContentKey: Equatable, Sendable {
    @usableFromInline var storageID: UInt64
    @usableFromInline var version: UInt64
    /// An unset slot.
    @usableFromInline static let empty = ContentKey(storageID: 0, version: 0)

    @inlinable
    init(storageID: UInt64, version: UInt64) {
        self.storageID = storageID
        self.version = version
    }

    @inlinable
    init<Scalar>(_ tensor: Tensor<Scalar>?) {
        if let tensor {
            self.init(storageID: tensor.storageID, version: tensor.version)
        } else {
            self.init(storageID: 0, version: 0)
        }
    }
}

/// One named tensor of a model, reached by traversal: a `@Parameter`, a `@Buffer`, or the
/// original of a `@Constrained` property. Type-erased over the scalar type.
///
/// Traversal, optimizers, checkpoints and the cache work through this protocol; it is internal
/// so that only the package's wrappers are slots.
protocol TensorSlot: AnyObject, Sendable {
    /// The owner id the gradient tape keys this slot's leaves on.
    var slotID: UInt64 { get }
    /// Trainable or state.
    var role: TensorRole { get }
    /// `Float.self` or `Double.self`.
    var scalarType: any TensorScalar.Type { get }
    /// The current content's key, `.empty` when unset.
    var contentKey: ContentKey { get }
    /// A count of the writes to this slot, read without locking: unchanged means the content
    /// is unchanged (the cache's fast path relies on it).
    var writeCount: UInt64 { get }
    /// The current value (a `Tensor<Scalar>`), nil when unset; never tracked.
    func boxedValue() -> Any?
    /// Replaces the value with `value`, a `Tensor<Scalar>` of this slot's scalar type.
    func setBoxedValue(_ value: Any)
    /// Whether a loaded tensor of `shape` may replace the current value of shape `current`.
    /// Default: only the same shape.
    func accepts(shape: [Int], replacing current: [Int]) -> Bool
    /// Checks a loaded value (a `Tensor<Scalar>` of this slot's scalar type) before anything is
    /// stored; throws what makes it unusable here. Default: every value is admitted.
    func validateLoaded(_ value: Any) throws
    /// Removes the value (the slot is unset again): the rollback of a slot a failed right
    /// inverse gave its first value.
    func clear()
    /// The id of the constrained property whose parametrization holds this slot, 0 for none.
    var claims: Atomic<UInt64> { get }
}

extension TensorSlot {
    /// Only a tensor of the current shape replaces the current value.
    func accepts(shape: [Int], replacing current: [Int]) -> Bool { shape == current }

    /// Every value is admitted: only the shape and scalar type are checked, by the loader.
    func validateLoaded(_ value: Any) throws {}

    /// Marks the slot as state of the property `owner`; false when another property holds it.
    func claim(for owner: UInt64) -> Bool {
        let (exchanged, current) = claims.compareExchange(expected: 0, desired: owner, ordering: .acquiringAndReleasing)
        return exchanged || current == owner
    }

    /// Frees the slot if `owner` holds it.
    func release(from owner: UInt64) {
        _ = claims.compareExchange(expected: owner, desired: 0, ordering: .acquiringAndReleasing)
    }
}

/// A slot of a known scalar type: optimizers update it in place through this.
protocol TypedTensorSlot<Scalar>: TensorSlot {
    associatedtype Scalar: TensorScalar
    /// Runs `body` on the stored value, in place, under the slot's lock.
    func modify<R>(_ body: (inout Tensor<Scalar>) throws -> R) rethrows -> R
    /// The stored value, untracked (nil when unset).
    var storedValue: Tensor<Scalar>? { get }
}

extension TypedTensorSlot {
    var scalarType: any TensorScalar.Type { Scalar.self }

    func boxedValue() -> Any? { storedValue }
}
