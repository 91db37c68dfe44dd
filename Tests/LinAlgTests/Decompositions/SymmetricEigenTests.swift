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

    /// Entries near under- or overflow are scaled before the reduction and the eigenvalues
    /// scaled back (as `syevd`): the result is the unit-scale one times the factor.
    func extremeScalesGiveTheScaledDecomposition<S: TensorScalar>(_: S.Type, factors: [S]) throws {
        let x = Tensor<S>.randomNormal([2, 9, 9], seed: 7)
        let a = (x + x.transposed()) * 0.5
        let (values, vectors) = try eigh(a)
        for factor in factors {
            let (scaledValues, scaledVectors) = try eigh(a * factor)
            #expect(scaledValues.scalars.allSatisfy { $0.isFinite }, "\(factor)")
            #expect(normwiseRelativeError(scaledValues, values * factor) <= 64 * S.ulpOfOne, "\(factor)")
            #expect(normwiseRelativeError(alignedColumns(scaledVectors, to: vectors), vectors) <= 1024 * S.ulpOfOne,
                    "\(factor)")
        }
    }

    /// A largest entry of 10³⁰⁷ (Double) or 10³⁷ (Float): the reduction's sums overflow unless
    /// the matrix is scaled first.
    func entriesAtTheEdgeOfOverflow<S: TensorScalar>(_: S.Type, largest: S) throws {
        let x = Tensor<S>.randomNormal([32, 32], seed: 8)
        var a = (x + x.transposed()) * 0.5
        a = a * (1 / a.scalars.map { Swift.abs($0) }.max()!)
        let (values, vectors) = try eigh(a)
        let (scaledValues, scaledVectors) = try eigh(a * largest)
        #expect(scaledValues.scalars.allSatisfy { $0.isFinite })
        #expect(normwiseRelativeError(scaledValues, values * largest) <= 256 * S.ulpOfOne)
        #expect(normwiseRelativeError(alignedColumns(scaledVectors, to: vectors), vectors) <= 4096 * S.ulpOfOne)
    }

    @Test func entriesAtTheEdgeOfOverflow() throws {
        try entriesAtTheEdgeOfOverflow(Float.self, largest: 1e37)
        try entriesAtTheEdgeOfOverflow(Double.self, largest: 1e307)
    }

    @Test func extremeScalesGiveTheScaledDecomposition() throws {
        try extremeScalesGiveTheScaledDecomposition(Float.self, factors: [1e-30, 1e-20, 1e20, 1e30, 1e37])
        try extremeScalesGiveTheScaledDecomposition(Double.self, factors: [1e-300, 1e-160, 1e160, 1e300, 1e307])
    }
}
