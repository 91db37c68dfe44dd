import Constrained
import Testing
@testable import ConstrainedDemo

/// The copying-memory data of the demo (expRNN's definition) and its baseline.
struct CopyTaskTests {
    @Test(arguments: [1, 7, 100])
    func targetIsTheInputSymbolsShiftedByDelayPlusTen(delay: Int) {
        let task = CopyTask(delay: delay)
        var g = SeededGenerator(seed: 3)
        for _ in 0..<20 {
            let (input, target) = task.sequence(using: &g)
            #expect(input.count == delay + 20 && target.count == delay + 20)
            for i in 0..<10 {
                #expect((1...8).contains(input[i]))
                #expect(target[i + delay + 10] == input[i])
            }
            // Everything else: blanks, except the marker right after the delay.
            for t in 10..<(delay + 20) {
                #expect(input[t] == (t == delay + 10 ? 9 : 0))
            }
            for t in 0..<(delay + 10) { #expect(target[t] == 0) }
        }
    }

    @Test func symbolsCoverOneToEightUniformly() {
        let task = CopyTask(delay: 5)
        var g = SeededGenerator(seed: 11)
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<4000 {
            for s in task.sequence(using: &g).input.prefix(10) { counts[s] += 1 }
        }
        // 40,000 draws, 5,000 expected per symbol; a standard deviation of about 66.
        #expect(counts[0] == 0 && counts[9] == 0)
        for s in 1...8 { #expect(abs(counts[s] - 5000) < 400, "symbol \(s) drawn \(counts[s]) times") }
    }

    @Test func batchIsTimeMajorOneHotOfTheSequences() {
        let task = CopyTask(delay: 4)
        let size = 3
        var g = SeededGenerator(seed: 5)
        let (inputs, labels) = task.batch(size: size, as: Double.self, using: &g)
        #expect(inputs.shape == [24, size, 10])
        #expect(labels.count == 24 * size)
        // The same generator state yields the same sequences, batch entry by batch entry.
        var replay = SeededGenerator(seed: 5)
        let sequences = (0..<size).map { _ in task.sequence(using: &replay) }
        let x = inputs.scalars
        for t in 0..<24 {
            for b in 0..<size {
                let row = Array(x[((t * size + b) * 10)..<((t * size + b) * 10 + 10)])
                var expected = [Double](repeating: 0, count: 10)
                expected[sequences[b].input[t]] = 1
                #expect(row == expected)
                #expect(labels[t * size + b] == sequences[b].target[t])
            }
        }
    }

    @Test(arguments: [1, 10, 100, 1000])
    func baselineIsTheLossOfTheMemorylessPredictor(delay: Int) {
        // Certain blanks for L + 10 steps, then uniform over the eight symbols: the
        // cross-entropy of that predictor on any batch is the baseline 10 ln 8 / (L + 20).
        let task = CopyTask(delay: delay)
        var g = SeededGenerator(seed: 2)
        let size = 4
        let (_, labels) = task.batch(size: size, as: Double.self, using: &g)
        let logits = Tensor<Double>(shape: [task.length, size, 9]) { out in
            for t in 0..<task.length {
                for b in 0..<size {
                    for c in 0..<9 {
                        let recall = task.recallSteps.contains(t)
                        out[(t * size + b) * 9 + c] = recall ? (c == 0 ? -1000 : 0) : (c == 0 ? 0 : -1000)
                    }
                }
            }
        }
        let loss = crossEntropy(logits: logits, labels: labels).scalar
        #expect(abs(loss - task.baseline) < 1e-12 * task.baseline)
        #expect(abs(task.baseline - 10 * Double.log(8) / Double(delay + 20)) < 1e-15)
    }

    @Test func recallStepsAreTheLastTen() {
        #expect(CopyTask(delay: 100).recallSteps == 110..<120)
        #expect(CopyTask(delay: 1).recallSteps == 11..<21)
    }

    @Test func accuracyCountsArgmaxMatchesOverTheGivenSteps() {
        // T = 2, batch 2, 3 classes; argmaxes: t0 → [2, 0], t1 → [1, 1].
        let logits = Tensor<Double>(shape: [2, 2, 3], scalars: [0, 1, 5, 9, 1, 2,
                                                                 0, 3, 1, 1, 2, 0])
        #expect(accuracy(logits, labels: [2, 1, 1, 0], steps: 0..<2) == 0.5)
        #expect(accuracy(logits, labels: [2, 1, 1, 0], steps: 0..<1) == 0.5)
        #expect(accuracy(logits, labels: [2, 0, 1, 1], steps: 1..<2) == 1)
    }
}
