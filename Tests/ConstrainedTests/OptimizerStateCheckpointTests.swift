import Foundation
import Testing
@testable import Constrained

/// Optimizer state in checkpoints: a resumed run is the interrupted run, bit for bit.
@Suite("Optimizer state in checkpoints")
struct OptimizerStateCheckpointTests {
    /// Spectral norm (power-iteration buffers), orthogonal (a base), weight norm (a trained `g`).
    final class ResumeModel: Layer {
        let rotation: Linear<Double>
        let critic: Linear<Double>
        let head: Linear<Double>

        init(seed: UInt64) {
            rotation = Linear(4, 4, weight: Orthogonal<Double>(), seed: seed)
            critic = Linear(4, 3, weight: SpectralNorm<Double>(), seed: seed + 1)
            head = Linear(3, 2, weight: WeightNorm<Double>(), seed: seed + 2)
        }

        func callAsFunction(_ x: Tensor<Double>) -> Tensor<Double> {
            head(tanh(critic(tanh(rotation(x)))))
        }

        var constrained: [Tensor<Double>] { [rotation.weight, critic.weight, head.weight] }
    }

    final class OtherModel: Layer {
        let body = Linear<Double>(4, 2, seed: 9)
    }

    static let x = Tensor<Double>.randomNormal([8, 4], seed: 21)
    static let target = Tensor<Double>.randomNormal([8, 2], seed: 22)

    static func train(_ model: ResumeModel, _ optimizer: some Optimizer, steps: Int) throws {
        for _ in 0..<steps {
            let (_, gradients) = try valueWithGradient(of: model) { m in meanSquaredError(m(x), target) }
            optimizer.update(model, along: gradients)
        }
    }

