import Constrained

/// The `constrained` suite (issue 4, issue 5 item 2): constrained layers trained end to end,
/// the cost of a cached read, and each parametrization alone. Peer:
/// `Scripts/bench/peer_torch_constrained.py` (`torch.nn.utils.parametrize`), which names every
/// workload the same way; its `torch` lines run inside `parametrize.cached()` and its
/// `torch-uncached` lines outside it. Ours need no such call: the value is cached per tape and
/// per version of the original, with no user action.
///
/// Workloads and their `n`:
/// - `rnn-orthogonal-h190` (`n` = T): one training step of an RNN (tanh, input 10, hidden 190,
///   batch 128) with an `Orthogonal(.matrixExp)` recurrent kernel, `Linear(190, 10)` on the
///   last state, cross-entropy, SGD. The sequence is a user-written loop over the cell
///   (`h = cell(x_t, state: h)`, one graph node per step), as the peer's loop.
/// - `rnn-sequence-orthogonal-h190`: the same step through `cell.unrolled(over:)`, the whole
///   sequence one node with its hand-written backward pass; the peer runs `nn.RNN` (the
///   orthogonal parametrization on `weight_hh_l0`).
/// - `copy-task-h190` (`n` = T = 120): the copy task (L = 100, one-hot 10 in, 9 classes out)
///   with modReLU, orthogonal recurrent kernel, cross-entropy over every step, RMSprop; a
///   user-written loop over the cell.
/// - `copy-task-sequence-h190`: the same through `cell.unrolled(over:)` (the demo's path);
///   the peer keeps its loop, as `nn.RNN` has no modReLU.
/// - `linear-orthogonal-<map>`, `linear-spectral_norm`, `linear-weight_norm` (`n` = 256): a
///   `Linear(256, 256)` step, batch 64, MSE loss, SGD.
/// - `cached-read-orthogonal` (`n` = 256): 1000 reads of `layer.weight` after it is cached.
/// - `traversal-reflection`, `traversal-declared` (`n` = 5 tensors): one training step's
///   traversals of the `rnn-orthogonal-h190` model (see `TraversalWorkloads.swift`).
/// - `param-<name>` (`n` = 64/256/512): the parametrization's `forward` on a tape, and with
///   the gradient of `sum(Y ⊙ W)` (as the `autodiff` suite).
///
/// The training steps run in Float and in Double (the peer in float32 and float64).
///
/// Timed with `phase = train-step` for the training steps (forward, backward and the optimizer
/// update), `forward` for the reads and for the parametrizations alone.
func constrainedWorkloads(quick: Bool) -> [Workload] {
    var all: [Workload] = []
    for t in quick ? [20] : [200, 1000] {
        for sequence in [false, true] {
            all.append(rnnTrainStep(Double.self, steps: t, sequence: sequence))
            all.append(rnnTrainStep(Float.self, steps: t, sequence: sequence))
        }
    }
    for sequence in [false, true] {
        all.append(copyTaskTrainStep(Double.self, delay: quick ? 10 : 100, sequence: sequence))
        all.append(copyTaskTrainStep(Float.self, delay: quick ? 10 : 100, sequence: sequence))
    }
    all += linearTrainSteps(Double.self) + linearTrainSteps(Float.self)
    all.append(cachedRead())
    all.append(cachedReadUserLayer())
    all += traversalWorkloads()
    for n in quick ? [64] : [64, 256, 512] {
        all += parametrizationWorkloads(n: n)
    }
    return all
}

/// The `Linear` training steps with each constrained weight.
private func linearTrainSteps<Scalar: TensorScalar>(_: Scalar.Type) -> [Workload] {
    Orthogonal<Scalar>.Map.allCases.map { map in
        linearTrainStep("linear-orthogonal-\(torchName(map))", Orthogonal<Scalar>(map: map))
    } + [
        linearTrainStep("linear-spectral_norm", SpectralNorm<Scalar>()),
        linearTrainStep("linear-weight_norm", WeightNorm<Scalar>()),
    ]
}

/// PyTorch's name of an orthogonal map (`orthogonal_map=`), which the workload names use.
private func torchName<Scalar: TensorScalar>(_ map: Orthogonal<Scalar>.Map) -> String {
    switch map {
    case .matrixExp: "matrix_exp"
    case .cayley: "cayley"
    case .householder: "householder"
    }
}

