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
final class Lock<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    /// A lock protecting `value`.
    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    @inline(__always)
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
