import Foundation
import PropertyBased
import Testing
@testable import Constrained

/// The manifold laws (``ManifoldLaws``) for the sets beyond Orthogonal and Sphere, over random
/// sizes, batches and seeds, and each set's bad input.
@Suite("Catalogue laws")
struct CatalogueLawTests {
    @Test func grassmannianLawsHoldForRandomShapes() async {
        await reproduciblePropertyCheck(count: 8, input: Gen.int(in: 1...7), Gen.int(in: 1...7), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { rows, columns, batch, seed in
            try ManifoldLaws.check({ Grassmannian<Double>() }, shape: Array(repeating: 2, count: batch) + [rows, columns], seed: seed)
        }
    }

    @Test func simplexLawsHoldForRandomShapes() async {
        await reproduciblePropertyCheck(count: 10, input: Gen.int(in: 1...9), Gen.int(in: 0...2), Gen.uint64(in: 1...1_000_000)) { n, batch, seed in
            try ManifoldLaws.check({ Simplex<Double>() }, shape: Array(repeating: 2, count: batch) + [n], seed: seed)
        }
    }

    @Test func lowerCholeskyLawsHoldForRandomShapes() async {
        await reproduciblePropertyCheck(count: 10, input: Gen.int(in: 1...6), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { n, batch, seed in
            try ManifoldLaws.check({ LowerCholesky<Double>() }, shape: Array(repeating: 2, count: batch) + [n, n], seed: seed,
                                   offSet: { $0 + Tensor<Double>.ones($0.shape).triu(1) * (n > 1 ? 1 : 0) - Tensor<Double>.eye(n) * (n > 1 ? 0 : 10) })
        }
    }

    @Test func theSimplexProjectionIsTheEuclideanOne() throws {
        // (0.5, 0.5, 2) → subtract θ = 0.5 from the largest: (0, 0, 1) up to the floor ε.
        let p = try Simplex<Double>().projection(Tensor([0.5, 0.5, 2]))
        #expect(maxAbsoluteDifference(p, Tensor([0, 0, 1])) <= 1e-15)
        #expect(Simplex<Double>().contains(p))
    }

    @Test func aSimplexPointWithAZeroEntryHasNoRightInverse() {
        var s = Simplex<Double>()
        #expect {
            _ = try s.rightInverse(Tensor([0, 1]))
        } throws: { error in
            guard let e = error as? ConstrainedError, case .notInImage = e.cause else { return false }
            return e.description.contains("Simplex")
        }
    }

    @Test func wrongShapesThrowAtRegistrationNamingTheSet() {
        var l = LowerCholesky<Double>()
        #expect(throws: ConstrainedError.self) { try l.register(shape: [3, 4]) }
        var s = Simplex<Double>()
        #expect(throws: ConstrainedError.self) { try s.register(shape: []) }
        var g = Grassmannian<Double>()
        #expect {
            try g.register(shape: [5])
        } throws: { error in (error as? ConstrainedError)?.description.contains("Grassmannian") == true }
    }

    @Test func descriptionsNameTheSettings() throws {
        var g = Grassmannian<Double>()
        try g.register(shape: [50, 5])
        _ = try g.rightInverse(try g.sample(shape: [50, 5], seed: 1))
        #expect(g.description == "Grassmannian(n: 50, k: 5)")
        var s = Simplex<Double>()
        try s.register(shape: [4, 3])
        #expect(s.description == "Simplex(n: 3)")
        var l = LowerCholesky<Double>()
        try l.register(shape: [3, 3])
        #expect(l.description == "LowerCholesky(n: 3)")
    }
}

