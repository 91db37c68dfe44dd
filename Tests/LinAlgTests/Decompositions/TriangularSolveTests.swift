import Testing
@testable import LinAlg

@Suite("triangularSolve")
struct TriangularSolveTests {
    func matchesTheFixtures<S: TensorScalar>(_: S.Type) throws {
        for c in try Fixture.load("triangular_solve").cases {
            let x = try triangularSolve(c.input("a", as: S.self), c.input("b", as: S.self), upper: c.bool("upper"),
                                        transposed: c.bool("transposed"), unitDiagonal: c.bool("unitDiagonal"),
                                        left: c.bool("left"))
            let expected: Tensor<S> = c.output("x")
            #expect(x.shape == expected.shape, "\(c.name)")
            let error = normwiseRelativeError(x, expected)
            #expect(error <= fixtureTolerance(S.self), "\(c.name): relative error \(error)")
        }
    }

    @Test func matchesTheFixtures() throws {
        try matchesTheFixtures(Float.self)
        try matchesTheFixtures(Double.self)
    }

    @Test func aZeroOnTheDiagonalThrowsNamingIt() {
        let a = Tensor<Double>(shape: [3, 3], scalars: [1, 0, 0, 2, 0, 0, 3, 4, 5])
        let error = linAlgError { _ = try triangularSolve(a, Tensor.ones([3, 1]), upper: false) }
        #expect(error?.cause == .singular(pivot: 1))   // the zero is a[1, 1]
        #expect(error?.operation == "triangularSolve")
        // With a unit diagonal the zero is not read.
        #expect(linAlgError { _ = try triangularSolve(a, Tensor.ones([3, 1]), upper: false, unitDiagonal: true) } == nil)
    }

    @Test func mismatchedShapesStopTheProcessWithBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = try? triangularSolve(Tensor<Double>.eye(3), Tensor<Double>.zeros([4, 2]), upper: true)
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("triangularSolve: shapes [3, 3] and [4, 2] do not match"))
    }
}
