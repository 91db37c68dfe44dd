import Testing
@testable import Constrained

/// The near-identity square root of the SPD transport: its Taylor path agrees with the
/// `eigh`-based one, and its degree is the smallest that keeps the truncation below `u`.
@Suite("Symmetric square root")
struct SymmetricSquareRootTests {
    /// `I + d` with `d` symmetric of Frobenius norm `size`, batched as `shape`.
    func nearIdentity(_ shape: [Int], size: Double, seed: UInt64) -> Tensor<Double> {
        let n = shape[shape.count - 1]
        let g = Tensor<Double>.randomNormal(shape, seed: seed)
        let d = (g + g.transposed()) * 0.5
        let norm = (d * d).sum().scalars[0].squareRoot() / Double(max(1, d.scalarCount / (n * n))).squareRoot()
        return Tensor<Double>.eye(rows: n, columns: n, batch: Array(shape.dropLast(2))) + d * (size / norm)
    }

    @Test(arguments: [1e-8, 1e-3, 1e-2, 0.05])
    func theSeriesAgreesWithTheEigendecomposition(size: Double) throws {
        let m = nearIdentity([3, 16, 16], size: size, seed: 7)
        let series = try SymmetricSquareRoot.of(m)
        let reference = try SymmetricSquareRoot.of(m, allowingSeries: false)
        #expect((series - reference).maxMagnitude <= 4e-15, "size \(size)")
        // And it is a square root: (m^½)² = m.
        #expect((matmul(series, series) - m).maxMagnitude <= 4e-15, "size \(size)")
    }

    @Test func theDegreeIsTheSmallestBelowTheUnitRoundoff() {
        let u = Double.ulpOfOne / 2
        #expect(SymmetricSquareRoot.degree(for: 0, unitRoundoff: u) == 0)
        #expect(SymmetricSquareRoot.degree(for: 1e-3, unitRoundoff: u) == 4)
        #expect(SymmetricSquareRoot.degree(for: 1e-2, unitRoundoff: u) == 7)
        // Beyond the largest degree, and at or above ρ = ½: the eigh path.
        #expect(SymmetricSquareRoot.degree(for: 0.2, unitRoundoff: u) == nil)
        #expect(SymmetricSquareRoot.degree(for: 0.7, unitRoundoff: u) == nil)
        // Float reaches further with the same degrees.
        #expect(SymmetricSquareRoot.degree(for: 0.2, unitRoundoff: Double(Float.ulpOfOne) / 2) != nil)
    }

    @Test func farFromTheIdentityItUsesTheEigendecomposition() throws {
        let m = nearIdentity([5, 5], size: 0.9, seed: 3)
        let root = try SymmetricSquareRoot.of(m)
        #expect((matmul(root, root) - m).maxMagnitude <= 1e-14)
    }

    @Test func theSPDTransportOfASmallStepMatchesTheEigenFormula() throws {
        // geoopt's formula x^½ (x^-½ y x^-½)^½ x^-½ v (…)ᵀ, through eigh, against ours.
        let spd = SymmetricPositiveDefinite<Double>()
        let x = try spd.sample(shape: [8, 8], seed: 11)
        let u = try spd.projectToTangent(Tensor.randomNormal([8, 8], seed: 12) * 1e-3, at: x)
        let v = try spd.projectToTangent(Tensor.randomNormal([8, 8], seed: 13), at: x)
        let (y, moved) = try spd.retractAndTransport(u, v, at: x)
        func power(_ a: Tensor<Double>, _ p: Double) throws -> Tensor<Double> {
            let (values, vectors) = try eigh((a + a.transposed()) * 0.5)
            return RiemannianKernels.spectralFunction(values, vectors) { Double.pow($0, p) }
        }
        let root = try power(x, 0.5), inverseRoot = try power(x, -0.5)
        let e = matmul(matmul(root, try power(matmul(matmul(inverseRoot, y), inverseRoot), 0.5)), inverseRoot)
        let expected = matmul(matmul(e, v), transposed: false, e, transposed: true)
        #expect((moved - expected).maxMagnitude <= 1e-13 * expected.maxMagnitude)
    }
}
