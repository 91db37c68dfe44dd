import Testing
@testable import LinAlg

@Suite("qr")
struct QRTests {
    func matchesTheFixtures<S: TensorScalar>(_: S.Type) throws {
        let tolerance = fixtureTolerance(S.self)
        for c in try Fixture.load("qr").cases {
            let a: Tensor<S> = c.input("a")
            // With a non-negative diagonal the factorisation is unique: compare directly.
            let (q, r) = try qr(a, nonNegativeDiagonal: true)
            #expect(q.shape == c.output("qPositive", as: S.self).shape && r.shape == c.output("rPositive", as: S.self).shape)
            #expect(normwiseRelativeError(q, c.output("qPositive")) <= tolerance, "\(c.name)")
            #expect(normwiseRelativeError(r, c.output("rPositive")) <= tolerance, "\(c.name)")
            let diagonal = r.diagonal().scalars
            #expect(diagonal.allSatisfy { $0 >= 0 }, "\(c.name)")
            // Without the option the factors are LAPACK's, equal to NumPy's up to the signs of
            // R's rows (and Q's columns); their product is A.
            let (q0, r0) = try qr(a)
            #expect(normwiseRelativeError(matmul(q0, r0), a) <= tolerance, "\(c.name)")
            #expect(normwiseRelativeError(alignedColumns(q0, to: c.output("q")), c.output("q")) <= tolerance, "\(c.name)")
        }
    }

    @Test func matchesTheFixtures() throws {
        try matchesTheFixtures(Float.self)
        try matchesTheFixtures(Double.self)
    }

    @Test func qHasOrthonormalColumnsAndRIsUpperTriangular() throws {
        let a = Tensor<Double>.randomNormal([3, 7, 4], seed: 1)
        let (q, r) = try qr(a)
        #expect(normwiseRelativeError(matmul(q, transposed: true, q, transposed: false), Tensor.eye(rows: 4, columns: 4, batch: [3])) < 1e-14)
        #expect(r == r.triu())
    }
}
