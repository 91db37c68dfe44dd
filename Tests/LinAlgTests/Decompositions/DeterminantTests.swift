import Testing
@testable import LinAlg

@Suite("determinant and slogdet")
struct DeterminantTests {
    func matchesTheFixtures<S: TensorScalar>(_: S.Type) throws {
        for c in try Fixture.load("determinant").cases where S.self == Double.self || c.runsInFloat {
            let a: Tensor<S> = c.input("a")
            let det = try determinant(a)
            let (sign, logAbs) = try slogdet(a)
            let tolerance = fixtureTolerance(S.self)
            #expect(maxRelativeError(det, c.output("determinant"), floor: 0) <= tolerance * 10, "\(c.name)")
            #expect(sign == c.output("sign"), "\(c.name)")
            // log |det| has absolute error ≈ n ε (one rounding per pivot).
            #expect(maxRelativeError(logAbs, c.output("logAbsDeterminant")) <= tolerance * 10, "\(c.name)")
        }
    }

    @Test func matchesTheFixtures() throws {
        try matchesTheFixtures(Float.self)
        try matchesTheFixtures(Double.self)
    }

    @Test func aSingularMatrixHasDeterminantZeroAndNoError() throws {
        for c in try Fixture.load("decomposition_errors").cases where c.string("kind") == "singular" {
            let a: Tensor<Double> = c.input("a")
            let det = try determinant(a)
            let (sign, logAbs) = try slogdet(a)
            let index = c.int("batchIndex") ?? 0
            #expect(det.scalars[index] == 0, "\(c.name)")
            #expect(sign.scalars[index] == 0, "\(c.name)")
            #expect(logAbs.scalars[index] == -.infinity, "\(c.name)")
        }
    }

    @Test func logAbsDeterminantDoesNotOverflowWhereTheProductWould() throws {
        let a = Tensor<Float>.eye(40) * 100   // det = 1e80, beyond Float
        #expect(try determinant(a).scalar == .infinity)
        let (sign, logAbs) = try slogdet(a)
        #expect(sign.scalar == 1)
        #expect(abs(logAbs.scalar - 80 * Float.log(10)) < 1e-3)
    }
}
