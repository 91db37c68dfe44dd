import Synchronization

/// Process-wide source of storage identities.
@usableFromInline
enum StorageIdentity {
    static let counter = Atomic<UInt64>(0)

    /// A new identity, never handed out before in this process.
    @usableFromInline
    static func next() -> UInt64 {
        counter.wrappingAdd(1, ordering: .relaxed).newValue
    }
}

/// The heap buffer behind one or more ``Tensor`` values.
///
/// Tensors share a storage until one of them mutates (copy-on-write). Each storage has an
/// identity that no other storage in the process will ever have, and a version counter that
/// every in-place mutation increments. Together `(id, version)` name one exact content: the
/// caching layer compares them to know whether a derived value is still valid.
@usableFromInline
final class TensorStorage<Scalar: TensorScalar>: @unchecked Sendable {
    /// 64-byte aligned, `count` initialised scalars.
    @usableFromInline let base: UnsafeMutablePointer<Scalar>
    @usableFromInline let count: Int
    @usableFromInline let id: UInt64
    @usableFromInline var version: UInt64 = 0

    /// Allocates `count` uninitialised scalars.
    @inlinable
    init(uninitializedCount count: Int) {
        self.count = count
        self.id = StorageIdentity.next()
        let raw = LargeBufferPool.allocate(bytes: Swift.max(count, 1) * MemoryLayout<Scalar>.stride)
        self.base = raw.bindMemory(to: Scalar.self, capacity: Swift.max(count, 1))
    }

    /// A new storage with a copy of this one's scalars, a new identity and version 0.
    @inlinable
    func copy() -> TensorStorage {
        let other = TensorStorage(uninitializedCount: count)
        other.base.update(from: base, count: count)
        return other
    }

    deinit {
        LargeBufferPool.release(UnsafeMutableRawPointer(base), bytes: Swift.max(count, 1) * MemoryLayout<Scalar>.stride)
    }
}
