import Testing
@testable import LinAlg

/// Large freed buffers are reused for a request of the same size, within the pool's bounds.
/// Sizes are odd multiples of 64 bytes so that tests running in parallel never ask for them.
@Suite("Large buffer pool")
struct LargeBufferPoolTests {
    static let size = LargeBufferPool.minimumBytes + 64 * 7_919

    @Test func aFreedLargeTensorsBufferServesTheNextTensorOfTheSameSizeWithANewIdentity() {
        let count = Self.size / MemoryLayout<Double>.stride
        var first: Tensor<Double>? = Tensor<Double>.zeros([count])
        let address = first!.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        let identity = first!.storageID
        first = nil
        let second = Tensor<Double>(shape: [count], repeating: 2)
        #expect(second.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } == address)
        #expect(second.storageID != identity, "a reused buffer is a new storage for the caches")
        #expect(second.scalars.allSatisfy { $0 == 2 })
    }

    /// The output of an elementwise function of 10⁶ Doubles (8 MB, below glibc's largest mmap
    /// threshold) is pooled too: glibc's heap faulted such a block's pages in on every call.
    @Test func aBufferOfAFewMegabytesIsReused() {
        let count = 1_000_003
        var first: Tensor<Double>? = Tensor<Double>.zeros([count])
        let address = first!.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        first = nil
        let second = Tensor<Double>(shape: [count], repeating: 1)
        #expect(second.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } == address)
    }

    @Test func anotherSizeOrASmallBufferIsNotReused() {
        let pointer = LargeBufferPool.allocate(bytes: Self.size + 64)
        LargeBufferPool.release(pointer, bytes: Self.size + 64)
        let other = LargeBufferPool.allocate(bytes: Self.size + 128)
        #expect(other != pointer)
        LargeBufferPool.release(other, bytes: Self.size + 128)
        #expect(LargeBufferPool.allocate(bytes: Self.size + 64) == pointer)
        LargeBufferPool.release(pointer, bytes: Self.size + 64)

        let small = LargeBufferPool.allocate(bytes: 4_096 + 64)
        let before = LargeBufferPool.idleStatistics
        LargeBufferPool.release(small, bytes: 4_096 + 64)
        #expect(LargeBufferPool.idleStatistics.buffers <= before.buffers, "small buffers go back to malloc")
    }

    @Test func thePoolNeverHoldsMoreThanItsBounds() {
        var pointers: [(UnsafeMutableRawPointer, Int)] = []
        for i in 0..<(LargeBufferPool.capacityBuffers + 4) {
            let bytes = Self.size + 64 * (1_000 + 2 * i + 1)
            pointers.append((LargeBufferPool.allocate(bytes: bytes), bytes))
        }
        for (pointer, bytes) in pointers { LargeBufferPool.release(pointer, bytes: bytes) }
        let idle = LargeBufferPool.idleStatistics
        #expect(idle.buffers <= LargeBufferPool.capacityBuffers)
        #expect(idle.bytes <= LargeBufferPool.capacityBytes)
    }
}
