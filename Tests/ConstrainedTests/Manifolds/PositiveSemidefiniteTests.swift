import PropertyBased
import Testing
@testable import Constrained

@Suite("PositiveSemidefinite")
struct PositiveSemidefiniteTests {
    @Test func lawsHoldForAnyRankAndRandomShapes() async {
        await reproduciblePropertyCheck(count: 8, input: Gen.int(in: 1...6), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { n, batch, seed in
            try ManifoldLaws.check({ PositiveSemidefinite<Double>() }, shape: Array(repeating: 2, count: batch) + [n, n], seed: seed,
                                   originalScale: 0.3, offSet: { $0 * -1 })
        }
    }

    @Test func lawsHoldForAnyRankThroughTheSpectralMap() async {
        await reproduciblePropertyCheck(count: 6, input: Gen.int(in: 1...6), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { n, batch, seed in
            try ManifoldLaws.check({ PositiveSemidefinite<Double>(map: .spectral) }, shape: Array(repeating: 2, count: batch) + [n, n], seed: seed,
                                   originalScale: 0.3, offSet: { $0 * -1 })
        }
    }

    @Test func lawsHoldForRankAtMostRAndRandomShapes() async {
        await reproduciblePropertyCheck(count: 8, input: Gen.int(in: 1...6), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { n, batch, seed in
            let rank = Int(seed % UInt64(n)) + 1
            try ManifoldLaws.check({ PositiveSemidefinite<Double>(rank: rank) }, shape: Array(repeating: 2, count: batch) + [n, n], seed: seed,
                                   offSet: { $0 * -1 })
        }
    }

    @Test func lawsHoldForAFixedRankAndRandomShapes() async {
        await reproduciblePropertyCheck(count: 8, input: Gen.int(in: 1...6), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { n, batch, seed in
            let rank = Int(seed % UInt64(n)) + 1
            try ManifoldLaws.check({ PositiveSemidefinite<Double>(fixedRank: rank) }, shape: Array(repeating: 2, count: batch) + [n, n], seed: seed,
                                   offSet: { $0 * -1 })
        }
    }

    @Test func valuesHaveTheRankTheSetPromises() throws {
        let n = 6, r = 2
        var low = PositiveSemidefinite<Double>(rank: r), fixed = PositiveSemidefinite<Double>(fixedRank: r)
        try low.register(shape: [n, n])
        try fixed.register(shape: [n, n])
        let x = Tensor<Double>.randomNormal([n + 1, r], seed: 3)
        for p in [low, fixed] {
            let values = try eigh(try p.forward(x)).values.scalars
            #expect(values.prefix(n - r).allSatisfy { abs($0) <= 1e-14 }, "\(p): \(values)")
            #expect(values.suffix(r).allSatisfy { $0 > 1e-3 }, "\(p): \(values)")
        }
        // The fixed rank's eigenvalues are softplus, so never zero even at s = −30.
        var s = x.scalars
        for i in 0..<r { s[n * r + i] = -30 }
        let tiny = try eigh(try fixed.forward(Tensor(shape: x.shape, scalars: s))).values.scalars
        #expect(tiny.suffix(r).allSatisfy { $0 > 0 })
    }

    @Test func aMatrixOfTooHighRankIsRefusedWithItsDeviation() throws {
        var p = PositiveSemidefinite<Double>(rank: 2)
        try p.register(shape: [4, 4])
        _ = try p.rightInverse(Tensor<Double>.eye(4))   // the registration's value is projected
        #expect {
            _ = try p.rightInverse(Tensor<Double>.eye(4))
        } throws: { error in
            guard let e = error as? ConstrainedError, case .notInImage(let detail) = e.cause else { return false }
            // Eigenvalues 1, 1, 1, 1: the third largest (1) must be zero, relative to max(1, 1).
            return e.description.contains("PositiveSemidefinite(n: 4, rank: 2)") && detail.contains("it is 1.0 off the set")
        }
    }

    @Test func anIndefiniteMatrixIsRefusedWithItsDeviation() {
        var p = PositiveSemidefinite<Double>()
        let y = Tensor<Double>(shape: [2, 2], scalars: [1, 0, 0, -0.5])
        #expect {
            _ = try p.rightInverse(y)
        } throws: { error in
            guard let e = error as? ConstrainedError, case .notInImage(let detail) = e.cause else { return false }
            return detail.contains("it is 0.5 off the set")
        }
    }

    @Test func theProjectionClipsAndTruncatesTheSpectrum() throws {
        // diag(3, 1, −2) in a rotated basis: clipping gives diag(3, 1, 0), rank 1 keeps diag(3, 0, 0).
        let q = try Orthogonal<Double>().sample(shape: [3, 3], seed: 4)
        func rotated(_ d: [Double]) -> Tensor<Double> {
            matmul(q * Tensor(shape: [1, 3], scalars: d), transposed: false, q, transposed: true)
        }
        let y = rotated([3, 1, -2])
        #expect(maxAbsoluteDifference(try PositiveSemidefinite<Double>().projection(y), rotated([3, 1, 0])) <= 1e-14)
        #expect(maxAbsoluteDifference(try PositiveSemidefinite<Double>(rank: 1).projection(y), rotated([3, 0, 0])) <= 1e-14)
        let fixed = try PositiveSemidefinite<Double>(fixedRank: 2).projection(rotated([3, -1, -2]))
        let floor = 2 * Double.ulpOfOne.squareRoot() * 3
        #expect(maxAbsoluteDifference(fixed, rotated([3, floor, 0])) <= 1e-14)
    }

    @Test func aRankOutOfRangeOrANonSquareShapeThrowsAtRegistration() {
        for p in [PositiveSemidefinite<Double>(rank: 0), PositiveSemidefinite<Double>(rank: 5), PositiveSemidefinite<Double>(fixedRank: 5)] {
            var p = p
            #expect {
                try p.register(shape: [4, 4])
            } throws: { error in
                guard let e = error as? ConstrainedError, case .invalidArgument(let detail) = e.cause else { return false }
                return detail.contains("rank must be in 1...4") && e.description.contains("PositiveSemidefinite")
            }
        }
        var p = PositiveSemidefinite<Double>()
        #expect {
            try p.register(shape: [3, 4])
        } throws: { error in
            guard let e = error as? ConstrainedError, case .invalidShape = e.cause else { return false }
            return e.description.contains("PositiveSemidefinite")
        }
    }

