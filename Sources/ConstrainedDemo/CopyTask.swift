import Constrained

/// The copying-memory task as defined by expRNN (Lezcano-Casado & Martínez-Rubio, 2019,
/// `1_copying.py`), itself Arjovsky et al.'s (2016) with `K = 10` symbols.
///
/// A sequence of length `L + 20`: ten symbols drawn uniformly from 1…8, then `L` blanks (0),
/// a marker (9), and nine more blanks. The target is `L + 10` blanks followed by the ten
/// symbols, so the symbol read at step `i` must be written at step `i + L + 10`. Inputs are
/// one-hot over 10 classes (0…9); outputs are 9 classes (blank and 1…8).
///
/// **Baseline.** A model that remembers nothing can still predict blank with certainty for the
/// first `L + 10` steps (loss 0) and the uniform distribution over 1…8 for the last ten (loss
/// `ln 8` each); averaged over all `L + 20` steps that is `10 · ln 8 / (L + 20)`. A loss below
/// it means the model carries information across the delay.
///
/// ```swift
/// let task = CopyTask(delay: 100)                  // sequences of 120 steps
/// var g = SeededGenerator(seed: 1)
/// let batch = task.batch(size: 128, as: Float.self, using: &g)
/// batch.inputs.shape   // [120, 128, 10]; batch.labels.count == 120 · 128
/// ```
struct CopyTask {
    /// The number of symbols to remember (expRNN's `K`).
    static let symbolCount = 10
    /// Input classes: blank 0, symbols 1…8, marker 9.
    static let inputClasses = 10
    /// Output classes: blank 0 and symbols 1…8.
    static let outputClasses = 9
    /// The marker token that asks for the symbols back.
    static let marker = 9

    /// The number of blanks between the symbols and the marker (`L`).
    let delay: Int

    init(delay: Int) {
        precondition(delay >= 0, "CopyTask: the delay must be non-negative, got \(delay)")
        self.delay = delay
    }

    /// Sequence length `L + 20`.
    var length: Int { delay + 2 * Self.symbolCount }

    /// The memoryless baseline cross-entropy `10 · ln 8 / (L + 20)` (nats per step).
    var baseline: Double { Double(Self.symbolCount) * Double.log(8) / Double(length) }

    /// The time steps whose targets are the symbols: the last ten, `L + 10 ..< L + 20`.
    var recallSteps: Range<Int> { (delay + Self.symbolCount)..<length }

    /// One sequence as tokens: its input tokens (0…9) and its target tokens (0…8), both of
    /// length `L + 20`.
    func sequence<G: RandomNumberGenerator>(using generator: inout G) -> (input: [Int], target: [Int]) {
        var input = [Int](repeating: 0, count: length)
        var target = [Int](repeating: 0, count: length)
        for i in 0..<Self.symbolCount {
            let symbol = Int.random(in: 1...8, using: &generator)
            input[i] = symbol
            target[delay + Self.symbolCount + i] = symbol
        }
        input[delay + Self.symbolCount] = Self.marker
        return (input, target)
    }

    /// One batch, time-major as the RNN consumes it: one-hot inputs `[T, batch, 10]` and the
    /// labels in the same order (`labels[t * batch + b]`), as ``crossEntropy(logits:labels:)``
    /// reads logits `[T, batch, 9]`.
    func batch<S: TensorScalar, G: RandomNumberGenerator>(
        size: Int, as _: S.Type = S.self, using generator: inout G
    ) -> (inputs: Tensor<S>, labels: [Int]) {
        precondition(size > 0, "CopyTask.batch: the batch size must be positive, got \(size)")
        let t = length
        var labels = [Int](repeating: 0, count: t * size)
        var tokens: [[Int]] = []
        tokens.reserveCapacity(size)
        for b in 0..<size {
            let (input, target) = sequence(using: &generator)
            tokens.append(input)
            for step in 0..<t { labels[step * size + b] = target[step] }
        }
        let inputs = Tensor<S>(shape: [t, size, Self.inputClasses]) { out in
            out.initialize(repeating: 0)
            for b in 0..<size {
                for step in 0..<t { out[(step * size + b) * Self.inputClasses + tokens[b][step]] = 1 }
            }
        }
        return (inputs, labels)
    }
}
