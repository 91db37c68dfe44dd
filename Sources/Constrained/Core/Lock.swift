#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value protected by a `pthread_mutex_t`: `lock.withLock { value in ... }`.
///
/// Why not `Synchronization.Mutex`: on Linux, `Mutex` hands a contended lock from one thread
/// to the next inside the kernel (priority-inheritance futex), with no user-space atomic
/// operation the thread sanitizer can observe, so `swift test --sanitize=thread` reports
/// false data races on every value a contended `Mutex` protects (checked with an 8-thread
/// probe: `Mutex` reported three races per run, this lock none). The thread sanitizer
/// intercepts `pthread_mutex_lock`, so code built on this lock can be checked for real races.
/// The uncontended cost is the same order (one atomic operation and a call into glibc).
@usableFromInline
final class Lock<Value>: @unchecked Sendable {
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// The value, behind a pointer rather than in a `var`: the lock already guarantees
    /// exclusive access, and a class's `var` would add a dynamic exclusivity check (two
    /// runtime calls and a thread-local lookup) to every access.
    @usableFromInline let value: UnsafeMutablePointer<Value>

    /// A lock protecting `value`.
    @usableFromInline
    init(_ value: Value) {
        self.value = .allocate(capacity: 1)
        self.value.initialize(to: value)
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        value.deinitialize(count: 1)
        value.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    @inlinable
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }
}
