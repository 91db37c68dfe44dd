import Constrained

/// The copying-memory task as defined by expRNN (Lezcano-Casado & Martínez-Rubio, 2019).
///
/// A sequence of length `L + 20`: ten symbols drawn uniformly from 1…8, then `L` blanks (0),
/// a marker (9), and nine more blanks. The target is `L + 10` blanks followed by the ten
/// symbols. Inputs are one-hot over 10 classes; outputs are 9 classes (blank and 1…8).
///
/// A model that ignores its input and predicts blanks, then uniformly among 8 symbols, scores
/// the memoryless baseline cross-entropy `10 · ln 8 / (L + 20)`.
struct CopyTask {
    /// The number of blanks between the symbols and the marker.
    let delay: Int
    let symbolCount = 10
    let inputClasses = 10
    let outputClasses = 9

    /// Sequence length `L + 20`.
    var length: Int { delay + 20 }

    /// The memoryless baseline cross-entropy `10 · ln 8 / (L + 20)`.
    var baseline: Double { 10 * Double.log(8) / Double(length) }

    /// One batch: one-hot inputs `[T, batch, 10]` and labels `[T, batch]` (as scalars 0…8).
    func batch<S: TensorScalar, G: RandomNumberGenerator>(
        size: Int, as _: S.Type = S.self, using generator: inout G
    ) -> (inputs: Tensor<S>, labels: [[Int]]) {
        let t = length
        var labels = [[Int]](repeating: [Int](repeating: 0, count: size), count: t)
        let inputs = Tensor<S>(shape: [t, size, inputClasses]) { out in
            out.initialize(repeating: 0)
            for b in 0..<size {
                var tokens = [Int](repeating: 0, count: t)
                for i in 0..<symbolCount {
                    let symbol = Int.random(in: 1...8, using: &generator)
                    tokens[i] = symbol
                    labels[delay + 10 + i][b] = symbol
                }
                tokens[delay + 10] = 9
                for step in 0..<t {
                    out[(step * size + b) * inputClasses + tokens[step]] = 1
                }
            }
        }
        return (inputs, labels)
    }
}
