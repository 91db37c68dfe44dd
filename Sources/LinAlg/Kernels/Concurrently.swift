import CLAPACK
import CVectorMath
#if canImport(Glibc)
import Glibc
#endif

extension ElementwiseKernels {
    /// Runs `first` and `second` on two threads, each with single-threaded OpenBLAS, when the
    /// worker pool is free; otherwise one after the other on the caller's thread, with OpenBLAS
    /// as it is. Returns when both are done. The caller checks that two threads are wanted
    /// (``threadCount`` ≥ 2).
    ///
    /// For two independent LAPACK steps that gain little from OpenBLAS's threads (BLAS-2 and
    /// small BLAS-3 calls, scalar loops): side by side they take about the time of the longer
    /// one. OpenBLAS is held at one thread meanwhile because two threads that both issue
    /// threaded BLAS calls contend for its one worker pool: measured here, one process in about
    /// 20 then ran `eigh` at n = 256 up to 36× slower. OpenBLAS 0.3.21 has no per-thread
    /// setting, so the limit is process-wide while the steps run (reference-counted, restored
    /// by the last section to end); other threads' BLAS calls in that window run on one thread.
    /// OpenBLAS's idle worker still spins (yielding) for about 0.1 s after a threaded call, so
    /// on a machine with two cores the two steps share them with it and their time varies more
    /// than one after the other does.
    @usableFromInline
    static func concurrently(_ first: () -> Void, _ second: () -> Void) {
        OpenBLASSingleThreadedSection.enter()
        let ran = withoutActuallyEscaping(first) { first in
            withoutActuallyEscaping(second) { second -> Bool in
                var task: (first: () -> Void, second: () -> Void) = (first, second)
                return withUnsafeMutablePointer(to: &task) { pointer in
                    cvm_parallel_for(2, 2, 1, { context, start, end in
                        let task = context!.assumingMemoryBound(to: (first: () -> Void, second: () -> Void).self)
                        for step in start..<end {
                            if step == 0 { task.pointee.first() } else { task.pointee.second() }
                        }
                    }, pointer) != 0
                }
            }
        }
        OpenBLASSingleThreadedSection.leave()
        if !ran { first(); second() }
    }
}

/// OpenBLAS at one thread between `enter()` and `leave()`, nested and across threads: the first
/// `enter()` saves the thread count, the last `leave()` restores it.
///
/// The count is guarded by a `pthread_mutex_t`, not `Synchronization.Mutex`: on Linux a
/// contended `Mutex` is handed over inside the kernel (priority-inheritance futex), which the
/// thread sanitizer cannot see, so it reported false races here when several product splits
/// entered at once; it intercepts `pthread_mutex_lock`.
enum OpenBLASSingleThreadedSection {
    private nonisolated(unsafe) static let mutex: UnsafeMutablePointer<pthread_mutex_t> = {
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        return mutex
    }()
    /// Sections entered and not yet left, and the count the first one saved; under `mutex`.
    private nonisolated(unsafe) static var depth = 0
    private nonisolated(unsafe) static var saved: Int32 = 1

    static func enter() {
        pthread_mutex_lock(mutex)
        if depth == 0 {
            saved = openblas_get_num_threads()
            openblas_set_num_threads(1)
        }
        depth += 1
        pthread_mutex_unlock(mutex)
    }

    static func leave() {
        pthread_mutex_lock(mutex)
        depth -= 1
        if depth == 0 { openblas_set_num_threads(saved) }
        pthread_mutex_unlock(mutex)
    }
}
