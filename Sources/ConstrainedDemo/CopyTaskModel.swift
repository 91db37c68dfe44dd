import Constrained

/// expRNN's model for the copying task: an RNN cell with modReLU and no cell bias (modReLU's
/// bias is the only one), its recurrent kernel orthogonal or plain, and a linear readout from
/// the hidden state to the 9 output classes at every step.
///
/// Initialisation follows expRNN's `1_copying.py`: the recurrent kernel is a torus sample
/// (2 × 2 rotations with angles uniform in (−π, π), "henaff" there), the input kernel and the
/// readout weight are He-normal (`N(0, 2/fanIn)`), the readout bias is zero, modReLU's bias
/// uniform in (−0.01, 0.01). The plain model (`orthogonal: false`) starts from the very same
/// numbers, so the runs differ only in the constraint.
final class CopyTaskModel<Scalar: TensorScalar>: Layer {
    let cell: RNNCell<Scalar>
    let readout: Linear<Scalar>

    /// Whether the recurrent kernel is constrained to be orthogonal.
    var isOrthogonal: Bool { cell.$recurrent.isParametrized }

    init(hiddenSize: Int, orthogonal: Bool, seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        let inputs = CopyTask.inputClasses, classes = CopyTask.outputClasses
        cell = RNNCell(inputSize: inputs, hiddenSize: hiddenSize, nonlinearity: .modReLU, bias: false,
                       recurrent: orthogonal ? Orthogonal<Scalar>() : nil, using: &g)
        cell.input = Tensor.randomNormal([hiddenSize, inputs], standardDeviation: (2 / Scalar(inputs)).squareRoot(),
                                         using: &g)
        // With Orthogonal (dynamic trivialisation) the assignment makes the sample the base
        // and resets the original to the chart's origin; without, it is the matrix itself.
        cell.recurrent = Orthogonal<Scalar>.torusSample(n: hiddenSize, using: &g)
        readout = Linear(weight: Tensor.randomNormal([classes, hiddenSize],
                                                     standardDeviation: (2 / Scalar(hiddenSize)).squareRoot(), using: &g),
                         bias: Tensor.zeros([classes]))
    }

    /// The class scores `[T, batch, 9]` for one-hot inputs `[T, batch, 10]`.
    func logits(_ inputs: Tensor<Scalar>) -> Tensor<Scalar> {
        let (states, _) = cell.unrolled(over: inputs)
        return readout(states)
    }
}

/// The share of correct argmax predictions of `logits` `[T, batch, classes]` against
/// `labels` (time-major, as ``CopyTask/batch(size:as:using:)``) over the time steps `steps`.
func accuracy<Scalar: TensorScalar>(_ logits: Tensor<Scalar>, labels: [Int], steps: Range<Int>) -> Double {
    precondition(logits.rank == 3 && labels.count == logits.shape[0] * logits.shape[1],
                 "accuracy: logits shape \(logits.shape) does not match \(labels.count) labels")
    let batch = logits.shape[1], classes = logits.shape[2]
    var correct = 0
    logits.withUnsafeBufferPointer { p in
        for t in steps {
            for b in 0..<batch {
                let row = (t * batch + b) * classes
                var best = 0
                for c in 1..<classes where p[row + c] > p[row + best] { best = c }
                if best == labels[t * batch + b] { correct += 1 }
            }
        }
    }
    return Double(correct) / Double(max(steps.count * batch, 1))
}
