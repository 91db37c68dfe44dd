import Testing
@testable import Constrained

/// The exact exponential maps of the Stiefel manifold and the Grassmannian against
/// `Scripts/fixtures/riemannian_exponential.py` (geoopt's `EuclideanStiefelExact.expmap`; for
/// the Grassmannian an expm of the full orthogonal completion, an independent route).
@Suite("Stiefel and Grassmannian exponential maps")
struct RiemannianExponentialTests {
    static let cases = (try? Fixture.load("riemannian_exponential").cases) ?? []

    func manifold(_ c: Fixture.Case) -> any RiemannianManifold<Double> {
        if case .string("grassmannian")? = c.params?["manifold"] { return Grassmannian<Double>() }
        return Orthogonal<Double>()
    }

    @Test("exp_x(u) matches the reference to 1e-12", arguments: cases)
    func matchesTheReference(_ c: Fixture.Case) throws {
        let x = c.input("x", as: Double.self), u = c.input("u", as: Double.self)
        let y = try manifold(c).exponential(u, at: x)
        let error = (y - c.output("y", as: Double.self)).maxMagnitude
        #expect(error < 1e-12, "\(c.name): \(error)")
        let deviation = try manifold(c).deviation(of: y)
        #expect(manifold(c).contains(y), "\(c.name): off the set by \(deviation)")
    }

    @Test func theFixtureHasEveryKindOfCase() {
        #expect(Self.cases.map(\.name).sorted() == ["grassmannian", "grassmannian_wide_angles", "stiefel_long_step",
                                                   "stiefel_square", "stiefel_tall", "stiefel_wide"])
    }

    /// A geodesic: its velocity at t = 0 is u, and exp_x(2u) = exp_y(v) with y = exp_x(u) and v
    /// the velocity at y (estimated by a central difference), for a batch of tall frames.
    @Test func theCurveStartsWithVelocityUAndIsAGeodesicOnABatch() throws {
        let m = Orthogonal<Double>()
        let x = try m.sample(shape: [2, 6, 3], seed: 3)
        let u = try m.projectToTangent(Tensor<Double>.randomNormal([2, 6, 3], seed: 4) * 0.3, at: x)
        let h = 1e-5
        let velocity0 = (try m.exponential(u * h, at: x) - m.exponential(u * -h, at: x)) * (1 / (2 * h))
        #expect((velocity0 - u).maxMagnitude < 1e-8)
        let y = try m.exponential(u, at: x)
        let velocity1 = (try m.exponential(u * (1 + h), at: x) - m.exponential(u * (1 - h), at: x)) * (1 / (2 * h))
        let twice = try m.exponential(u * 2, at: x), continued = try m.exponential(velocity1, at: y)
        #expect((twice - continued).maxMagnitude < 1e-7)
        #expect(m.contains(twice))
    }

    @Test func onTheOrthogonalGroupItIsXTimesExpOfXTransposeU() throws {
        let m = Orthogonal<Double>()
        let x = try m.sample(shape: [5, 5], seed: 5)
        let u = try m.projectToTangent(Tensor<Double>.randomNormal([5, 5], seed: 6), at: x)
        let expected = matmul(x, try matrixExp(matmul(x, transposed: true, u, transposed: false)))
        #expect((try m.exponential(u, at: x) - expected).maxMagnitude < 1e-12)
    }

    @Test func grassmannianPrincipalAnglesAreTheVelocitysSingularValues() throws {
        let m = Grassmannian<Double>()
        let x = try m.sample(shape: [7, 2], seed: 7)
        let u = try m.projectToTangent(Tensor<Double>.randomNormal([7, 2], seed: 8) * 0.4, at: x)
        let y = try m.exponential(u, at: x)
        let cosines = try svd(matmul(x, transposed: true, y, transposed: false)).s
        let angles = try svd(u).s
        let c = cosines.scalars, a = angles.scalars
        // Both in descending order: the largest cosine belongs to the smallest angle.
        for i in 0..<2 { #expect(abs(c[i] - Double.cos(a[1 - i])) < 1e-12) }
    }
}
