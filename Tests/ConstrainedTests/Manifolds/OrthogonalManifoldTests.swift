import PropertyBased
import Testing
@testable import Constrained

@Suite("Orthogonal as a manifold")
struct OrthogonalManifoldTests {
    @Test func everyLawHoldsForRandomTallSquareWideAndBatchedShapes() async {
        await reproduciblePropertyCheck(count: 10, input: Gen.int(in: 1...7), Gen.int(in: 1...7), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { rows, columns, batch, seed in
            let shape = Array(repeating: 2, count: batch) + [rows, columns]
            let maps: [Orthogonal<Double>.Map?] = rows == columns ? [nil, .cayley, .householder] : [nil]
            for map in maps {
                try ManifoldLaws.check({ Orthogonal<Double>(map: map) }, shape: shape, seed: seed)
            }
        }
    }

    @Test func anOffSetAssignmentNamesTheSetAndTheDeviation() throws {
        let holder = ManifoldHolder(Orthogonal<Double>(), initial: Tensor<Double>.eye(3))
        #expect {
            try holder.$w.assign(Tensor<Double>.eye(3) * 2)
        } throws: { error in
            guard let e = error as? ConstrainedError, case .notInImage(let detail) = e.cause else { return false }
            return e.description.contains("Orthogonal(rows: 3, columns: 3)") && detail.contains("= 3.0")
        }
    }

    @Test func theProjectionIsThePolarFactor() throws {
        // [[2, 0], [0, 3]] has the polar factor I; a rotation by 90° times diag(2, 3) has the rotation.
        let p = Orthogonal<Double>()
        let rotation = Tensor<Double>(shape: [2, 2], scalars: [0, -1, 1, 0])
        let y = matmul(rotation, Tensor<Double>(shape: [2, 2], scalars: [2, 0, 0, 3]))
        #expect(maxAbsoluteDifference(try p.projection(y), rotation) <= 1e-15)
    }

    @Test func aVectorShapeThrowsAtRegistration() {
        var p = Orthogonal<Double>()
        #expect(throws: ConstrainedError.self) { try p.register(shape: [4]) }
    }
}
