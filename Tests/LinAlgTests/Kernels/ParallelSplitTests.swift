import Dispatch
import Synchronization
import Testing
@testable import LinAlg

/// `ElementwiseKernels.split` on the worker pool: every element is visited exactly once, on
/// consecutive calls (each loop claims only its own ranges) and from several callers at once
/// (a caller that finds the pool busy runs on libdispatch instead).
@Suite("Elementwise kernels: the parallel split")
struct ParallelSplitTests {
    /// Runs `split` over `count` elements with `threads` threads and returns how often each
    /// element was visited.
    static func visits(count: Int, threads: Int, grain: Int = 64) -> [Int] {
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
        counts.initialize(repeating: 0)
        defer { counts.deallocate() }
        ElementwiseKernels.split(count, grain: grain, threads: threads) { range in
            for i in range { counts[i] += 1 }   // ranges are disjoint, so no two writers meet
        }
        return Array(counts)
    }

    @Test(arguments: [(1, 2), (64, 2), (1000, 2), (4097, 3), (100_003, 2), (100_003, 4)])
    func everyElementIsVisitedOnce(count: Int, threads: Int) {
        #expect(Self.visits(count: count, threads: threads).allSatisfy { $0 == 1 })
    }

    @Test func manyConsecutiveSplitsEachCoverTheirRangeOnce() {
        for round in 0..<2000 {
            let count = 1000 + (round * 37) % 5000
            let visits = Self.visits(count: count, threads: 2 + round % 2)
            if !visits.allSatisfy({ $0 == 1 }) {
                Issue.record("round \(round): \(visits.filter { $0 != 1 }.count) of \(count) elements visited other than once")
                return
            }
        }
    }

    @Test func concurrentCallersEachCoverTheirRangeOnce() {
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { caller in
            for round in 0..<200 {
                let count = 5000 + caller * 101 + round
                let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
                counts.initialize(repeating: 0)
                ElementwiseKernels.split(count, grain: 64, threads: 2) { range in
                    for i in range { counts[i] += 1 }
                }
                if !counts.allSatisfy({ $0 == 1 }) { failures.add(1, ordering: .relaxed) }
                counts.deallocate()
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
    }
}
