import Testing
@testable import Constrained

@Suite("Losses")
struct LossTests {
    func fixtureValues<S: TensorScalar>(_: S.Type) throws {
        let cases = try Fixture.load("layers_losses").cases
        for c in cases {
            let loss: Tensor<S>
            switch c.name {
            case "cross_entropy_labels":
                let labels = c.input("labels", as: Double.self).scalars.map { Int($0) }
                loss = crossEntropy(logits: c.input("logits"), labels: labels)
            case "cross_entropy_probabilities":
                loss = crossEntropy(logits: c.input("logits"), probabilities: c.input("probabilities"))
            case "mean_squared_error":
                loss = meanSquaredError(c.input("predicted"), c.input("expected"))
            default:
                Issue.record("unknown case \(c.name)"); continue
            }
            #expect(loss.shape == [])
            // The logits include a row shifted by 1000: relative accuracy then scales with
            // the shift (the losses are O(1)), hence the floor of 1000·ε.
            let error = maxRelativeError(loss, c.output("loss").reshaped(to: []), floor: 1)
            #expect(error <= S.ulpOfOne * 4096, "\(c.name): error \(error)")
        }
    }

    @Test func lossesMatchNumPyIncludingOverflowingLogits() throws {
        try fixtureValues(Float.self)
        try fixtureValues(Double.self)
    }

    @Test func crossEntropyOfOneHotProbabilitiesEqualsLabelForm() {
        let logits = Tensor<Double>.randomNormal([2, 3, 4], seed: 1)
        let labels = [3, 0, 1, 2, 2, 1]
        let oneHot = Tensor<Double>(shape: [2, 3, 4]) { out in
            out.initialize(repeating: 0)
            for (row, label) in labels.enumerated() { out[row * 4 + label] = 1 }
        }
        let a = crossEntropy(logits: logits, labels: labels).scalar
        let b = crossEntropy(logits: logits, probabilities: oneHot).scalar
        #expect(abs(a - b) <= 1e-14 * abs(a))
    }

    @Test func crossEntropyOfUniformLogitsIsLogClasses() {
        let loss = crossEntropy(logits: Tensor<Double>.zeros([5, 9]), labels: [0, 1, 2, 3, 8]).scalar
        #expect(abs(loss - Double.log(9)) <= 1e-15 * 4)
    }

    @Test func lossGradientsMatchFiniteDifferences() throws {
        let logits = Tensor<Double>.randomNormal([4, 5], seed: 2) * 2
        let labels = [1, 4, 0, 2]
        let ce = try gradientCheck(at: [logits]) { xs in crossEntropy(logits: xs[0], labels: labels) }
        #expect(ce.passed, "labels: \(ce)")
        let batched = try gradientCheck(at: [Tensor<Double>.randomNormal([2, 3, 4], seed: 3)]) { xs in
            crossEntropy(logits: xs[0], labels: [0, 1, 2, 3, 3, 2])
        }
        #expect(batched.passed, "batched labels: \(batched)")
        let p = Tensor<Double>.randomUniform([4, 5], from: 0.1, to: 1, seed: 4)
        let soft = try gradientCheck(at: [logits, p]) { xs in crossEntropy(logits: xs[0], probabilities: xs[1]) }
        #expect(soft.passed, "probabilities: \(soft)")
        let mse = try gradientCheck(at: [Tensor<Double>.randomNormal([3, 4], seed: 5),
                                         Tensor<Double>.randomNormal([3, 4], seed: 6)]) { xs in
            meanSquaredError(xs[0], xs[1])
        }
        #expect(mse.passed, "mse: \(mse)")
        let broadcast = try gradientCheck(at: [Tensor<Double>.randomNormal([3, 4], seed: 7),
                                               Tensor<Double>.randomNormal([4], seed: 8)]) { xs in
            meanSquaredError(xs[0], xs[1])
        }
        #expect(broadcast.passed, "mse broadcast: \(broadcast)")
    }
}
