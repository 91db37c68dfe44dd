import Testing
@testable import Constrained

@Suite("Activations")
struct ActivationTests {
    func values<S: TensorScalar>(_: S.Type) {
        let x = Tensor<S>([-2, -0.5, 0, 0.5, 2])
        let expected: [(Activation, (S) -> S)] = [
            (.tanh, { S.tanh($0) }), (.relu, { max($0, 0) }),
            (.sigmoid, { 1 / (1 + S.exp(-$0)) }), (.identity, { $0 }),
        ]
        for (activation, f) in expected {
            let y = activation(x)
            #expect(maxRelativeError(y, x.map(f)) <= tolerance(S.self), "\(activation)")
        }
    }

    @Test func activationsMatchTheirScalarDefinitions() {
        values(Float.self)
        values(Double.self)
    }

    @Test func sigmoidDoesNotOverflowForLargeMagnitudes() {
        let y = Activation.sigmoid(Tensor<Double>([-800, 800]))
        #expect(y.scalars[0] >= 0 && y.scalars[0] < 1e-300 && y.scalars[1] == 1)
    }

    @Test func activationGradientsMatchFiniteDifferences() throws {
        // Away from relu's kink at 0: inputs are drawn and then pushed off zero.
        let x = Tensor<Double>.randomNormal([3, 4], seed: 1).map { $0 + ($0 >= 0 ? 0.1 : -0.1) }
        for activation in [Activation.tanh, .relu, .sigmoid, .identity] {
            let check = try gradientCheck(at: [x]) { xs in activation(xs[0]) }
            #expect(check.passed, "\(activation): \(check)")
        }
    }
}