/// A recurrent classifier: `RNNCell` unrolled over the sequence, then a linear readout.
private final class RecurrentClassifier<Scalar: TensorScalar>: Layer {
    let cell: RNNCell<Scalar>
    let readout: Linear<Scalar>

    init(input: Int, hidden: Int, classes: Int, nonlinearity: RNNCell<Scalar>.Nonlinearity) {
        cell = RNNCell(inputSize: input, hiddenSize: hidden, nonlinearity: nonlinearity,
                       recurrent: Orthogonal(map: .matrixExp), seed: 1)
        readout = Linear(hidden, classes, seed: 2)
    }
}

/// A user's loop over the cell: `h = cell(x_t, state: h)` for every step; the states.
private func userLoop<Scalar: TensorScalar>(_ cell: RNNCell<Scalar>, _ xs: Tensor<Scalar>) -> [Tensor<Scalar>] {
    var h = cell.zeroState(batchSize: xs.shape[1])
    var states: [Tensor<Scalar>] = []
    states.reserveCapacity(xs.shape[0])
    for t in 0..<xs.shape[0] {
        h = cell(xs.slice(at: t), state: h)
        states.append(h)
    }
    return states
}

/// Workload 1: forward over `steps` steps (the user loop or the sequence node), loss on the
/// last state, backward, SGD step.
private func rnnTrainStep<Scalar: TensorScalar>(_: Scalar.Type, steps: Int, sequence: Bool) -> Workload {
    let (batch, input, hidden, classes) = (128, 10, 190, 10)
    return Workload(suite: "constrained", name: "rnn-\(sequence ? "sequence-" : "")orthogonal-h\(hidden)", dtype: dtypeName(Scalar.self), n: steps,
                    phase: .trainStep) {
        let model = RecurrentClassifier<Scalar>(input: input, hidden: hidden, classes: classes, nonlinearity: .tanh)
        let xs = Tensor<Scalar>.randomNormal([steps, batch, input], seed: 3)
        let labels = (0..<batch).map { $0 % classes }
        let optimizer = SGD(for: model, learningRate: 1e-3)
        return {
            let (loss, gradients) = try valueWithGradient(of: model) { m in
                let last = sequence ? m.cell.unrolled(over: xs).last : userLoop(m.cell, xs).last!
                return crossEntropy(logits: m.readout(last), labels: labels)
            }
            optimizer.update(model, along: gradients)
            blackHole(loss)
        }
    }
}

/// Workload 6: one step of the copy task (Arjovsky et al. 2016, as expRNN sets it up): ten
/// digits from 1…8, `delay` blanks (0) with the marker (9) at the tenth-last of them, then ten
/// blanks while the model must output the digits; input one-hot over 10 symbols, output 9
/// classes, cross-entropy over all `delay + 20` steps. The peer builds the same sequence.
private func copyTaskTrainStep<Scalar: TensorScalar>(_: Scalar.Type, delay: Int, sequence: Bool) -> Workload {
    let (batch, hidden, symbols, classes) = (128, 190, 10, 9)
    let steps = delay + 20
    return Workload(suite: "constrained", name: "copy-task-\(sequence ? "sequence-" : "")h\(hidden)", dtype: dtypeName(Scalar.self), n: steps,
                    phase: .trainStep) {
        let model = RecurrentClassifier<Scalar>(input: symbols, hidden: hidden, classes: classes, nonlinearity: .modReLU)
        var g = SeededGenerator(seed: 4)
        let digits = (0..<batch).map { _ in (0..<10).map { _ in Int.random(in: 1...8, using: &g) } }
        // inputs[t][b] and labels[t][b], time-major as the RNN reads them.
        var inputs = [[Int]](repeating: [Int](repeating: 0, count: batch), count: steps)
        var labels = inputs
        for b in 0..<batch {
            for i in 0..<10 {
                inputs[i][b] = digits[b][i]
                labels[steps - 10 + i][b] = digits[b][i]
            }
            inputs[steps - 11][b] = 9
        }
        let xs = Tensor<Scalar>(shape: [steps, batch, symbols]) { out in
            out.initialize(repeating: 0)
            for t in 0..<steps { for b in 0..<batch { out[(t * batch + b) * symbols + inputs[t][b]] = 1 } }
        }
        let flatLabels = labels.flatMap { $0 }
        let optimizer = RMSprop(for: model, learningRate: 1e-3)
        return {
            let (loss, gradients) = try valueWithGradient(of: model) { m in
                let outputs = sequence ? m.cell.unrolled(over: xs).outputs : stack(userLoop(m.cell, xs))
                let states = outputs.reshaped(to: [steps * batch, hidden])
                return crossEntropy(logits: m.readout(states), labels: flatLabels)
            }
            optimizer.update(model, along: gradients)
            blackHole(loss)
        }
    }
}

