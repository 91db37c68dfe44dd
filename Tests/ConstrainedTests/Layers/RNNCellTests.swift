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
            let (_, gradients) = try valueWithGradient(of: cell) { c in c.unrolled(over: xs).outputs.sum() }
            #expect(cell.$recurrent.cacheStatistics == CacheStatistics(evaluations: 1, hits: steps - 1),
                    "training step \(trainingStep): one evaluation for \(steps) reads")
            #expect(counter.evaluations == trainingStep)
            sgd.update(cell, along: gradients)
        }
    }

    @Test func unrollingReadsTheRecurrentKernelEveryStepButEvaluatesItOncePerTrainingStep() throws {
        try oneEvaluationPerStep(Float.self)
        try oneEvaluationPerStep(Double.self)
    }
}
