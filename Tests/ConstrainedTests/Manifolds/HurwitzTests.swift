import PropertyBased
import Testing
@testable import Constrained

@Suite("Hurwitz")
struct HurwitzTests {
    @Test func lawsHoldForRandomShapesAndDecayRates() async {
        await reproduciblePropertyCheck(count: 8, input: Gen.int(in: 1...6), Gen.int(in: 0...1), Gen.uint64(in: 1...1_000_000)) { n, batch, seed in
            let alpha = [0.0, 0.1, 1.0][Int(seed % 3)]
            try ManifoldLaws.check({ Hurwitz<Double>(alpha: alpha) }, shape: Array(repeating: 2, count: batch) + [n, n], seed: seed,
                                   originalScale: 0.3, roundTripTolerance: 1e-10,
                                   // Off by at least 1 even when training left the value on the line.
                                   offSet: { $0 * -1 + Tensor<Double>.eye(n) })
        }
    }

    @Test func everyForwardValueHasEigenvaluesLeftOfMinusAlpha() throws {
        for seed in UInt64(1)...20 {
            var p = Hurwitz<Double>(alpha: 0.5)
            try p.register(shape: [5, 5])
            let x = Tensor<Double>.randomNormal([15, 5], seed: seed) * 2
            let real = try eigvals(try p.forward(x)).real.scalars
            #expect(real.allSatisfy { $0 <= -0.5 + 1e-10 }, "seed \(seed): \(real)")
        }
    }

    @Test func theRightInverseSolvesTheLyapunovEquation() throws {
        // A stable non-normal matrix, inverted and mapped back.
        let a = Tensor<Double>(shape: [3, 3], scalars: [-1, 5, 0, 0, -2, 3, 0, 0, -0.5])
        var p = Hurwitz<Double>(alpha: 0.25)
        try p.register(shape: [3, 3])
        _ = try p.rightInverse(a)   // registration may project; this value needs no projection
        let x = try p.rightInverse(a)
        #expect(x.shape == [9, 3])
        #expect(maxAbsoluteDifference(try p.forward(x), a) <= 1e-12)
    }

    @Test func aMatrixOnTheBoundaryOrBeyondIsRefused() throws {
        var p = Hurwitz<Double>(alpha: 1)
        try p.register(shape: [2, 2])
        _ = try p.rightInverse(Tensor<Double>.eye(2) * -2)
        // Eigenvalues −0.5 ± 0i: 0.5 right of −α = −1, relative to max(1, max |A|) = 1.
        #expect {
            _ = try p.rightInverse(Tensor<Double>.eye(2) * -0.5)
        } throws: { error in
            guard let e = error as? ConstrainedError, case .notInImage(let detail) = e.cause else { return false }
            return e.description.contains("Hurwitz(n: 2, alpha: 1.0)") && detail.contains("it is 0.5 off the set")
        }
        // On the boundary (eigenvalues −1 ± i): in the closed set, but no Lyapunov solution.
        let rotation = Tensor<Double>(shape: [2, 2], scalars: [-1, 1, -1, -1])
        #expect(p.contains(rotation))
        #expect {
            _ = try p.rightInverse(rotation)
        } throws: { error in
            guard let e = error as? ConstrainedError, case .notInImage(let detail) = e.cause else { return false }
            return detail.contains("Lyapunov")
        }
    }

    @Test func aPointJustRightOfTheLineWithinTheToleranceIsRefusedNotReplaced() throws {
        // A training run can end on the line (a singular R); the value 1e-9 is within the
        // tolerance √ε of it but has no positive definite Lyapunov solution.
        var p = Hurwitz<Double>()
        try p.register(shape: [1, 1])
        _ = try p.rightInverse(Tensor<Double>.eye(1) * -1)
        let y = Tensor<Double>(shape: [1, 1], scalars: [1e-9])
        #expect(p.contains(y))
        #expect {
            _ = try p.rightInverse(y)
        } throws: { error in
            guard let e = error as? ConstrainedError, case .notInImage(let detail) = e.cause else { return false }
            return detail.contains("not strictly below")
        }
    }

    @Test func theProjectionShiftsTheSpectrumLeft() throws {
        let p = Hurwitz<Double>(alpha: 0.5)
        let a = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 0, -3])
        let projected = try p.projection(a)
        let margin = Double.pow(Double.ulpOfOne, 1.0 / 3) * 3
        #expect(maxAbsoluteDifference(projected, a - Tensor<Double>.eye(2) * (1 + 0.5 + margin)) <= 1e-15)
        #expect(try p.projection(projected) == projected)
    }

    @Test func aNegativeOrNonFiniteAlphaOrANonSquareShapeThrowsAtRegistration() {
        for alpha in [-0.1, Double.infinity, Double.nan] {
            var p = Hurwitz<Double>(alpha: alpha)
            #expect {
                try p.register(shape: [3, 3])
            } throws: { error in
                guard let e = error as? ConstrainedError, case .invalidArgument(let detail) = e.cause else { return false }
                return detail.contains("alpha must be non-negative and finite") && e.description.contains("Hurwitz")
            }
        }
        var p = Hurwitz<Double>()
        #expect(throws: ConstrainedError.self) { try p.register(shape: [3, 4]) }
    }

    @Test func theDescriptionNamesTheSettings() throws {
        var p = Hurwitz<Double>(alpha: 0.1)
        #expect(p.description == "Hurwitz(alpha: 0.1)")
        try p.register(shape: [2, 4, 4])
        #expect(p.description == "Hurwitz(n: 4, alpha: 0.1)")
        #expect(try p.originalShape(forValueShape: [2, 4, 4]) == [2, 12, 4])
    }
}