    @Test func descriptionsNameTheSettings() throws {
        var p = PositiveSemidefinite<Double>(), low = PositiveSemidefinite<Double>(rank: 2), fixed = PositiveSemidefinite<Double>(fixedRank: 3)
        #expect(low.description == "PositiveSemidefinite(rank: 2)")
        try p.register(shape: [2, 4, 4]); try low.register(shape: [4, 4]); try fixed.register(shape: [4, 4])
        #expect(p.description == "PositiveSemidefinite(n: 4)")
        #expect(low.description == "PositiveSemidefinite(n: 4, rank: 2)")
        #expect(fixed.description == "PositiveSemidefinite(n: 4, fixedRank: 3)")
    }

    @Test func theRankVariantsPackTheirOriginal() throws {
        #expect(try PositiveSemidefinite<Double>().originalShape(forValueShape: [2, 5, 5]) == [2, 5, 5])
        #expect(try PositiveSemidefinite<Double>(rank: 2).originalShape(forValueShape: [2, 5, 5]) == [2, 6, 2])
        let holder = ManifoldHolder(PositiveSemidefinite(fixedRank: 2), initial: try PositiveSemidefinite<Double>(fixedRank: 2).sample(shape: [5, 5], seed: 1))
        #expect(holder.$w.original.shape == [6, 2])
        #expect(holder.parameterNames == ["w.original"])
    }
}
