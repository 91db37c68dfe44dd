import Testing
@testable import LinAlg

@Suite("triu, tril, diagonal, diagonalMatrix, trace")
struct TriangularPartsTests {
    func matchesTheFixtures<S: TensorScalar>(_: S.Type) throws {
        for c in try Fixture.load("triangular_parts").cases {
            if c.inputs["d"] != nil {
                #expect(Tensor<S>.diagonalMatrix(c.input("d")) == c.output("matrix"), "\(c.name)")
                continue
            }
            let x: Tensor<S> = c.input("x")
            if let offset = c.int("offset") {
                #expect(x.triu(offset) == c.output("triu"), "\(c.name)")
                #expect(x.tril(offset) == c.output("tril"), "\(c.name)")
                #expect(x.diagonal(offset: offset) == c.output("diagonal"), "\(c.name)")
            } else {
                #expect(maxRelativeError(x.trace(), c.output("trace")) <= fixtureTolerance(S.self), "\(c.name)")
            }
        }
    }

    @Test func matchesTheFixtures() throws {
        try matchesTheFixtures(Float.self)
        try matchesTheFixtures(Double.self)
    }

    @Test func pullbacksMatchFiniteDifferences() throws {
        let x = Tensor<Double>.randomNormal([2, 3, 4], seed: 1)
        for offset in [-1, 0, 2] {
            try expectGradient([x]) { t in t[0].triu(offset) }
            try expectGradient([x]) { t in t[0].tril(offset) }
            try expectGradient([x]) { t in t[0].diagonal(offset: offset) }
        }
        try expectGradient([x]) { t in t[0].trace() }
        try expectGradient([Tensor<Double>.randomNormal([2, 3], seed: 2)]) { t in Tensor.diagonalMatrix(t[0]) }
    }

    @Test func aDiagonalOutsideTheMatrixIsEmpty() {
        let x = Tensor<Double>.ones([2, 3])
        #expect(x.diagonal(offset: 3).shape == [0])
        #expect(x.diagonal(offset: -2).shape == [0])
    }
}
