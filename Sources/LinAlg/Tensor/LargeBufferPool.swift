import Synchronization

/// Keeps a few freed large tensor buffers for reuse, so that a training loop which allocates
/// the same large tensors every step does not pay for fresh pages every step.
///
/// glibc's `malloc` serves blocks above its mmap threshold (at most 32 MiB) with a new `mmap`
/// each time and unmaps them on `free`, so every step touches a 39 MiB `[T, B, H]` buffer's
/// pages for the first time again: about 10,000 page faults, 40 ms of a 220 ms RNN step. Below
/// that, its heap does not reliably keep freed megabytes either: the 8 MB output of `sigmoid`
/// on 10⁶ Doubles faulted in all its 2,048 pages on every call (`perf record -e page-faults`
/// on the benchmark). Buffers of at least ``minimumBytes`` are instead returned here on release
/// and handed out again for a request of exactly the same size (a step's sizes repeat), up to
/// ``capacityBytes`` in all; what does not fit is freed at once. The contents of a reused
/// buffer are undefined, as those of any new uninitialised storage.
@usableFromInline
enum LargeBufferPool {
    /// Buffers below this size go straight to `malloc`/`free`, which reuses them well.
    @usableFromInline static let minimumBytes = 1 << 20
    /// The most memory the pool holds idle.
    static let capacityBytes = 1 << 30
    /// The most buffers the pool holds idle.
    static let capacityBuffers = 16

    /// An idle buffer; its address as an integer, which crosses the lock as a plain value.
    struct Entry: Sendable {
        let bytes: Int
        let address: UInt
        var pointer: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: address)! }
    }

    struct Idle: ~Copyable {
        var entries: [Entry] = []
        var bytes = 0
    }

    static let idle = Mutex(Idle())

    /// A 64-byte aligned buffer of `bytes` bytes: an idle one of that size, else a new one.
    @usableFromInline
    static func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        if bytes >= minimumBytes {
            let reused: Entry? = idle.withLock { idle in
                guard let index = idle.entries.lastIndex(where: { $0.bytes == bytes }) else { return nil }
                idle.bytes -= bytes
                return idle.entries.remove(at: index)
            }
            if let reused { return reused.pointer }
        }
        return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    }

    /// Returns a buffer from ``allocate(bytes:)``: kept for reuse when large and there is room,
    /// else freed. When full, the oldest idle buffers make room for this one.
    @usableFromInline
    static func release(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= minimumBytes, bytes <= capacityBytes else {
            pointer.deallocate()
            return
        }
        let address = UInt(bitPattern: pointer)
        let evicted: [Entry] = idle.withLock { idle in
            var evicted: [Entry] = []
            while !idle.entries.isEmpty && (idle.bytes + bytes > capacityBytes || idle.entries.count >= capacityBuffers) {
                let oldest = idle.entries.removeFirst()
                idle.bytes -= oldest.bytes
                evicted.append(oldest)
            }
            idle.entries.append(Entry(bytes: bytes, address: address))
            idle.bytes += bytes
            return evicted
        }
        for entry in evicted { entry.pointer.deallocate() }
    }

    /// Frees every idle buffer (for tests and for programs that want the memory back).
    static func drain() {
        let all: [Entry] = idle.withLock { idle in
            defer { idle.entries = []; idle.bytes = 0 }
            return idle.entries
        }
        for entry in all { entry.pointer.deallocate() }
    }

    /// The idle buffers' count and total size.
    static var idleStatistics: (buffers: Int, bytes: Int) {
        idle.withLock { ($0.entries.count, $0.bytes) }
    }
}