@Suite("PositiveDefinite as a manifold")
struct PositiveDefiniteManifoldTests {
    @Test func lawsHoldForEveryMapAndRandomShapes() async {
        await reproduciblePropertyCheck(count: 8, input: Gen.int(in: 1...5), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { n, batch, seed in
            for map in PositiveDefinite<Double>.Map.allCases {
                try ManifoldLaws.check({ PositiveDefinite<Double>(map) }, shape: Array(repeating: 2, count: batch) + [n, n], seed: seed,
                                       originalScale: 0.3, offSet: { $0 * -1 })
            }
        }
    }

    @Test func theEigenFormHasAFiniteGradientAtTheIdentity() throws {
        // Repeated eigenvalues: the Daleckii–Krein weights are f′(λ) there, not 0/0.
        var p = PositiveDefinite<Double>(.eigen)
        let x = try p.rightInverse(Tensor<Double>.eye(4))
        let result = try gradientCheck(at: [x]) { xs in try p.forward(xs[0]) }
        #expect(result.passed, "\(result)")
    }

    @Test func aNegativeJitterThrowsAtRegistration() {
        var p = PositiveDefinite<Double>(jitter: -1)
        #expect {
            try p.register(shape: [3, 3])
        } throws: { error in
            guard let e = error as? ConstrainedError, case .invalidArgument(let detail) = e.cause else { return false }
            return detail.contains("jitter") && e.description.contains("PositiveDefinite")
        }
    }
}

