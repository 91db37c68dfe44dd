import Testing
@testable import Constrained

@Suite("RNNCell")
struct RNNCellTests {
    /// A cell with the fixture's kernels (bias and recurrent kernel set through the wrappers).
    func cell<S: TensorScalar>(_ c: Fixture.Case, _ nonlinearity: RNNCell<S>.Nonlinearity) -> RNNCell<S> {
        let hidden = c.inputs["recurrent"]!.shape[0], inputSize = c.inputs["input"]!.shape[1]
        let cell = RNNCell<S>(inputSize: inputSize, hiddenSize: hidden, nonlinearity: nonlinearity, seed: 0)
        cell.input = c.input("input")
        cell.recurrent = c.input("recurrent")
        cell.bias = c.input("bias")
        return cell
    }

    func matchesFixture<S: TensorScalar>(_: S.Type) throws {
        for c in try Fixture.load("layers_rnn").cases {
            guard case .string(let name) = c.params?["nonlinearity"] else { Issue.record("no nonlinearity"); continue }
            let cell: RNNCell<S> = cell(c, name == "tanh" ? .tanh : .relu)
            let (outputs, last) = cell.unrolled(over: c.input("xs"), initialState: c.input("h0"))
            let expected: Tensor<S> = c.output("outputs")
            #expect(outputs.shape == expected.shape)
            #expect(maxRelativeError(outputs, expected) <= tolerance(S.self) * 8, "\(c.name)")
            let steps = expected.shape[0]
            #expect(last == outputs.slice(at: steps - 1))
        }
    }

    @Test func unrolledStatesMatchNumPy() throws {
        try matchesFixture(Float.self)
        try matchesFixture(Double.self)
    }

    func shapesAndNames<S: TensorScalar>(_: S.Type) {
        let cell = RNNCell<S>(inputSize: 10, hiddenSize: 6, seed: 1)
        #expect(cell.input.shape == [6, 10] && cell.recurrent.shape == [6, 6] && cell.bias?.shape == [6])
        #expect(cell(Tensor<S>.zeros([4, 10]), state: cell.zeroState(batchSize: 4)).shape == [4, 6])
        #expect(cell.parameterNames == ["input", "recurrent", "bias"])
        let modReLU = RNNCell<S>(inputSize: 10, hiddenSize: 6, nonlinearity: .modReLU, recurrent: SkewPart(), seed: 1)
        #expect(modReLU.parameterNames == ["input", "recurrent.original", "bias", "modReLU.bias"])
    }

    @Test func shapesAndTraversalNames() {
        shapesAndNames(Float.self)
        shapesAndNames(Double.self)
    }

    @Test func nestedCellHasDottedNamesForItsConstrainedKernel() {
        final class Model: Layer {
            let cell = RNNCell<Double>(inputSize: 3, hiddenSize: 4, recurrent: ScaledMatrixView(), seed: 2)
            let head = Linear<Double>(4, 2, seed: 3)
        }
        let model = Model()
        #expect(model.parameterNames == ["cell.input", "cell.recurrent.original", "cell.bias", "head.weight", "head.bias"])
        #expect(model.stateNames == ["cell.recurrent.0.scale", "cell.recurrent.0.calls"])
    }

    @Test func gradientsOfThreeUnrolledStepsMatchFiniteDifferences() throws {
        for nonlinearity in [RNNCell<Double>.Nonlinearity.tanh, .modReLU] {
            let cell = RNNCell<Double>(inputSize: 3, hiddenSize: 4, nonlinearity: nonlinearity, seed: 4)
            let xs = Tensor<Double>.randomNormal([3, 2, 3], seed: 5)
            let h0 = Tensor<Double>.randomNormal([2, 4], seed: 6)
            let check = try layerGradientCheck(cell) { c in weightedSum(c.unrolled(over: xs, initialState: h0).outputs) }
            #expect(check.passed, "\(nonlinearity): \(check)")
        }
        let constrained = RNNCell<Double>(inputSize: 2, hiddenSize: 3, recurrent: SkewPart(), seed: 7)
        let xs = Tensor<Double>.randomNormal([3, 2, 2], seed: 8)
        let check = try layerGradientCheck(constrained) { c in weightedSum(c.unrolled(over: xs).last) }
        #expect(check.passed, "skew recurrent: \(check)")
        #expect(check.checkedNames == ["input", "recurrent.original", "bias"])
    }

