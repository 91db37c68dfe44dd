import Testing
@testable import Constrained

/// Layers whose weights carry the catalogue's constraints, as users declare them.
@Suite("Layers with constrained weights")
struct ConstrainedLayerTests {
    /// The largest singular value of `w` viewed as `[w.shape[0], rest]`.
    func spectralNorm<S: TensorScalar>(_ w: Tensor<S>) throws -> S {
        try singularValues(w.reshaped(to: [w.shape[0], -1])).scalars.max()!
    }

    /// `‖QᵀQ − I‖_max` for a square `q`.
    func orthogonalityError<S: TensorScalar>(_ q: Tensor<S>) -> S {
        largestDifference(matmul(q, transposed: true, q, transposed: false), Tensor<S>.eye(q.shape[1]))
    }

    func spectrallyNormalisedLinear<S: TensorScalar>(_: S.Type) throws {
        let layer = Linear(5, 4, weight: SpectralNorm<S>(), seed: 1)
        #expect(layer.parameterNames == ["weight.original", "bias"])
        #expect(layer.stateNames == ["weight.0.u", "weight.0.v"])
        let sigma = try spectralNorm(layer.weight)
        #expect(abs(sigma - 1) <= 1e-3, "σ(W) = \(sigma) after the warm-up")
    }

    @Test func linearWithSpectralNormHasUnitSpectralNormAndPyTorchsNames() throws {
        try spectrallyNormalisedLinear(Float.self)
        try spectrallyNormalisedLinear(Double.self)
    }

    func orthogonalLinear<S: TensorScalar>(_: S.Type) throws {
        let n = 6
        let created = Linear(n, n, weight: Orthogonal<S>(), seed: 2)
        #expect(orthogonalityError(created.weight) <= 10 * S(n) * S.ulpOfOne)
        let registered = Linear<S>(n, n, seed: 3)
        try registered.constrainWeight(Orthogonal())
        #expect(orthogonalityError(registered.weight) <= 10 * S(n) * S.ulpOfOne)
        #expect(registered.parameterNames == ["weight.original", "bias"])
    }

    @Test func linearWithOrthogonalWeightIsOrthogonalAtCreationAndAfterRegistration() throws {
        try orthogonalLinear(Float.self)
        try orthogonalLinear(Double.self)
    }

    func spectrallyNormalisedConvolution<S: TensorScalar>(_: S.Type) throws {
        let conv = Conv2d(3, 4, kernelSize: 3, padding: 1, weight: SpectralNorm<S>(), seed: 4)
        #expect(conv.weight.shape == [4, 3, 3, 3])
        #expect(conv(Tensor<S>.randomNormal([2, 3, 5, 5], seed: 5)).shape == [2, 4, 5, 5])
        // The kernel is the original divided by the power-iteration estimate uᵀ M v of the
        // spectral norm of its [out, in·k·k] view M.
        let sn = try #require(conv.$weight.parametrization(as: SpectralNorm<S>.self))
        let original = conv.$weight.original
        let view = original.reshaped(to: [4, 27])
        let estimate = (sn.u * matmul(view, sn.v)).sum().scalar
        #expect(maxRelativeError(conv.weight, original / estimate) <= tolerance(S.self))
        // Each training-mode evaluation runs one more iteration: σ converges to 1.
        for _ in 0..<100 {
            conv.$weight.invalidate()
            _ = conv.weight
        }
        let sigma = try spectralNorm(conv.weight)
        #expect(abs(sigma - 1) <= 1e-3, "σ of the [out, in·k·k] view = \(sigma)")
    }

    @Test func conv2dWithSpectralNormNormalisesTheOutByInKKView() throws {
        try spectrallyNormalisedConvolution(Float.self)
        try spectrallyNormalisedConvolution(Double.self)
    }

    func skewConvolution<S: TensorScalar>(_: S.Type) {
        let conv = Conv2d(2, 3, kernelSize: 3, weight: Skew<S>(), seed: 6)
        let w = conv.weight
        #expect(largestDifference(w, -w.transposed()) == 0, "every k×k kernel is skew-symmetric")
    }

    @Test func conv2dWithSkewHasSkewSymmetricKernels() {
        skewConvolution(Float.self)
        skewConvolution(Double.self)
    }

