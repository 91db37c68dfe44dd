import Testing
@testable import LinAlg

@Suite("inverse")
struct InverseTests {
    func matchesTheFixtures<S: TensorScalar>(_: S.Type) throws {
        for c in try Fixture.load("inverse").cases where S.self == Double.self || c.runsInFloat {
            let y = try inverse(c.input("a", as: S.self))
            let expected: Tensor<S> = c.output("inverse")
            let tolerance = c.number("condition").map { S($0 * 1e-15) } ?? fixtureTolerance(S.self)
            let error = normwiseRelativeError(y, expected)
            #expect(error <= tolerance, "\(c.name): relative error \(error)")
        }
    }

    @Test func matchesTheFixtures() throws {
        try matchesTheFixtures(Float.self)
        try matchesTheFixtures(Double.self)
    }

    @Test func aSingularMatrixThrowsNamingThePivot() throws {
        for c in try Fixture.load("decomposition_errors").cases where c.string("kind") == "singular" {
            let a: Tensor<Double> = c.input("a")
            let error = linAlgError { _ = try inverse(a) }
            #expect(error?.cause == .singular(pivot: c.int("pivot")! - 1), "\(c.name)")   // fixture: LAPACK's 1-based info
            #expect(error?.description.hasPrefix("inverse: matrix") == true)
        }
    }
}
