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
    /// Signalled when a waiter's condition may have changed (``broadcast()``).
    let condition: UnsafeMutablePointer<pthread_cond_t>

    /// A lock protecting `value`.
    @usableFromInline
    init(_ value: Value) {
        self.value = .allocate(capacity: 1)
        self.value.initialize(to: value)
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        let conditionStatus = pthread_cond_init(condition, nil)
        precondition(conditionStatus == 0, "pthread_cond_init failed: \(conditionStatus)")
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
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

    /// Releases the lock until ``broadcast()`` is called, then takes it again. Call only from
    /// inside ``withLock(_:)``'s body, and re-check the awaited condition after it returns.
    func wait() {
        pthread_cond_wait(condition, mutex)
    }

    /// Wakes every thread in ``wait()``.
    func broadcast() {
        pthread_cond_broadcast(condition)
    }
}
