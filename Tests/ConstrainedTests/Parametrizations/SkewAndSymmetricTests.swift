import Testing
@testable import Constrained

@Suite("Skew and Symmetric")
struct SkewAndSymmetricTests {
    func skewIsExactlyAntisymmetric<S: TensorScalar>(_: S.Type) throws {
        for shape in [[5, 5], [3, 4, 4]] {
            let a = try Skew<S>().forward(Tensor<S>.randomNormal(shape, seed: 1))
            #expect(a.scalars == (-a.transposed()).scalars, "A = −Aᵀ exactly for shape \(shape)")
            #expect(a.diagonal().scalars.allSatisfy { $0 == 0 })
        }
    }

    @Test func skewValueEqualsMinusItsTransposeExactly() throws {
        try skewIsExactlyAntisymmetric(Float.self)
        try skewIsExactlyAntisymmetric(Double.self)
    }

    func symmetricIsExactlySymmetric<S: TensorScalar>(_: S.Type) throws {
        let s = try Symmetric<S>().forward(Tensor<S>.randomNormal([2, 5, 5], seed: 2))
        #expect(s.scalars == s.transposed().scalars)
    }

    @Test func symmetricValueEqualsItsTransposeExactly() throws {
        try symmetricIsExactlySymmetric(Float.self)
        try symmetricIsExactlySymmetric(Double.self)
    }

    func roundTrips<S: TensorScalar>(_: S.Type) throws {
        let x = Tensor<S>.randomNormal([2, 4, 4], seed: 3)
        let skew = x - x.transposed()
        #expect(try Skew<S>().forward(Skew<S>().rightInverse(skew)).scalars == skew.scalars)
        let symmetric = x + x.transposed()
        #expect(try Symmetric<S>().forward(Symmetric<S>().rightInverse(symmetric)).scalars == symmetric.scalars)
    }

    @Test func rightInversesRoundTripExactly() throws {
        try roundTrips(Float.self)
        try roundTrips(Double.self)
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        for shape in [[4, 4], [2, 3, 3]] {
            let x = Tensor<Double>.randomNormal(shape, seed: 4)
            let skew = try gradientCheck(at: [x]) { xs in try Skew<Double>().forward(xs[0]) }
            #expect(skew.passed, "\(skew)")
            let symmetric = try gradientCheck(at: [x]) { xs in try Symmetric<Double>().forward(xs[0]) }
            #expect(symmetric.passed, "\(symmetric)")
        }
    }

    @Test func skewIgnoresTheDiagonalAndLowerTriangle() throws {
        var p = Skew<Double>()
        let g = try gradientOfForward(&p, at: Tensor<Double>.randomNormal([5, 5], seed: 5))
        #expect(g.tril().scalars.allSatisfy { $0 == 0 })
        #expect(g.triu(1).scalars.contains { $0 != 0 })
    }

    @Test func nonSquareInputsAreRejectedNamingTheShape() throws {
        let error = #expect(throws: ConstrainedError.self) {
            try Skew<Double>().forward(Tensor<Double>.zeros([3, 4]))
        }
        #expect(error?.description.contains("[3, 4]") == true)
        let vectorError = #expect(throws: ConstrainedError.self) { try Symmetric<Double>().forward(Tensor<Double>.zeros([3])) }
        #expect(vectorError?.cause == .invalidShape("expected a square matrix or a batch of square matrices (..., n, n)"))
        #expect(vectorError?.subject == "Symmetric" && vectorError?.shape == [3])
    }
}
