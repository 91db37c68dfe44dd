import Foundation
import Testing
@testable import Constrained

/// `@OnManifold`: a point kept on its set, with the reads, checked assignment, traversal,
/// checkpoints and printing of any constrained property, updated by Riemannian optimizers.
@Suite("OnManifold properties")
struct OnManifoldTests {
    final class Model: Layer {
        @OnManifold(Orthogonal()) var frame = Tensor<Double>.eye(rows: 5, columns: 2)
        @OnManifold(SymmetricPositiveDefinite()) var covariance = Tensor<Double>.eye(3)
        @Parameter var bias = Tensor<Double>.zeros([2])
        let head = Head()
    }

    final class Head: Layer {
        @OnManifold(Sphere(radius: 2)) var direction = Tensor<Double>([2, 0, 0])
    }

    /// `‖xᵀ A x‖² + …`: a loss that uses every tensor of the model.
    func loss(_ m: Model) -> Tensor<Double> {
        let a = Tensor<Double>.randomNormal([5, 5], seed: 3)
        let projected = matmul(matmul(m.frame, transposed: true, a, transposed: false), m.frame) + m.bias
        let c = m.covariance - Tensor<Double>(shape: [3, 3], scalars: [2, 0.5, 0, 0.5, 1, 0, 0, 0, 3])
        let d = m.head.direction - Tensor<Double>([0, 0, 2])
        return (projected * projected).sum() + (c * c).sum() + (d * d).sum()
    }

    @Test func traversalNamesThePointByItsProperty() {
        let m = Model()
        #expect(m.parameterNames == ["frame", "covariance", "bias", "head.direction"])
        #expect(m.stateNames.isEmpty)
    }

    @Test func gradientsReachThePointUnderItsName() throws {
        let (_, gradients) = try valueWithGradient(of: Model()) { loss($0) }
        #expect(gradients["frame"]?.shape == [5, 2])
        #expect(gradients["head.direction"].map { ($0 - Tensor([4, 0, -4])).maxMagnitude } ?? 1 < 1e-12)
    }

    @Test func anOffSetAssignmentThrowsAndKeepsThePoint() throws {
        let m = Model()
        let before = m.frame
        #expect {
            try m.$frame.assign(Tensor<Double>.ones([5, 2]))
        } throws: { error in
            guard let e = error as? ConstrainedError, case .notInImage(let detail) = e.cause else { return false }
            return e.operation == "assign" && e.subject?.hasPrefix("Orthogonal") == true && detail.contains("off the set")
        }
        #expect(m.frame == before)
        #expect(throws: ConstrainedError.self) { try m.$frame.assign(Tensor<Double>.eye(3)) }   // another shape
    }

    @Test func projectingAssignmentStoresTheNearestPoint() throws {
        let m = Model()
        try m.head.$direction.assign(Tensor([0, 3, 4]), projecting: true)
        #expect((m.head.direction - Tensor([0, 1.2, 1.6])).maxMagnitude < 1e-15)
        try m.$covariance.assign(Tensor<Double>(shape: [3, 3], scalars: [2, 1, 0, 1, 2, 0, 0, 0, 1]))   // on the set
        #expect(m.covariance.scalars[1] == 1)
    }

    @Test func printingNamesTheSetAndShape() {
        #expect(Model().head.$direction.description == "OnManifold(Sphere(n: 3, radius: 2.0)) [3]")
    }

    @Test func checkpointsRoundTripThePoint() throws {
        let a = Model(), b = Model()
        try a.$frame.assign(try Orthogonal<Double>().sample(shape: [5, 2], seed: 4))
        try b.load(a.checkpoint())
        #expect(b.frame == a.frame)
        #expect(try b.checkpoint().names.contains("frame"))
    }

    @Test func aStockOptimizerRefusesAManifoldProperty() throws {
        let m = Model()
        #expect {
            try Adam(for: m).validate(m)
        } throws: { error in
            guard let e = error as? ConstrainedError, case .invalidArgument(let detail) = e.cause else { return false }
            return e.key == "frame" && e.operation == "update" && detail.contains("RiemannianAdam")
        }
        try RiemannianAdam(for: m).validate(m)
        final class Plain: Layer { @Parameter var w = Tensor<Double>.zeros([2]) }
        try SGD(for: Plain(), learningRate: 0.1).validate(Plain())
    }

    @Test("500 Riemannian Adam steps stay on every set and lower the loss")
    func longTrainingStaysOnTheSets() throws {
        let m = Model()
        let optimizer = RiemannianAdam(for: m, learningRate: 0.02, stabilizationPeriod: 50)
        let first = try valueWithGradient(of: m) { loss($0) }.value.scalars[0]
        var last = first
        for _ in 0..<500 {
            let (value, gradients) = try valueWithGradient(of: m) { loss($0) }
            last = value.scalars[0]
            try optimizer.step(m, along: gradients)
        }
        #expect(last < first / 2)
        #expect(Orthogonal<Double>().contains(m.frame))
        #expect(SymmetricPositiveDefinite<Double>().contains(m.covariance))
        #expect(Sphere<Double>(radius: 2).contains(m.head.direction))
    }

    @Test func withoutStabilizationSGDStaysOnTheSetWithinTolerance() throws {
        let m = Model()
        let optimizer = RiemannianSGD(for: m, learningRate: 0.01, momentum: 0.9, nesterov: true)
        for _ in 0..<300 {
            try optimizer.step(m, along: try valueWithGradient(of: m) { loss($0) }.gradients)
        }
        #expect(Orthogonal<Double>().contains(m.frame))
        #expect(Sphere<Double>(radius: 2).contains(m.head.direction))
    }

    @Test func aFailingStepThrowsNamingThePropertyAndChangesNothing() throws {
        let m = Model()
        let optimizer = RiemannianAdam(for: m, learningRate: 0.1)
        var gradients = try valueWithGradient(of: m) { loss($0) }.gradients
        gradients["covariance"] = Tensor<Double>(shape: [3, 3], repeating: .nan)
        let before = m.allTensors(as: Double.self)
        #expect {
            try optimizer.step(m, along: gradients)
        } throws: { error in
            (error as? ConstrainedError)?.key == "covariance"
        }
        let after = m.allTensors(as: Double.self)
        for name in before.names { #expect(after[name] == before[name], "\(name) changed") }
    }
}
