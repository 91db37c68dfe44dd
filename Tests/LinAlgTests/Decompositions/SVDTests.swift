import Testing
@testable import LinAlg

@Suite("svd and singularValues")
struct SVDTests {
    func matchesTheFixtures<S: TensorScalar>(_: S.Type) throws {
        let tolerance = fixtureTolerance(S.self)
        for c in try Fixture.load("svd").cases {
            let a: Tensor<S> = c.input("a")
            let expectedS: Tensor<S> = c.output("s")
            let sOnly = try singularValues(a)
            #expect(normwiseRelativeError(sOnly, expectedS) <= tolerance, "\(c.name)")
            if case .bool(false)? = c.params?["vectors"] { continue }
            let (u, s, vt) = try svd(a)
            let expectedU: Tensor<S> = c.output("u"), expectedVt: Tensor<S> = c.output("vt")
            #expect(u.shape == expectedU.shape && s.shape == expectedS.shape && vt.shape == expectedVt.shape, "\(c.name)")
            #expect(normwiseRelativeError(s, expectedS) <= tolerance, "\(c.name)")
            // Each pair (uᵢ, vᵢ) up to a common sign.
            let alignedU = alignedColumns(u, to: expectedU)
            let alignedV = alignedColumns(vt.transposed(), to: expectedVt.transposed())
            #expect(normwiseRelativeError(alignedU, expectedU) <= tolerance * 10, "\(c.name)")
            #expect(normwiseRelativeError(alignedV, expectedVt.transposed()) <= tolerance * 10, "\(c.name)")
            let k = s.shape.last!
            let reconstruction = matmul(u * s.reshaped(to: Array(s.shape.dropLast()) + [1, k]), vt)
            #expect(normwiseRelativeError(reconstruction, a) <= tolerance, "\(c.name)")
        }
    }

    @Test func matchesTheFixtures() throws {
        try matchesTheFixtures(Float.self)
        try matchesTheFixtures(Double.self)
    }
}
