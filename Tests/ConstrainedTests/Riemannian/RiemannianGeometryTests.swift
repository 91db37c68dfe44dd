import Testing
@testable import Constrained

/// The laws of each set's Riemannian geometry, on random points and tangent vectors.
///
/// Tolerances: a retraction or exponential step lands within the set's
/// ``Manifold/defaultTolerance(for:)`` (`10 n ε` for every set here); identities of the
/// geometry (idempotence, normality, tangency) hold to `1e-12` relative to the vectors' size.
@Suite("Riemannian geometry")
struct RiemannianGeometryTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let shape: [Int]
        let make: @Sendable () -> any RiemannianManifold<Double>
        var testDescription: String { "\(name) \(shape)" }
    }

    static let cases: [Case] = [
        Case(name: "Stiefel", shape: [6, 3]) { Orthogonal<Double>() },
        Case(name: "Stiefel wide", shape: [2, 5]) { Orthogonal<Double>() },
        Case(name: "Stiefel batched", shape: [3, 4, 2]) { Orthogonal<Double>() },
        Case(name: "orthogonal group", shape: [4, 4]) { Orthogonal<Double>() },
        Case(name: "Sphere", shape: [3, 5]) { Sphere<Double>(radius: 2) },
        Case(name: "Grassmannian", shape: [6, 2]) { Grassmannian<Double>() },
        Case(name: "PositiveDefinite", shape: [3, 3]) { PositiveDefinite<Double>(.eigen) },
        Case(name: "SPD", shape: [4, 4]) { SymmetricPositiveDefinite<Double>() },
        Case(name: "SPD batched", shape: [2, 3, 3]) { SymmetricPositiveDefinite<Double>() },
        Case(name: "product", shape: [22]) {
            ProductManifold<Double>((Orthogonal<Double>(), [4, 2]), (SymmetricPositiveDefinite<Double>(), [3, 3]),
                                    (Sphere<Double>(), [5]))
        },
    ]

    /// A point, and a tangent vector at it of norm about `scale`.
    func setUp(_ c: Case, seed: UInt64, scale: Double = 0.3) throws
        -> (m: any RiemannianManifold<Double>, x: Tensor<Double>, v: Tensor<Double>) {
        var m = c.make()
        try m.register(shape: c.shape)
        let x = try m.sample(shape: c.shape, seed: seed)
        let raw = try m.projectToTangent(Tensor.randomNormal(c.shape, seed: seed + 100), at: x)
        let norm = raw.norm().scalars[0]
        return (m, x, raw * (scale / norm))
    }

    @Test("a retraction step stays on the set", arguments: cases)
    func retractionStaysOnSet(_ c: Case) throws {
        for seed: UInt64 in 1...5 {
            let (m, x, v) = try setUp(c, seed: seed)
            let y = try m.retract(v, at: x)
            let d = try m.deviation(of: y), tolerance = m.defaultTolerance(for: c.shape)
            #expect(d <= tolerance, "\(c.name) seed \(seed): deviation \(d) > \(tolerance)")
            let e = try m.exponential(v, at: x)
            #expect(try m.deviation(of: e) <= tolerance, "\(c.name) exponential")
        }
    }

    @Test func stiefelRetractionIsTheHouseholderQFactorForShortAndLongSteps() throws {
        // Short steps take Cholesky QR, long ones (κ(x + u) ≥ 1.5) Householder: the same Q.
        let stiefel = Orthogonal<Double>()
        let x = try stiefel.sample(shape: [7, 3], seed: 30)
        for scale in [0.05, 5.0] {
            let u = try stiefel.projectToTangent(Tensor.randomNormal([7, 3], seed: 31), at: x) * scale
            let y = try stiefel.retract(u, at: x)
            let householder = try qr(x + u, nonNegativeDiagonal: true).q
            #expect((y - householder).maxMagnitude <= 1e-13, "scale \(scale)")
            #expect(stiefel.contains(y), "scale \(scale)")
        }
    }

    @Test("the tangent projection is idempotent", arguments: cases)
    func projectionIsIdempotent(_ c: Case) throws {
        let (m, x, _) = try setUp(c, seed: 7)
        let u = Tensor<Double>.randomNormal(c.shape, seed: 8)
        let p = try m.projectToTangent(u, at: x)
        let pp = try m.projectToTangent(p, at: x)
        #expect((pp - p).maxMagnitude <= 1e-12 * max(1, p.maxMagnitude))
    }

    @Test("what the projection removes is normal to the tangent space", arguments: cases)
    func residualIsNormal(_ c: Case) throws {
        let (m, x, _) = try setUp(c, seed: 9)
        let u = Tensor<Double>.randomNormal(c.shape, seed: 10)
        let residual = u - (try m.projectToTangent(u, at: x))
        for seed: UInt64 in 11...13 {
            let t = try m.projectToTangent(Tensor.randomNormal(c.shape, seed: seed), at: x)
            let product = RiemannianKernels.dot(residual, t)
            #expect(abs(product) <= 1e-12 * Double(x.scalarCount), "\(c.name): ⟨u − Pu, t⟩ = \(product)")
        }
    }

    @Test("the velocity of a curve on the set is tangent", arguments: cases)
    func curveVelocityIsTangent(_ c: Case) throws {
        // c(t) = projection(x + t w) lies on the set (the nearest-point map, independent of the
        // tangent projection); its velocity at 0, by central differences, is fixed by P_x. Not for
        // the Grassmannian: a curve of frames also turns within the subspace (vertical
        // directions `x Ω`), which its horizontal projection removes by design.
        guard c.name != "Grassmannian" else { return }
        let (m, x, _) = try setUp(c, seed: 21)
        let w = Tensor<Double>.randomNormal(c.shape, seed: 22)
        let h = 1e-6
        let velocity = (try m.projection(x + w * h) - (try m.projection(x - w * h))) * (1 / (2 * h))
        let projected = try m.projectToTangent(velocity, at: x)
        #expect((projected - velocity).maxMagnitude <= 1e-6 * max(1, velocity.maxMagnitude),
                "\(c.name): |P(c') − c'| = \((projected - velocity).maxMagnitude)")
    }

    @Test("transport keeps vectors tangent", arguments: cases)
    func transportKeepsTangent(_ c: Case) throws {
        let (m, x, u) = try setUp(c, seed: 14)
        let v = try m.projectToTangent(Tensor.randomNormal(c.shape, seed: 15), at: x)
        let y = try m.retract(u, at: x)
        let moved = try m.transport(v, from: x, to: y)
        let (point, fused) = try m.retractAndTransport(u, v, at: x)
        #expect((try m.projectToTangent(moved, at: y) - moved).maxMagnitude <= 1e-12 * max(1, moved.maxMagnitude))
        #expect((point - y).maxMagnitude <= 1e-14 && (fused - moved).maxMagnitude <= 1e-12)
    }

    @Test("the Riemannian gradient represents the derivative in the metric", arguments: cases)
    func gradientRepresentsDerivative(_ c: Case) throws {
        // f(x) = Σ cᵢ xᵢ has Euclidean gradient c; along any tangent v,
        // d/dt f(R_x(t v)) at 0 = ⟨c, v⟩ = ⟨grad f, v⟩_x.
        let (m, x, v) = try setUp(c, seed: 16, scale: 1)
        let coefficients = Tensor<Double>.randomNormal(c.shape, seed: 17)
        let g = try m.riemannianGradient(coefficients, at: x)
        let expected = RiemannianKernels.dot(coefficients, v)
        #expect(abs(try m.inner(g, v, at: x) - expected) <= 1e-11 * max(1, abs(expected)))
        let h = 1e-5
        let plus = RiemannianKernels.dot(coefficients, try m.retract(v * h, at: x))
        let minus = RiemannianKernels.dot(coefficients, try m.retract(v * -h, at: x))
        #expect(abs((plus - minus) / (2 * h) - expected) <= 1e-6 * max(1, abs(expected)))
        if c.name != "product" {   // a product repeats each norm over its entries: tested below
            let total = try m.componentNorms(g, at: x).sum().scalars[0], squared = try m.inner(g, g, at: x)
            #expect(abs(total - squared) <= 1e-10 * max(1, squared), "\(c.name): Σ component norms \(total) vs ⟨g, g⟩ \(squared)")
        }
    }

    @Test func componentNormsOfAProductRepeatEachComponentsNorm() throws {
        let c = Self.cases.last!
        let (m, x, v) = try setUp(c, seed: 18)
        let norms = try m.componentNorms(v, at: x)
        #expect(norms.shape == [22])
        #expect(Set(norms.scalars[0..<8]).count == 1 && Set(norms.scalars[8..<17]).count == 1)
        let total = norms.scalars[0] + norms.scalars[8] + norms.scalars[17]
        #expect(abs(total - (try m.inner(v, v, at: x))) <= 1e-12)
    }

    @Test func spdTransportIsAnIsometry() throws {
        // Parallel transport along the geodesic preserves the affine-invariant metric.
        let (m, x, u) = try setUp(Self.cases.first { $0.name == "SPD" }!, seed: 19)
        let v = try m.projectToTangent(Tensor.randomNormal([4, 4], seed: 20), at: x)
        let y = try m.exponential(u, at: x)
        let moved = try m.transport(v, from: x, to: y)
        #expect(abs(try m.inner(moved, moved, at: y) - (try m.inner(v, v, at: x))) <= 1e-11)
    }

    @Test func sphereExponentialIsTheGreatCircle() throws {
        let sphere = Sphere<Double>(radius: 2)
        let x = Tensor<Double>([2, 0, 0]), u = Tensor<Double>([0, Double.pi, 0])   // a quarter turn
        let y = try sphere.exponential(u, at: x)
        #expect((y - Tensor([0, 2, 0])).maxMagnitude <= 1e-15)
    }

    @Test func aTangentOfTheWrongShapeThrowsNamingTheSet() throws {
        let stiefel = Orthogonal<Double>()
        let x = try stiefel.sample(shape: [4, 2], seed: 1)
        #expect {
            _ = try stiefel.projectToTangent(Tensor.zeros([2, 4]), at: x)
        } throws: { error in
            (error as? ConstrainedError)?.cause == .shapeMismatch(expected: [4, 2], found: [2, 4])
        }
    }
}
