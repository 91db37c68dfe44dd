import Testing
@testable import Constrained

/// Optimizer steps against reference trajectories (`Scripts/fixtures/optimizers.py`, a NumPy
/// transcription of torch.optim checked against PyTorch itself).
@Suite("Optimizers against torch.optim")
struct OptimizerTests {
    final class Holder<S: TensorScalar>: Layer {
        @Parameter var p: Tensor<S>
        init(_ p: Tensor<S>) { self.p = p }
    }

    func number(_ c: Fixture.Case, _ key: String, default value: Double) -> Double {
        if case .number(let x)? = c.params?[key] { return x }
        return value
    }

    func flag(_ c: Fixture.Case, _ key: String) -> Bool {
        if case .bool(let b)? = c.params?[key] { return b }
        return false
    }

    func makeOptimizer<S: TensorScalar>(_ c: Fixture.Case, _ model: Holder<S>) -> any Optimizer {
        guard case .string(let kind)? = c.params?["optimizer"] else { fatalError("case \(c.name) has no optimizer") }
        let lr = number(c, "lr", default: 0), decay = number(c, "weight_decay", default: 0)
        switch kind {
        case "sgd":
            return SGD(for: model, learningRate: lr, momentum: number(c, "momentum", default: 0),
                       nesterov: flag(c, "nesterov"), weightDecay: decay)
        case "adam":
            return Adam(for: model, learningRate: lr, beta1: number(c, "beta1", default: 0.9),
                        beta2: number(c, "beta2", default: 0.999), epsilon: number(c, "eps", default: 1e-8),
                        weightDecay: decay)
        default:
            return RMSprop(for: model, learningRate: lr, alpha: number(c, "alpha", default: 0.99),
                           epsilon: number(c, "eps", default: 1e-8), momentum: number(c, "momentum", default: 0),
                           centered: flag(c, "centered"), weightDecay: decay)
        }
    }

    func matchesReference<S: TensorScalar>(_: S.Type, tolerance: S) throws {
        for c in try Fixture.load("optimizers").cases {
            let model = Holder<S>(c.input("p0"))
            let optimizer = makeOptimizer(c, model)
            let gradients: Tensor<S> = c.input("gradients")
            let steps = gradients.shape[0], size = gradients.scalarCount / steps
            for k in 0..<steps {
                let g = Tensor<S>(shape: model.p.shape, scalars: Array(gradients.scalars[(k * size)..<((k + 1) * size)]))
                optimizer.update(model, along: NamedTensors([("p", g)]))
            }
            let error = maxRelativeError(model.p, c.output("p"), floor: 1e-3)
            #expect(error <= tolerance, "\(c.name): relative error \(error)")
        }
    }

    @Test func sgdAdamAndRMSpropFollowTorchOptimTrajectories() throws {
        try matchesReference(Double.self, tolerance: 1e-12)
        try matchesReference(Float.self, tolerance: 1e-4)
    }

    @Test func anOptimizerRefusesAnotherModel() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = Holder<Double>(Tensor([1])), b = Holder<Double>(Tensor([1]))
            SGD(for: a, learningRate: 1).update(b, along: NamedTensors([("p", Tensor([1]))]))
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("update: this optimizer was created for another") && text.contains("create one per model"), "\(text)")
    }
}
