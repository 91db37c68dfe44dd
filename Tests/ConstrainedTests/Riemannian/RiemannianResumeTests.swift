import Foundation
import Testing
@testable import Constrained

/// Riemannian optimizer state in checkpoints: a resumed run on manifold points is the
/// interrupted run, bit for bit, and a loaded point must lie on its set.
@Suite("Riemannian optimizers resume from checkpoints")
struct RiemannianResumeTests {
    /// A tall Stiefel point, a batch of sphere points, an SPD matrix, and a Euclidean layer.
    final class Mixed: Layer {
        @OnManifold(Orthogonal()) var frame: Tensor<Double>
        @OnManifold(Sphere()) var directions: Tensor<Double>
        @OnManifold(SymmetricPositiveDefinite()) var covariance: Tensor<Double>
        let head: Linear<Double>

        init(seed: UInt64) {
            head = Linear(2, 2, seed: seed + 3)
            frame = try! Orthogonal<Double>().sample(shape: [6, 3], seed: seed)
            directions = try! Sphere<Double>().sample(shape: [2, 3], seed: seed + 1)
            let noise = Tensor<Double>.randomNormal([3, 3], seed: seed + 2) * 0.01
            covariance = Tensor<Double>.eye(3) + noise + noise.transposed()
        }

        func loss(_ x: Tensor<Double>, _ target: Tensor<Double>) -> Tensor<Double> {
            let features = tanh(matmul(matmul(x, frame), covariance))
            let aligned = matmul(features, transposed: false, directions, transposed: true)
            return meanSquaredError(head(aligned), target)
        }
    }

    /// A layer whose point has no value until loaded.
    final class Empty: Layer {
        @OnManifold(Orthogonal()) var frame: Tensor<Double>
    }

    static let x = Tensor<Double>.randomNormal([8, 6], seed: 31)
    static let target = Tensor<Double>.randomNormal([8, 2], seed: 32)

    static func train(_ model: Mixed, _ optimizer: some RiemannianOptimizer, steps: Int) throws {
        for _ in 0..<steps {
            let (_, gradients) = try valueWithGradient(of: model) { m in m.loss(x, target) }
            try optimizer.step(model, along: gradients)
        }
    }