@Suite("Rank sets")
struct RankSetTests {
    @Test func lowRankLawsHoldForRandomShapesAndRanks() async {
        await reproduciblePropertyCheck(count: 6, input: Gen.int(in: 1...6), Gen.int(in: 1...6), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { m, k, batch, seed in
            let rank = Int(seed % UInt64(min(m, k))) + 1
            // Off the set: adding the identity raises the rank above r (r below full rank).
            let off: (Tensor<Double>) -> Tensor<Double> = { y in y + Tensor<Double>.eye(rows: m, columns: k, batch: Array(y.shape.dropLast(2))) }
            guard rank < min(m, k) else { return }
            try ManifoldLaws.check({ LowRank<Double>(rank: rank) }, shape: Array(repeating: 2, count: batch) + [m, k], seed: seed, offSet: off)
        }
    }

    @Test func fixedRankLawsHoldForRandomShapesAndRanks() async {
        await reproduciblePropertyCheck(count: 6, input: Gen.int(in: 1...6), Gen.int(in: 1...6), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { m, k, batch, seed in
            let rank = Int(seed % UInt64(min(m, k))) + 1
            // Off the set: the zero matrix has rank 0.
            try ManifoldLaws.check({ FixedRank<Double>(rank: rank) }, shape: Array(repeating: 2, count: batch) + [m, k], seed: seed,
                                   offSet: { $0 * 0 })
        }
    }

    @Test func almostOrthogonalLawsHoldForRandomShapesAndLambdas() async {
        await reproduciblePropertyCheck(count: 6, input: Gen.int(in: 1...6), Gen.int(in: 1...6), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { m, k, batch, seed in
            let lambda = [0.05, 0.3, 1.0][Int(seed % 3)]
            try ManifoldLaws.check({ AlmostOrthogonal<Double>(lambda: lambda) }, shape: Array(repeating: 2, count: batch) + [m, k], seed: seed,
                                   offSet: { $0 * 3 })
        }
    }

    @Test func aLambdaOutsideTheUnitIntervalThrowsAtRegistration() {
        for lambda in [0.0, -0.5, 1.5] {
            var p = AlmostOrthogonal<Double>(lambda: lambda)
            #expect {
                try p.register(shape: [4, 4])
            } throws: { error in
                guard let e = error as? ConstrainedError, case .invalidArgument(let detail) = e.cause else { return false }
                return detail == "lambda must be in (0, 1], got \(lambda)" && e.description.contains("AlmostOrthogonal")
            }
        }
    }

    @Test func aRankOutOfRangeThrowsAtRegistration() {
        for rank in [0, 4] {
            var p = LowRank<Double>(rank: rank)
            #expect {
                try p.register(shape: [3, 5])
            } throws: { error in
                guard let e = error as? ConstrainedError, case .invalidArgument(let detail) = e.cause else { return false }
                return detail.contains("rank must be in 1...3") && e.description.contains("LowRank")
            }
        }
    }
}

@Suite("Correlation sets")
struct CorrelationSetTests {
    @Test func correlationCholeskyLawsHoldForRandomShapes() async {
        await reproduciblePropertyCheck(count: 8, input: Gen.int(in: 1...6), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { n, batch, seed in
            try ManifoldLaws.check({ CorrelationCholesky<Double>() }, shape: Array(repeating: 2, count: batch) + [n, n], seed: seed)
        }
    }

    @Test func correlationLawsHoldForRandomShapes() async {
        await reproduciblePropertyCheck(count: 8, input: Gen.int(in: 1...6), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { n, batch, seed in
            try ManifoldLaws.check({ Correlation<Double>() }, shape: Array(repeating: 2, count: batch) + [n, n], seed: seed)
        }
    }

    @Test func theLKJMapOfZeroIsTheIdentityAndOfOnePartialCorrelationIsItsTanh() throws {
        let p = CorrelationCholesky<Double>()
        #expect(try p.forward(Tensor<Double>.zeros([3, 3])) == Tensor<Double>.eye(3))
        let x = Tensor<Double>(shape: [2, 2], scalars: [0, 0, 0.5, 0])
        let c = try Correlation<Double>().forward(x)
        #expect(abs(c[0, 1] - Foundation.tanh(0.5)) <= 1e-15)
    }
}

@Suite("DoublyStochastic")
struct DoublyStochasticTests {
    @Test func lawsHoldForRandomShapes() async {
        // Few cases: each evaluation runs Sinkhorn to convergence, and gradientCheck evaluates
        // twice per entry. The round trip is exact only to the Sinkhorn tolerance (1.5e-10).
        await reproduciblePropertyCheck(count: 2, input: Gen.int(in: 1...3), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { n, batch, seed in
            try ManifoldLaws.check({ DoublyStochastic<Double>() }, shape: Array(repeating: 2, count: batch) + [n, n], seed: seed,
                                   roundTripTolerance: 1e-9, offSet: { $0 * 2 })
        }
    }

    @Test func aBadIterationCountThrowsAtRegistration() {
        var p = DoublyStochastic<Double>(maxIterations: 0)
        #expect(throws: ConstrainedError.self) { try p.register(shape: [3, 3]) }
    }
}

@Suite("Determinant sets")
struct DeterminantSetTests {
    @Test func invertibleLawsHoldForRandomShapes() async {
        await reproduciblePropertyCheck(count: 6, input: Gen.int(in: 1...5), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { n, batch, seed in
            // Off the set: negating one row flips the determinant's sign.
            let flip: (Tensor<Double>) -> Tensor<Double> = { y in
                let d = Tensor<Double>.diagonalMatrix(Tensor<Double>((0..<n).map { $0 == 0 ? -1.0 : 1.0 }))
                return matmul(d, y)
            }
            try ManifoldLaws.check({ Invertible<Double>() }, shape: Array(repeating: 2, count: batch) + [n, n], seed: seed, offSet: flip)
        }
    }

    @Test func specialLinearLawsHoldForRandomShapes() async {
        await reproduciblePropertyCheck(count: 6, input: Gen.int(in: 1...5), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { n, batch, seed in
            try ManifoldLaws.check({ SpecialLinear<Double>() }, shape: Array(repeating: 2, count: batch) + [n, n], seed: seed,
                                   offSet: { $0 * 2 })
        }
    }

    @Test func valuesHaveAPositiveOrAUnitDeterminant() throws {
        for seed in UInt64(1)...5 {
            var p = Invertible<Double>()
            try p.register(shape: [4, 4])
            let x = Tensor<Double>.randomNormal([9, 4], seed: seed)
            #expect(try determinant(p.forward(x)).scalar > 0)
            var q = SpecialLinear<Double>()
            try q.register(shape: [4, 4])
            #expect(abs(try determinant(q.forward(x)).scalar - 1) <= 1e-13)
        }
    }
}