    @Test func gradientsReachTheInputSequenceAndInitialState() throws {
        let cell = RNNCell<Double>(inputSize: 3, hiddenSize: 4, seed: 9)
        let check = try gradientCheck(at: [Tensor<Double>.randomNormal([3, 2, 3], seed: 1),
                                           Tensor<Double>.randomNormal([2, 4], seed: 2)]) { xs in
            cell.unrolled(over: xs[0], initialState: xs[1]).outputs
        }
        #expect(check.passed, "\(check)")
    }

    func oneEvaluationPerStep<S: TensorScalar>(_: S.Type) throws {
        let counter = CountingSquare<S>()
        let cell = RNNCell<S>(inputSize: 3, hiddenSize: 4, recurrent: counter, seed: 10)
        let sgd = SGD(for: cell, learningRate: 0.01)
        let steps = 25
        let xs = Tensor<S>.randomNormal([steps, 2, 3], seed: 11)
        for trainingStep in 1...3 {
            cell.$recurrent.resetCacheStatistics()
            // A user's loop reads the kernel at every step.
            let (_, gradients) = try valueWithGradient(of: cell) { c in
                var h = c.zeroState(batchSize: 2), total = Tensor<S>(0)
                for t in 0..<steps {
                    h = c(xs.slice(at: t), state: h)
                    total = total + h.sum()
                }
                return total
            }
            #expect(cell.$recurrent.cacheStatistics == CacheStatistics(evaluations: 1, hits: steps - 1),
                    "training step \(trainingStep): one evaluation for \(steps) reads")
            #expect(counter.evaluations == trainingStep)
            sgd.update(cell, along: gradients)
        }
        cell.$recurrent.resetCacheStatistics()
        _ = try valueWithGradient(of: cell) { c in c.unrolled(over: xs).outputs.sum() }
        #expect(cell.$recurrent.cacheStatistics == CacheStatistics(evaluations: 1, hits: 0),
                "unrolled reads the kernel once")
    }

    @Test func aLoopOverStepsReadsTheRecurrentKernelEveryStepButEvaluatesItOncePerTrainingStep() throws {
        try oneEvaluationPerStep(Float.self)
        try oneEvaluationPerStep(Double.self)
    }

    /// The sequence node against the same cell run step by step (one node per step, an
    /// independent derivation of the same gradients): values and every parameter's and
    /// input's gradient, with a chunk of `chunkRows` rows in the backward pass.
    func sequenceMatchesSteps<S: TensorScalar>(_: S.Type, _ nonlinearity: RNNCell<S>.Nonlinearity,
                                               initialState: Bool, bias: Bool, chunkRows: Int,
                                               useOutputs: Bool = true, useLast: Bool = false) throws {
        let (steps, batch, inputSize, hidden) = (7, 3, 4, 5)
        let cell = RNNCell<S>(inputSize: inputSize, hiddenSize: hidden, nonlinearity: nonlinearity, bias: bias, seed: 12)
        if let m = cell.modReLU { m.bias = Tensor<S>.randomUniform([hidden], from: -0.3, to: 0.3, seed: 13) }
        let xs = Tensor<S>.randomNormal([steps, batch, inputSize], seed: 14)
        let h0 = initialState ? Tensor<S>.randomNormal([batch, hidden], seed: 15) : nil
        let v = Tensor<S>.randomNormal([steps, batch, hidden], seed: 16)
        let w = Tensor<S>.randomNormal([batch, hidden], seed: 21)
        func run(_ sequence: Bool) throws -> (Tensor<S>, [Tensor<S>]) {
            let tape = GradientTape()
            let x = tape.watch(xs), h = h0.map { tape.watch($0) }
            let wIn = tape.watch(cell.input), wRec = tape.watch(cell.recurrent)
            let b = cell.bias.map { tape.watch($0) }, mod = cell.modReLU.map { tape.watch($0.bias) }
            let (y, last): (Tensor<S>, Tensor<S>) = tape.record {
                if sequence {
                    return RNNCell<S>.sequence(x, initialState: h, input: wIn, recurrent: wRec, bias: b,
                                               nonlinearity: nonlinearity, modReLUBias: mod, chunkRows: chunkRows)
                }
                var state = h ?? cell.zeroState(batchSize: batch)
                var states: [Tensor<S>] = []
                for t in 0..<steps {
                    switch nonlinearity {
                    case .tanh: state = RNNCell<S>.affineTanh(x.slice(at: t), state, input: wIn, recurrent: wRec, bias: b)
                    case .relu: state = relu(RNNCell<S>.affine(x.slice(at: t), state, input: wIn, recurrent: wRec, bias: b))
                    case .modReLU:
                        state = RNNCell<S>.affineModReLU(x.slice(at: t), state, input: wIn, recurrent: wRec, bias: b,
                                                         modReLUBias: mod!)
                    }
                    states.append(state)
                }
                return (stack(states), state)
            }
            let loss = tape.record {
                (useOutputs ? (y * v).sum() : Tensor<S>(0)) + (useLast ? (last * w).sum() : Tensor<S>(0))
            }
            let wrt = [x] + (h.map { [$0] } ?? []) + [wIn, wRec] + (b.map { [$0] } ?? []) + (mod.map { [$0] } ?? [])
            return (y.detached(), try tape.gradient(of: loss, wrt: wrt))
        }
        let (ySequence, gSequence) = try run(true), (ySteps, gSteps) = try run(false)
        let label = "\(S.self) \(nonlinearity) h0 \(initialState) bias \(bias) chunk \(chunkRows) uses \(useOutputs) \(useLast)"
        #expect(maxRelativeError(ySequence, ySteps) <= tolerance(S.self), "\(label): values")
        #expect(gSequence.count == gSteps.count)
        for (k, (a, e)) in zip(gSequence, gSteps).enumerated() {
            #expect(maxRelativeError(a, e) <= tolerance(S.self) * 4, "\(label): gradient \(k)")
        }
    }

    @Test func sequenceNodeMatchesTheStepByStepGraph() throws {
        for nonlinearity in [RNNCell<Double>.Nonlinearity.tanh, .relu, .modReLU] {
            for (initialState, bias) in [(false, true), (true, true), (true, false)] {
                for chunkRows in [3, 6, 8192] {   // 1 and 2 steps per chunk (7 steps), and one chunk
                    try sequenceMatchesSteps(Double.self, nonlinearity, initialState: initialState, bias: bias,
                                             chunkRows: chunkRows)
                }
            }
        }
        for nonlinearity in [RNNCell<Double>.Nonlinearity.tanh, .relu, .modReLU] {
            for (useOutputs, useLast) in [(false, true), (true, true)] {
                try sequenceMatchesSteps(Double.self, nonlinearity, initialState: true, bias: true, chunkRows: 6,
                                         useOutputs: useOutputs, useLast: useLast)
            }
        }
        for nonlinearity in [RNNCell<Float>.Nonlinearity.tanh, .modReLU] {
            try sequenceMatchesSteps(Float.self, nonlinearity, initialState: true, bias: true, chunkRows: 6)
            try sequenceMatchesSteps(Float.self, nonlinearity, initialState: false, bias: true, chunkRows: 6,
                                     useOutputs: false, useLast: true)
        }
    }

    @Test func sequenceNodeGradientsMatchFiniteDifferencesAcrossChunks() throws {
        for nonlinearity in [RNNCell<Double>.Nonlinearity.tanh, .relu, .modReLU] {
            let cell = RNNCell<Double>(inputSize: 3, hiddenSize: 4, nonlinearity: nonlinearity, seed: 17)
            let modBias = Tensor<Double>.randomUniform([4], from: -0.3, to: 0.3, seed: 18)
            var inputs = [Tensor<Double>.randomNormal([5, 2, 3], seed: 19), Tensor<Double>.randomNormal([2, 4], seed: 20),
                          cell.input, cell.recurrent, cell.bias!]
            if nonlinearity == .modReLU { inputs.append(modBias) }
            for useLast in [false, true] {
                let check = try gradientCheck(at: inputs) { p in
                    let r = RNNCell<Double>.sequence(p[0], initialState: p[1], input: p[2], recurrent: p[3], bias: p[4],
                                                     nonlinearity: nonlinearity, modReLUBias: p.count > 5 ? p[5] : nil,
                                                     chunkRows: 4)   // two steps per chunk
                    return useLast ? r.last : r.outputs
                }
                #expect(check.passed, "\(nonlinearity), last \(useLast): \(check)")
            }
        }
    }
}
