import Testing
@testable import Constrained

@Suite("ModReLU")
struct ModReLUTests {
    func matchesDefinition<S: TensorScalar>(_: S.Type) throws {
        let c = try Fixture.load("layers_modrelu").cases[0]
        let layer = ModReLU(bias: c.input("bias", as: S.self))
        let y = layer(c.input("z", as: S.self))
        #expect(maxRelativeError(y, c.output("y", as: S.self)) <= tolerance(S.self))
    }

    @Test func outputIsSignTimesReluOfShiftedMagnitude() throws {
        try matchesDefinition(Float.self)
        try matchesDefinition(Double.self)
    }

    @Test func zeroStaysZeroAndNegativeBiasMakesADeadZone() {
        // One row of 5 features, each with b = −0.1: |z| ≤ 0.1 is zeroed, the rest shrinks by 0.1.
        let y = modReLU(Tensor<Double>([0, 0.05, -0.05, 0.3, -0.3]), bias: Tensor(shape: [5], repeating: -0.1))
        #expect(y.scalars[0] == 0 && y.scalars[1] == 0 && y.scalars[2] == 0)
        #expect(abs(y.scalars[3] - 0.2) < 1e-15 && abs(y.scalars[4] + 0.2) < 1e-15)
    }

    @Test func gradientsInInputAndBiasMatchFiniteDifferences() throws {
        for shape in [[4, 6], [2, 3, 5]] {
            let z = Tensor<Double>.randomNormal(shape, seed: 1)
            let b = Tensor<Double>.randomUniform([shape.last!], from: -0.3, to: 0.3, seed: 2)
            let check = try gradientCheck(at: [z, b]) { xs in modReLU(xs[0], bias: xs[1]) }
            #expect(check.passed, "\(shape): \(check)")
        }
    }

    @Test func layerBiasIsATrainableParameterInitialisedAsExpRNN() throws {
        let layer = ModReLU<Double>(features: 50, seed: 3)
        #expect(layer.parameterNames == ["bias"])
        #expect(layer.bias.scalars.allSatisfy { abs($0) <= 0.01 })
        let z = Tensor<Double>.randomNormal([3, 50], seed: 4)
        let check = try layerGradientCheck(layer) { weightedSum($0(z)) }
        #expect(check.passed, "\(check)")
    }
}