    static func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString).safetensors")
    }

    /// 20 steps straight, and 10 steps, save, load into a fresh model (other initial values) and
    /// a fresh optimizer, 10 steps: the same tensors, bit for bit.
    func resumes<O: CheckpointableOptimizer>(_ makeOptimizer: (ResumeModel) -> O) throws {
        let straight = ResumeModel(seed: 1)
        let straightOptimizer = makeOptimizer(straight)
        try Self.train(straight, straightOptimizer, steps: 20)

        let interrupted = ResumeModel(seed: 1)
        let interruptedOptimizer = makeOptimizer(interrupted)
        try Self.train(interrupted, interruptedOptimizer, steps: 10)
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try interrupted.save(to: url, optimizer: interruptedOptimizer)

        let resumed = ResumeModel(seed: 50)
        let resumedOptimizer = makeOptimizer(resumed)
        try resumed.load(from: url, optimizer: resumedOptimizer)
        try Self.train(resumed, resumedOptimizer, steps: 10)

        let a = straight.allTensors(as: Double.self), b = resumed.allTensors(as: Double.self)
        #expect(a.names == b.names)
        for (name, tensor) in a { #expect(b[name]! == tensor, "\(O.self): \(name) differs from the straight run") }
        #expect(straight.constrained == resumed.constrained, "\(O.self): the constrained weights")
        #expect(straightOptimizer.stateCheckpoint() == resumedOptimizer.stateCheckpoint(), "\(O.self): the state")
        #expect(a["critic.weight.0.u"] != nil && a["rotation.weight.0.base"] != nil && a["head.weight.0.g"] != nil)
    }

    @Test func twentyAdamStepsEqualTenThenSaveLoadIntoAFreshModelAndOptimizerThenTen() throws {
        try resumes { Adam(for: $0, learningRate: 0.02) }
    }

    @Test func sgdWithMomentumAndRMSpropResumeBitForBitToo() throws {
        try resumes { SGD(for: $0, learningRate: 0.05, momentum: 0.9, nesterov: true) }
        try resumes { RMSprop(for: $0, learningRate: 0.01, momentum: 0.5, centered: true) }
    }

    @Test func theStateIsKeyedByParameterNamesWithPyTorchsBufferNames() throws {
        let model = ResumeModel(seed: 1)
        let adam = Adam(for: model)
        try Self.train(model, adam, steps: 2)
        let state = adam.stateCheckpoint()
        #expect(state.metadata == ["optimizer": "Adam"])
        #expect(state.names.contains("rotation.weight.original.exp_avg"))
        #expect(state.names.contains("head.weight.0.g.exp_avg_sq"))
        #expect(state["critic.bias.step"]?.dtype == .i64)
        #expect(state["critic.bias.step"]?.converted(to: Double.self).scalars == [2])
        #expect(state.count == 3 * model.parameterNames.count)
        let file = try model.checkpoint(optimizer: adam)
        #expect(file.names.contains("optimizer/critic.bias.exp_avg"))
        #expect(file.metadata["optimizer"] == "Adam")
    }

    // MARK: Failures change nothing

    /// Every tensor's content key and the optimizer's state: what must not change.
    func snapshot(_ model: ResumeModel, _ optimizer: some CheckpointableOptimizer) -> ([String: ContentKey], Checkpoint) {
        (Dictionary(uniqueKeysWithValues: model.traversalOrTrap().slots.map { ($0.name, $0.slot.contentKey) }),
         optimizer.stateCheckpoint())
    }

    func trained() throws -> (ResumeModel, Adam, Checkpoint) {
        let source = ResumeModel(seed: 1)
        let adam = Adam(for: source)
        try Self.train(source, adam, steps: 3)
        return (source, adam, try source.checkpoint(optimizer: adam))
    }

    func expectUnchanged(_ what: String, _ expected: ConstrainedError, loading checkpoint: Checkpoint) throws {
        let model = ResumeModel(seed: 7)
        let optimizer = Adam(for: model)
        try Self.train(model, optimizer, steps: 1)
        let before = snapshot(model, optimizer)
        #expect(throws: expected, "\(what)") { try model.load(checkpoint, optimizer: optimizer) }
        let after = snapshot(model, optimizer)
        #expect(after.0 == before.0, "\(what): the model changed")
        #expect(after.1 == before.1, "\(what): the optimizer changed")
    }

    @Test func optimizerStateForAnotherModelThrowsNamingTheKeyAndChangesNothing() throws {
        let other = OtherModel()
        let otherAdam = Adam(for: other)
        let (_, gradients) = try valueWithGradient(of: other) { m in (m.body(Self.x) * m.body(Self.x)).sum() }
        otherAdam.update(other, along: gradients)
        var mixed = try trained().2
        for name in mixed.names where name.hasPrefix("optimizer/") { mixed[name] = nil }
        let foreign = otherAdam.stateCheckpoint()
        for name in foreign.names { mixed["optimizer/" + name] = foreign[name] }
        try expectUnchanged("state of another model", ConstrainedError("load", subject: "Adam", key: "optimizer/body.bias.exp_avg",
                                                                      cause: .invalidCheckpoint("the model has no trainable tensor \"body.bias\": the state is another model's")), loading: mixed)
    }

    @Test func aMissingOrMisshapenOptimizerBufferThrowsNamingTheKeyAndChangesNothing() throws {
        var missing = try trained().2
        missing["optimizer/head.weight.0.g.exp_avg_sq"] = nil
        try expectUnchanged("missing buffer", ConstrainedError("load", subject: "Adam", key: "optimizer/head.weight.0.g.exp_avg_sq",
                                                              cause: .missingTensor), loading: missing)
        var misshapen = try trained().2
        misshapen["optimizer/critic.bias.exp_avg"] = .double(Tensor.zeros([4]))
        try expectUnchanged("wrong shape", ConstrainedError("load", subject: "Adam", key: "optimizer/critic.bias.exp_avg", shape: [4],
                                                           cause: .shapeMismatch(expected: [3], found: [4])), loading: misshapen)
        var badStep = try trained().2
        badStep["optimizer/critic.bias.step"] = .double(Tensor([3]))
        #expect(throws: ConstrainedError.self) { try ResumeModel(seed: 1).load(badStep, optimizer: Adam(for: ResumeModel(seed: 1))) }
    }

    @Test func aModelFailureLeavesAValidOptimizerStateUnloaded() throws {
        var broken = try trained().2
        broken["critic.weight.0.v"] = .double(Tensor.zeros([5]))
        try expectUnchanged("model tensor of the wrong shape",
                            ConstrainedError("load", key: "critic.weight.0.v", shape: [5], cause: .shapeMismatch(expected: [4], found: [5])),
                            loading: broken)
    }

    @Test func anotherOptimizersStateOrAnOptimizerOfAnotherModelIsRefused() throws {
        let source = ResumeModel(seed: 1)
        let sgd = SGD(for: source, learningRate: 0.1, momentum: 0.9)
        try Self.train(source, sgd, steps: 1)
        try expectUnchanged("SGD state into Adam",
                            ConstrainedError("load", subject: "Adam", cause: .invalidCheckpoint("the state is a SGD optimizer's, not Adam's")),
                            loading: try source.checkpoint(optimizer: sgd))
        try expectUnchanged("a file saved without an optimizer",
                            ConstrainedError("load", cause: .invalidCheckpoint("the checkpoint holds no optimizer state (it was saved without an optimizer)")),
                            loading: try source.checkpoint())
        let model = ResumeModel(seed: 1)
        let elsewhere = Adam(for: ResumeModel(seed: 1))
        #expect(throws: ConstrainedError.self) { try model.load(try trained().2, optimizer: elsewhere) }
    }
}
