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

    @Test func tenThousandTrainingStepsKeepResidentMemoryFlat() throws {
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
            if step == 1_000 { afterWarmUp = Self.statusKilobytes("VmRSS") ?? 0 }
        }
        let end = Self.statusKilobytes("VmRSS") ?? 0
        let peak = Self.statusKilobytes("VmHWM") ?? 0
        print("memory: VmRSS after 1,000 steps \(afterWarmUp) kB, after 10,000 steps \(end) kB, peak VmHWM \(peak) kB")
        #expect(model.$weight.cacheStatistics.evaluations == 10_000)
        // A graph leaked per step would hold several 8 kB tensors (≥ 80 MB over 9,000 steps).
        #expect(end - afterWarmUp < 16_384, "resident memory grew by \(end - afterWarmUp) kB over 9,000 steps")
    }
}