/// Workloads 2 and 3: a `Linear(256, 256)` with a constrained weight, batch 64, MSE, SGD.
private func linearTrainStep<P: Parametrization>(_ name: String, _ parametrization: P) -> Workload {
    let (batch, n) = (64, 256)
    return Workload(suite: "constrained", name: name, dtype: dtypeName(P.Scalar.self), n: n, phase: .trainStep) {
        let layer = Linear(n, n, weight: parametrization, seed: 1)
        let x = Tensor<P.Scalar>.randomNormal([batch, n], seed: 2)
        let y = Tensor<P.Scalar>.randomNormal([batch, n], seed: 3)
        let optimizer = SGD(for: layer, learningRate: 1e-3)
        return {
            let (loss, gradients) = try valueWithGradient(of: layer) { l in meanSquaredError(l(x), y) }
            optimizer.update(layer, along: gradients)
            blackHole(loss)
        }
    }
}

/// Workload 4: the cost of reading a cached constrained property, 1000 reads per run (the
/// report divides nothing: the time shown is for the 1000 reads).
private func cachedRead() -> Workload {
    Workload(suite: "constrained", name: "cached-read-orthogonal-x1000", dtype: "float64", n: 256,
             phase: .forward) {
        let layer = Linear(256, 256, weight: Orthogonal<Double>(map: .matrixExp), seed: 1)
        blackHole(layer.weight)
        return {
            for _ in 0..<1000 { blackHole(layer.weight) }
        }
    }
}

/// A layer as a user writes one (README): a non-generic class in the user's module, so the
/// property's getter is specialised through the wrapper's `@inlinable` fast path.
private final class OrthogonalWeightLayer: Layer {
    @Constrained(Orthogonal<Double>(map: .matrixExp)) var weight = Tensor<Double>.eye(256)
}

/// Workload 4b: the same 1000 cached reads through a user-declared layer.
private func cachedReadUserLayer() -> Workload {
    Workload(suite: "constrained", name: "cached-read-user-layer-x1000", dtype: "float64", n: 256,
             phase: .forward) {
        let layer = OrthogonalWeightLayer()
        blackHole(layer.weight)
        return {
            for _ in 0..<1000 { blackHole(layer.weight) }
        }
    }
}

/// Workload 5: each parametrization alone, forward and forward+backward, on an n×n original.
private func parametrizationWorkloads(n: Int) -> [Workload] {
    let w = WorkloadBuilder<Double>(suite: "constrained", n: n)
    func p<P: Parametrization>(_ name: String, _ parametrization: P, input: @escaping () -> Tensor<Double> = { w.scaledMatrix() })
    -> [Workload] where P.Scalar == Double {
        w.differentiable("param-\(name)", input: input) { x in
            var q = parametrization  // forward is mutating in the protocol; state lives in buffers
            return [try q.forward(x)]
        }
    }
    let weightNorm = WeightNorm<Double>()
    return [
        p("skew", Skew()),
        p("skew_cayley", Skew() >>> CayleyMap()),
        p("skew_matrix_exp", Skew() >>> MatrixExp()),
        p("orthogonal-matrix_exp", Orthogonal(map: .matrixExp)),
        p("orthogonal-cayley", Orthogonal(map: .cayley)),
        p("orthogonal-householder", Orthogonal(map: .householder)),
        p("spectral_norm", SpectralNorm()),
        p("weight_norm", weightNorm, input: {
            // g is initialised at the first read from the original: do it before timing.
            let x = w.scaledMatrix()
            _ = try? weightNorm.rightInverse(x)
            return x
        }),
        p("positive_softplus", Positive()),
        p("positive_definite", PositiveDefinite()),
    ].flatMap { $0 }
}
