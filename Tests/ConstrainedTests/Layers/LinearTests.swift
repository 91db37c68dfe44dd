import Testing
@testable import Constrained

@Suite("Linear")
struct LinearTests {
    func matchesFixture<S: TensorScalar>(_: S.Type) throws {
        for c in try Fixture.load("layers_linear").cases {
            let layer = Linear(weight: c.input("weight", as: S.self), bias: c.input("bias", as: S.self))
            let y = layer(c.input("x", as: S.self))
            let error = maxRelativeError(y, c.output("y", as: S.self))
            #expect(error <= tolerance(S.self) * 4, "\(c.name): relative error \(error)")
        }
    }

    @Test func outputMatchesNumPyAffineMap() throws {
        try matchesFixture(Float.self)
        try matchesFixture(Double.self)
    }

    func shapes<S: TensorScalar>(_: S.Type) {
        let layer = Linear<S>(3, 4, seed: 1)
        #expect(layer.weight.shape == [4, 3])
        #expect(layer.bias?.shape == [4])
        let batched = layer(Tensor<S>.randomNormal([2, 5, 3], seed: 2))
        #expect(batched.shape == [2, 5, 4])
        let vector = layer(Tensor<S>.randomNormal([3], seed: 2))
        #expect(vector.shape == [4])
        let noBias = Linear<S>(3, 4, bias: false, seed: 1)
        #expect(noBias.bias == nil)
        #expect(noBias.parameterNames == ["weight"])
    }

    @Test func weightIsOutByInAndLeadingAxesAreKept() {
        shapes(Float.self)
        shapes(Double.self)
    }

    func initialisation<S: TensorScalar>(_: S.Type) {
        let layer = Linear<S>(16, 300, seed: 3)
        let bound = 1 / S(16).squareRoot()
        let w = layer.weight.scalars, b = layer.bias!.scalars
        #expect(w.allSatisfy { abs($0) <= bound } && b.allSatisfy { abs($0) <= bound })
        // Uniform on (−bound, bound): the largest magnitude of 4800 draws is close to the bound.
        #expect(w.map { abs($0) }.max()! > bound * 0.99)
        #expect(Linear<S>(16, 300, seed: 3).weight == layer.weight, "same seed, same weights")
        #expect(Linear<S>(16, 300, seed: 4).weight != layer.weight)
    }

    @Test func initialisationIsPyTorchsUniformBoundAndSeeded() {
        initialisation(Float.self)
        initialisation(Double.self)
    }

    @Test func plainLayerHasPyTorchsParameterNames() {
        #expect(Linear<Double>(3, 4, seed: 0).parameterNames == ["weight", "bias"])
        #expect(Linear<Double>(3, 4, seed: 0).stateNames.isEmpty)
    }

    @Test func gradientsOfWeightBiasAndInputMatchFiniteDifferences() throws {
        for (batch, n, m) in [(4, 3, 5), (1, 6, 2)] {
            let x = Tensor<Double>.randomNormal([batch, n], seed: 11)
            let w = Tensor<Double>.randomNormal([m, n], seed: 12)
            let b = Tensor<Double>.randomNormal([m], seed: 13)
            let check = try gradientCheck(at: [x, w, b]) { xs in linear(xs[0], weight: xs[1], bias: xs[2]) }
            #expect(check.passed, "\(check)")
        }
        let batched = try gradientCheck(at: [Tensor<Double>.randomNormal([2, 3, 4], seed: 5),
                                             Tensor<Double>.randomNormal([2, 4], seed: 6)]) { xs in
            linear(xs[0], weight: xs[1], bias: nil)
        }
        #expect(batched.passed, "\(batched)")
    }

    @Test func layerGradientsByNameMatchFiniteDifferences() throws {
        let layer = Linear<Double>(3, 4, seed: 9)
        let x = Tensor<Double>.randomNormal([5, 3], seed: 10)
        let check = try layerGradientCheck(layer) { weightedSum($0(x)) }
        #expect(check.passed, "\(check)")
        #expect(check.checkedNames == ["weight", "bias"])
    }

    // MARK: A constrained weight

    func constrainedAtCreation<S: TensorScalar>(_: S.Type) {
        let layer = Linear(4, 4, weight: SkewPart<S>(), seed: 2)
        let w = layer.weight
        #expect(largestDifference(w, -w.transposed()) == 0, "the weight is skew-symmetric")
        #expect(layer.parameterNames == ["weight.original", "bias"])
        let x = Tensor<S>.randomNormal([3, 4], seed: 1)
        let expected = matmul(x, w.transposed()) + layer.bias!
        #expect(maxRelativeError(layer(x), expected) <= tolerance(S.self))
    }

    @Test func weightParametrizationAtCreationConstrainsTheWeightAndRenamesIt() {
        constrainedAtCreation(Float.self)
        constrainedAtCreation(Double.self)
    }

    @Test func constrainWeightLaterKeepsTheCurrentValueAsConstrainedValue() throws {
        let layer = Linear<Double>(3, 4, seed: 5)
        let before = layer.weight
        try layer.constrainWeight(ScaledMatrixView())
        #expect(maxRelativeError(layer.weight, before) <= tolerance(Double.self),
                "the right inverse maps the current weight to the original")
        #expect(maxRelativeError(layer.$weight.original, before * 2) <= tolerance(Double.self))
        #expect(layer.parameterNames == ["weight.original", "bias"])
        #expect(layer.stateNames == ["weight.0.scale", "weight.0.calls"])
    }

    @Test func userLayerWithConstrainedWeightUsesTheFunctionalForm() throws {
        final class Skewed: Layer {
            @Constrained(SkewPart()) var weight = Tensor<Double>.zeros([3, 3])
            @Parameter var bias = Tensor<Double>.zeros([3])
            func callAsFunction(_ x: Tensor<Double>) -> Tensor<Double> { linear(x, weight: weight, bias: bias) }
        }
        let layer = Skewed()
        layer.$weight.original = Tensor<Double>.randomNormal([3, 3], seed: 4)
        let x = Tensor<Double>.randomNormal([2, 3], seed: 3)
        #expect(layer.parameterNames == ["weight.original", "bias"])
        let check = try layerGradientCheck(layer) { weightedSum($0(x)) }
        #expect(check.passed, "\(check)")
    }

    @Test func constrainedWeightGradientReachesTheOriginal() throws {
        let layer = Linear(4, 3, weight: ScaledMatrixView<Double>(), seed: 8)
        let x = Tensor<Double>.randomNormal([6, 4], seed: 2)
        let check = try layerGradientCheck(layer) { weightedSum($0(x)) }
        #expect(check.passed, "\(check)")
        #expect(check.checkedNames == ["weight.original", "bias"])
    }
}

@Test func layersDefaultToDoubleWhenTheScalarTypeIsNotWritten() {
    let linear = Linear(8, 2, seed: 1)
    let conv = Conv2d(3, 4, kernelSize: 3, seed: 1)
    let cell = RNNCell(inputSize: 3, hiddenSize: 4, seed: 1)
    #expect(type(of: linear) == Linear<Double>.self)
    #expect(type(of: conv) == Conv2d<Double>.self)
    #expect(type(of: cell) == RNNCell<Double>.self)
    #expect(Linear<Double>(8, 2, seed: 1).weight == linear.weight, "the same initialisation either way")
    #expect(type(of: Linear<Float>(8, 2, seed: 1)) == Linear<Float>.self)
}