    static func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("riemannian-resume-\(UUID().uuidString).safetensors")
    }

    /// 14 steps straight, and 7 steps, save, load into a fresh model and optimizer, 7 steps. With
    /// a re-projection every 3 steps, the step counts decide when it happens, so they must resume too.
    func resumes<O: RiemannianOptimizer & CheckpointableOptimizer>(_ makeOptimizer: (Mixed) -> O) throws {
        let straight = Mixed(seed: 1)
        let straightOptimizer = makeOptimizer(straight)
        try Self.train(straight, straightOptimizer, steps: 14)

        let interrupted = Mixed(seed: 1)
        let interruptedOptimizer = makeOptimizer(interrupted)
        try Self.train(interrupted, interruptedOptimizer, steps: 7)
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try interrupted.save(to: url, optimizer: interruptedOptimizer)

        let resumed = Mixed(seed: 70)
        let resumedOptimizer = makeOptimizer(resumed)
        try resumed.load(from: url, optimizer: resumedOptimizer)
        try Self.train(resumed, resumedOptimizer, steps: 7)

        let a = straight.allTensors(as: Double.self), b = resumed.allTensors(as: Double.self)
        #expect(a.names == b.names)
        for (name, tensor) in a { #expect(b[name]! == tensor, "\(O.self): \(name) differs from the straight run") }
        #expect(straightOptimizer.stateCheckpoint() == resumedOptimizer.stateCheckpoint(), "\(O.self): the state")
    }

    @Test func riemannianAdamResumesBitForBit() throws {
        try resumes { RiemannianAdam(for: $0, learningRate: 0.05, stabilizationPeriod: 3) }
    }

    @Test func riemannianSGDWithAndWithoutMomentumResumesBitForBit() throws {
        try resumes { RiemannianSGD(for: $0, learningRate: 0.05, momentum: 0.9, nesterov: true, stabilizationPeriod: 3) }
        try resumes { RiemannianSGD(for: $0, learningRate: 0.05, stabilizationPeriod: 3) }
    }

    @Test func theStateNamesGeooptsBuffersWithOneSecondMomentPerComponent() throws {
        let model = Mixed(seed: 2)
        let adam = RiemannianAdam(for: model, learningRate: 0.01)
        try Self.train(model, adam, steps: 2)
        let state = adam.stateCheckpoint()
        #expect(state.metadata["optimizer"] == "RiemannianAdam")
        #expect(state["frame.exp_avg"]?.shape == [6, 3])
        #expect(state["frame.exp_avg_sq"]?.shape == [1, 1])
        #expect(state["directions.exp_avg_sq"]?.shape == [2, 1])
        #expect(state["head.weight.exp_avg_sq"]?.shape == [2, 2])
        guard case .encoded(let step)? = state["covariance.step"] else { Issue.record("no step count"); return }
        #expect(step.int64Values() == [2])
    }

    @Test func aStateOfTheWrongShapeOrAMissingMomentIsRefusedAndNothingChanges() throws {
        let model = Mixed(seed: 3)
        let adam = RiemannianAdam(for: model, learningRate: 0.01)
        try Self.train(model, adam, steps: 1)
        let before = adam.stateCheckpoint()

        var wrongShape = before
        wrongShape["directions.exp_avg_sq"] = AnyTensor(Tensor<Double>.zeros([2, 3]))
        #expect {
            try adam.loadState(wrongShape, for: model)
        } throws: { error in
            (error as? ConstrainedError)?.key == "directions.exp_avg_sq"
                && (error as? ConstrainedError)?.cause == .shapeMismatch(expected: [2, 1], found: [2, 3])
        }
        var missing = before
        missing["frame.exp_avg"] = nil
        #expect {
            try adam.loadState(missing, for: model)
        } throws: { error in
            (error as? ConstrainedError)?.key == "frame.exp_avg" && (error as? ConstrainedError)?.cause == .missingTensor
        }
        #expect(adam.stateCheckpoint() == before)
    }

    @Test func aLoadedPointOffItsSetIsRefusedNamingTheSetAndTheModelIsUnchanged() throws {
        let model = Mixed(seed: 4)
        var checkpoint = try model.checkpoint()
        let frame = checkpoint["frame"]!.tensor(as: Double.self)!
        checkpoint["frame"] = AnyTensor(frame * 1.01)
        let before = model.allTensors(as: Double.self)
        #expect {
            try model.load(checkpoint)
        } throws: { error in
            guard let error = error as? ConstrainedError, case .notInImage = error.cause else { return false }
            return error.operation == "load" && error.key == "frame" && error.subject?.hasPrefix("Orthogonal") == true
        }
        let after = model.allTensors(as: Double.self)
        for (name, tensor) in before { #expect(after[name]! == tensor, "\(name) changed") }

        checkpoint["frame"] = AnyTensor(frame)
        try model.load(checkpoint)   // on the set: accepted
    }

    @Test func aPointLoadedIntoAnEmptyPropertyRegistersItsSet() throws {
        let source = Mixed(seed: 5)
        let empty = Empty()
        var checkpoint = Checkpoint()
        checkpoint["frame"] = try source.checkpoint()["frame"]
        try empty.load(checkpoint)
        #expect(empty.frame == source.frame)
        let adam = RiemannianAdam(for: empty, learningRate: 0.01)
        let (_, gradients) = try valueWithGradient(of: empty) { m in m.frame.sum() }
        try adam.step(empty, along: gradients)
        #expect(Orthogonal<Double>().contains(empty.frame))
    }
}