    @Test func constrainedConvolutionGradientsMatchFiniteDifferences() throws {
        let x = Tensor<Double>.randomNormal([1, 2, 4, 4], seed: 7)
        let skew = Conv2d(2, 2, kernelSize: 2, weight: Skew<Double>(), seed: 8)
        let skewCheck = try layerGradientCheck(skew) { weightedSum($0(x)) }
        #expect(skewCheck.passed, "skew: \(skewCheck)")
        // Spectral norm in evaluation mode: u, v fixed, so the map is a smooth function of the
        // original that finite differences can follow (training mode would move u, v per read).
        let normalised = Conv2d(2, 3, kernelSize: 2, weight: SpectralNorm<Double>(), seed: 9)
        normalised.isTraining = false
        let snCheck = try layerGradientCheck(normalised, relativeTolerance: 1e-5) { weightedSum($0(x)) }
        #expect(snCheck.passed, "spectral norm: \(snCheck)")
    }

    func orthogonalRecurrence<S: TensorScalar>(_: S.Type) throws {
        let cell = RNNCell<S>(inputSize: 4, hiddenSize: 8, nonlinearity: .modReLU, recurrent: Orthogonal(), seed: 10)
        #expect(cell.parameterNames == ["input", "recurrent.original", "bias", "modReLU.bias"])
        #expect(orthogonalityError(cell.recurrent) <= 10 * 8 * S.ulpOfOne)
        let optimizer = RMSprop(for: cell, learningRate: 1e-3, learningRates: ["recurrent": 1e-4])
        let steps = 30
        let xs = Tensor<S>.randomNormal([steps, 3, 4], seed: 11)
        for _ in 0..<3 {
            cell.$recurrent.resetCacheStatistics()
            let (_, gradients) = try valueWithGradient(of: cell) { c in
                let outputs = c.unrolled(over: xs).outputs
                return (outputs * outputs).sum()
            }
            // The sequence node reads the kernel once.
            #expect(cell.$recurrent.cacheStatistics == CacheStatistics(evaluations: 1, hits: 0))
            optimizer.update(cell, along: gradients)
        }
        #expect(orthogonalityError(cell.recurrent) <= 10 * 8 * S.ulpOfOne, "still orthogonal after training")
    }

    @Test func orthogonalRNNCellEvaluatesItsKernelOncePerTrainingStepAndStaysOrthogonal() throws {
        try orthogonalRecurrence(Float.self)
        try orthogonalRecurrence(Double.self)
    }

    @Test func orthogonalRecurrentKernelTakesTheTorusInitialisationByAssignment() {
        // expRNN's initialisation for the copy task: assign a torus sample as the constrained
        // value; the right inverse moves the base there, so the kernel reads it back.
        let cell = RNNCell<Double>(inputSize: 10, hiddenSize: 8, nonlinearity: .modReLU, recurrent: Orthogonal(), seed: 14)
        var g = SeededGenerator(seed: 15)
        let sample = Orthogonal<Double>.torusSample(n: 8, using: &g)
        cell.recurrent = sample
        #expect(maxRelativeError(cell.recurrent, sample) <= 64 * Double.ulpOfOne)
        #expect(cell.stateNames == ["recurrent.0.base"])
    }

    @Test func orthogonalRecurrentGradientsMatchFiniteDifferences() throws {
        let cell = RNNCell<Double>(inputSize: 2, hiddenSize: 3, recurrent: Orthogonal(map: .cayley), seed: 12)
        let xs = Tensor<Double>.randomNormal([3, 2, 2], seed: 13)
        let check = try layerGradientCheck(cell, relativeTolerance: 1e-5) { c in
            weightedSum(c.unrolled(over: xs).outputs)
        }
        #expect(check.passed, "\(check)")
    }

    /// The seed example: `Linear(3, 4)` with spectral norm fitted by SGD to data made by a
    /// spectrally normalised target map.
    @Test func spectrallyNormalisedLinearFitsASpectrallyNormalisedTarget() throws {
        let raw = Tensor<Double>.randomNormal([4, 3], seed: 14)
        let target = raw / (try spectralNorm(raw))
        let targetBias = Tensor<Double>.randomNormal([4], seed: 15)
        let x = Tensor<Double>.randomNormal([64, 3], seed: 16)
        let y = linear(x, weight: target, bias: targetBias)
        let model = Linear(3, 4, weight: SpectralNorm<Double>(), seed: 17)
        let sgd = SGD(for: model, learningRate: 0.1)
        var loss = Double.infinity, worstSigma = 0.0
        for _ in 0..<1000 {
            let (value, gradients) = try valueWithGradient(of: model) { m in meanSquaredError(m(x), y) }
            loss = value.scalar
            sgd.update(model, along: gradients)
            worstSigma = max(worstSigma, try spectralNorm(model.weight))
        }
        #expect(loss < 1e-4, "final loss \(loss)")
        #expect(worstSigma <= 1 + 1e-3, "largest σ(W) during training \(worstSigma)")
    }
}
