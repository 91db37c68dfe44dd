import Testing
@testable import Constrained

/// Riemannian SGD and Adam against reference trajectories
/// (`Scripts/fixtures/riemannian_optimizers.py`, a NumPy transcription of geoopt's update rules
/// checked against geoopt itself): 20 steps on Stiefel (tall, wide, batched), the sphere, SPD
/// (affine-invariant) and a plain tensor in one model.
@Suite("Riemannian optimizers against geoopt")
struct RiemannianOptimizerTests {
    final class Points: Layer {
        @OnManifold(Orthogonal()) var stiefel: Tensor<Double>
        @OnManifold(Orthogonal()) var wide: Tensor<Double>
        @OnManifold(Orthogonal()) var batch: Tensor<Double>
        @OnManifold(Sphere()) var sphere: Tensor<Double>
        @OnManifold(SymmetricPositiveDefinite()) var spd: Tensor<Double>
        @Parameter var euclidean: Tensor<Double>

        init(_ c: Fixture.Case) {
            stiefel = c.input("stiefel0")
            wide = c.input("wide0")
            batch = c.input("batch0")
            sphere = c.input("sphere0")
            spd = c.input("spd0")
            euclidean = c.input("euclidean0")
        }
    }

    static let keys = ["stiefel", "wide", "batch", "sphere", "spd", "euclidean"]

    func number(_ c: Fixture.Case, _ key: String) -> Double? {
        if case .number(let x)? = c.params?[key] { return x }
        return nil
    }

    func makeOptimizer(_ c: Fixture.Case, _ model: Points) -> any RiemannianOptimizer {
        let lr = number(c, "lr")!, decay = number(c, "weight_decay") ?? 0
        let period = number(c, "stabilize").map { Int($0) }
        if case .string("rsgd")? = c.params?["kind"] {
            var nesterov = false
            if case .bool(let b)? = c.params?["nesterov"] { nesterov = b }
            return RiemannianSGD(for: model, learningRate: lr, momentum: number(c, "momentum") ?? 0,
                                 nesterov: nesterov, weightDecay: decay, stabilizationPeriod: period)
        }
        return RiemannianAdam(for: model, learningRate: lr, beta1: number(c, "beta1") ?? 0.9,
                              beta2: number(c, "beta2") ?? 0.999, epsilon: number(c, "eps") ?? 1e-8,
                              weightDecay: decay, stabilizationPeriod: period)
    }

    static let cases = (try? Fixture.load("riemannian_optimizers").cases) ?? []

    @Test("20 steps match geoopt's rules to 1e-12", arguments: cases)
    func trajectoryMatchesGeoopt(_ c: Fixture.Case) throws {
        let model = Points(c)
        let optimizer = makeOptimizer(c, model)
        let grads = Dictionary(uniqueKeysWithValues: Self.keys.map { ($0, c.input("\($0)_grads", as: Double.self)) })
        for step in 0..<20 {
            let gradients = NamedTensors(Self.keys.map { ($0, grads[$0]!.slice(at: step)) })
            try optimizer.step(model, along: gradients)
        }
        let values = model.parameters(as: Double.self)
        for key in Self.keys {
            let error = (values[key]! - c.output(key, as: Double.self)).maxMagnitude
            #expect(error <= 1e-12, "\(c.name) \(key): max error \(error)")
        }
    }

    @Test func fixturesAreThere() {
        #expect(Self.cases.count == 7)
    }
}

extension Fixture.Case: CustomTestStringConvertible {
    var testDescription: String { name }
}
