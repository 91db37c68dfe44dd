import Foundation
import Testing
@testable import Constrained

/// Resident memory of a long training loop.
@Suite("Memory", .serialized)
struct MemoryTests {
    /// A field of `/proc/self/status` in kilobytes (`VmRSS`, `VmHWM`), nil where unavailable.
    static func statusKilobytes(_ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        }
        return nil
    }

    final class Model: Layer {
        @Constrained(CountingSquare<Double>()) var weight = Tensor<Double>.randomUniform([32, 32], from: 0, to: 0.1, seed: 3)
        @Parameter var bias = Tensor<Double>.zeros([32])
    }

    /// Trains for 10,000 steps; returns the resident-memory growth (kB) between step 1,000 and
    /// the end, after printing the figures.
    static func residentGrowthOverTraining() throws -> Int {
        let model = Model()
        let x = Tensor<Double>.randomNormal([16, 32], seed: 4)
        let target = Tensor<Double>.randomNormal([16, 32], seed: 5)
        let adam = Adam(for: model, learningRate: 1e-3)
        var afterWarmUp = 0
        for step in 1...10_000 {
            let (_, gradients) = try valueWithGradient(of: model) { m in
                let r = matmul(x, m.weight) + m.bias - target
                return (r * r).sum()
            }
            adam.update(model, along: gradients)
            if step == 1_000 { afterWarmUp = statusKilobytes("VmRSS")! }
        }
        precondition(model.$weight.cacheStatistics.evaluations == 10_000,
                     "expected one evaluation per step, got \(model.$weight.cacheStatistics.evaluations)")
        let end = statusKilobytes("VmRSS")!
        let peak = statusKilobytes("VmHWM")!
        precondition(afterWarmUp > 0 && end > 0, "resident memory was not measured")
        print("memory: VmRSS after 1,000 steps \(afterWarmUp) kB, after 10,000 steps \(end) kB, peak VmHWM \(peak) kB")
        return end - afterWarmUp
    }

    /// Runs in a child process (an exit test): resident memory is process-wide, and tests
    /// running in parallel in this process would otherwise be counted as growth.
    @Test(.enabled(if: MemoryTests.statusKilobytes("VmRSS") != nil, "needs /proc/self/status (Linux)"))
    func tenThousandTrainingStepsKeepResidentMemoryFlat() async throws {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            // A graph leaked per step would hold several 8 kB tensors (≥ 80 MB over 9,000 steps).
            let growth = try MemoryTests.residentGrowthOverTraining()
            if growth >= 16_384 {
                print("resident memory grew by \(growth) kB over 9,000 steps")
                exit(1)
            }
        }
        if let output = result?.standardOutputContent {
            print(String(decoding: output, as: UTF8.self), terminator: "")
        }
    }
}
