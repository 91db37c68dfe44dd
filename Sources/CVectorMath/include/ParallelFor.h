// A parallel loop for the elementwise kernels on persistent worker threads that spin briefly
// before sleeping, so that a kernel called again soon (a training step's next large op, a
// benchmark's next repetition) starts on every thread at once instead of waiting for the
// system to wake one (libdispatch measured about 50 µs per call here, on kernels of 130-400 µs).
#ifndef CVECTORMATH_PARALLELFOR_H
#define CVECTORMATH_PARALLELFOR_H

/// Calls `body(context, start, end)` over consecutive ranges of `chunk` elements covering
/// `0..<count`, on the calling thread and up to `threads - 1` pool workers, which take the
/// ranges in order as they arrive; returns when every range is done. Returns 0 when the pool
/// is busy with another caller's loop (or `threads` < 2): the caller then runs the loop itself.
int cvm_parallel_for(int threads, long count, long chunk,
                     void (*body)(void *context, long start, long end), void *context);

#endif
