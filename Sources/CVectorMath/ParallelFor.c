// The worker pool behind cvm_parallel_for (see ParallelFor.h).
//
// One loop runs at a time: a caller takes the pool with a try-lock (another caller at the
// same moment runs its own loop serially, so nothing waits on a second loop). The caller
// publishes the loop and bumps `generation`; workers that are spinning see it at once, the
// sleeping ones are woken by the condition variable. Ranges are claimed from one atomic word
// holding the generation (high 32 bits) and the next range (low 32 bits), so a late worker
// only takes what is left of its own loop and can never claim a range of the next one with
// the previous loop's body; the caller returns when `finished` counts every range. A worker
// spins for about SPIN_NANOSECONDS after its last loop, then sleeps.
#include "ParallelFor.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#if defined(__x86_64__)
#define SPIN_PAUSE() __builtin_ia32_pause()
#else
#define SPIN_PAUSE() sched_yield()
#endif

#define MAX_WORKERS 15
#define SPIN_NANOSECONDS 50000L

typedef struct {
    void (*body)(void *, long, long);
    void *context;
    long count, chunk, ranges;
    int workers; // how many pool threads take part in this loop
} Loop;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;   // held by the running caller
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;  // guards the condition below
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static Loop loop;
static atomic_long generation = 0;
static atomic_ulong claim = 0; // (generation << 32) | next range
static atomic_long finished = 0;
static int started = 0; // workers created (under pool_lock)

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

static void run_ranges(const Loop *l, unsigned long tag) {
    unsigned long word = atomic_load_explicit(&claim, memory_order_relaxed);
    for (;;) {
        if ((word >> 32) != tag || (long)(word & 0xFFFFFFFFUL) >= l->ranges) return;
        if (!atomic_compare_exchange_weak_explicit(&claim, &word, word + 1, memory_order_acq_rel,
                                                   memory_order_relaxed)) continue;
        long r = (long)(word & 0xFFFFFFFFUL);
        word += 1;
        long start = r * l->chunk, end = start + l->chunk;
        if (end > l->count) end = l->count;
        l->body(l->context, start, end);
        atomic_fetch_add_explicit(&finished, 1, memory_order_release);
    }
}

static void *worker(void *argument) {
    long index = (long)argument;
    long seen = atomic_load_explicit(&generation, memory_order_acquire);
    for (;;) {
        long current = atomic_load_explicit(&generation, memory_order_acquire);
        if (current == seen) {
            long deadline = now_ns() + SPIN_NANOSECONDS;
            while ((current = atomic_load_explicit(&generation, memory_order_acquire)) == seen) {
                SPIN_PAUSE();
                if (now_ns() > deadline) {
                    pthread_mutex_lock(&sleep_lock);
                    while ((current = atomic_load_explicit(&generation, memory_order_acquire)) == seen)
                        pthread_cond_wait(&wake, &sleep_lock);
                    pthread_mutex_unlock(&sleep_lock);
                    break;
                }
            }
        }
        seen = current;
        Loop l = loop; // published before the generation's release store
        // A loop published meanwhile may have overwritten `loop` during the copy: skip it
        // then (the next turn sees the new generation).
        if (atomic_load_explicit(&generation, memory_order_acquire) != current) continue;
        if (index < l.workers) run_ranges(&l, (unsigned long)current & 0xFFFFFFFFUL);
    }
    return 0;
}

int cvm_parallel_for(int threads, long count, long chunk,
                     void (*body)(void *context, long start, long end), void *context) {
    if (threads < 2 || count <= 0 || chunk <= 0) return 0;
    if (pthread_mutex_trylock(&pool_lock) != 0) return 0;
    int workers = threads - 1 > MAX_WORKERS ? MAX_WORKERS : threads - 1;
    while (started < workers) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attributes, worker, (void *)(long)started);
        pthread_attr_destroy(&attributes);
        if (failed) break;
        started += 1;
    }
    if (started == 0) { pthread_mutex_unlock(&pool_lock); return 0; }
    if (workers > started) workers = started;
    long ranges = (count + chunk - 1) / chunk;
    if (ranges > 0xFFFFFFFFL) { pthread_mutex_unlock(&pool_lock); return 0; }
    loop = (Loop){body, context, count, chunk, ranges, workers};
    atomic_store_explicit(&finished, 0, memory_order_relaxed);
    long current = atomic_load_explicit(&generation, memory_order_relaxed) + 1;
    unsigned long tag = (unsigned long)current & 0xFFFFFFFFUL;
    atomic_store_explicit(&claim, tag << 32, memory_order_release);
    pthread_mutex_lock(&sleep_lock);
    atomic_store_explicit(&generation, current, memory_order_release);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&sleep_lock);
    Loop own = loop;
    run_ranges(&own, tag);
    while (atomic_load_explicit(&finished, memory_order_acquire) < ranges) SPIN_PAUSE();
    pthread_mutex_unlock(&pool_lock);
    return 1;
}
