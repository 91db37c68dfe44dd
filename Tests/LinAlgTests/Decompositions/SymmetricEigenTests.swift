import Testing
@testable import LinAlg

@Suite("eigh")
struct SymmetricEigenTests {
    func matchesTheFixtures<S: TensorScalar>(_: S.Type) throws {
        let tolerance = fixtureTolerance(S.self)
        for c in try Fixture.load("eigh").cases {
            let (values, vectors) = try eigh(c.input("a", as: S.self))
            let expectedValues: Tensor<S> = c.output("values"), expectedVectors: Tensor<S> = c.output("vectors")
            #expect(normwiseRelativeError(values, expectedValues) <= tolerance, "\(c.name)")
            // Each eigenvector up to its sign (the eigenvalues are separated by ≥ 1).
            #expect(normwiseRelativeError(alignedColumns(vectors, to: expectedVectors), expectedVectors) <= tolerance * 10,
                    "\(c.name)")
            // V diag(λ) Vᵀ is the symmetric matrix whose lower triangle was read.
            let reconstruction = matmul(vectors * values.reshaped(to: Array(values.shape.dropLast()) + [1, values.shape.last!]),
                                        transposed: false, vectors, transposed: true)
            let reference = matmul(expectedVectors * expectedValues.reshaped(to: Array(values.shape.dropLast()) + [1, values.shape.last!]),
                                   transposed: false, expectedVectors, transposed: true)
            #expect(normwiseRelativeError(reconstruction, reference) <= tolerance * 10, "\(c.name)")
        }
    }

    @Test func matchesTheFixtures() throws {
        try matchesTheFixtures(Float.self)
        try matchesTheFixtures(Double.self)
    }

    @Test func eigenvaluesAscend() throws {
        let (values, _) = try eigh(Tensor<Double>.randomNormal([2, 6, 6], seed: 3).transposed() + Tensor<Double>.randomNormal([2, 6, 6], seed: 3))
        for b in 0..<2 {
            let v = Array(values.scalars[(b * 6)..<(b * 6 + 6)])
            #expect(v == v.sorted())
        }
    }
}
