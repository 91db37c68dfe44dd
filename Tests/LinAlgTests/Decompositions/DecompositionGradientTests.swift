import Testing
@testable import LinAlg

/// A well-conditioned random square matrix (batch): normal entries plus `shift · I`.
func wellConditioned(_ shape: [Int], seed: UInt64, shift: Double = 4) -> Tensor<Double> {
    let n = shape[shape.count - 1]
    return Tensor<Double>.randomNormal(shape, seed: seed)
        + Tensor<Double>.eye(rows: n, columns: n, batch: Array(shape.dropLast(2))) * shift
}

/// `½ (X + Xᵀ)`, recorded (so gradient checks of ops that read one triangle see the symmetric
/// gradient through it).
func symmetricPart(_ x: Tensor<Double>) -> Tensor<Double> { (x + x.transposed()) * 0.5 }

/// Expects a gradient check of `f` at `inputs` to pass.
func expectGradient(_ inputs: [Tensor<Double>], relativeTolerance: Double = 1e-6,
                    sourceLocation: SourceLocation = #_sourceLocation,
                    _ f: ([Tensor<Double>]) throws -> Tensor<Double>) throws {
    let result = try gradientCheck(at: inputs, relativeTolerance: relativeTolerance, f)
    #expect(result.passed, "\(result)", sourceLocation: sourceLocation)
}

@Suite("Gradients of the decompositions")
struct DecompositionGradientTests {
    @Test(arguments: [
        ([3, 3], [3, 2]), ([2, 3, 3], [2, 3, 4]), ([3, 3], [2, 3, 2]), ([1, 3, 3], [2, 3, 1]),
        ([2, 3, 3], [2, 3]), ([2, 3, 3], [3]), ([4, 4], [4]),
    ])
    func solveMatchesFiniteDifferences(aShape: [Int], bShape: [Int]) throws {
        let a = wellConditioned(aShape, seed: 1), b = Tensor<Double>.randomNormal(bShape, seed: 2)
        try expectGradient([a, b]) { t in try solve(t[0], t[1]) }
    }

    @Test(arguments: [[3, 3], [2, 4, 4], [1, 1]])
    func inverseMatchesFiniteDifferences(shape: [Int]) throws {
        try expectGradient([wellConditioned(shape, seed: 3)]) { t in try inverse(t[0]) }
    }

    @Test(arguments: [[3, 3], [2, 4, 4], [1, 1]])
    func determinantMatchesFiniteDifferences(shape: [Int]) throws {
        try expectGradient([wellConditioned(shape, seed: 4, shift: 1)]) { t in try determinant(t[0]) }
    }

    @Test func determinantGradientAtASingularMatrixIsTheCofactorMatrix() throws {
        // Rank 2: the third row is the sum of the first two. det is a polynomial, so finite
        // differences see its gradient (the cofactor matrix, non-zero at rank n − 1).
        let a = Tensor<Double>(shape: [2, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 5, 7, 9,
                                                           2, 0, 1, 0, 0, 0, 1, 1, 1])
        try expectGradient([a]) { t in try determinant(t[0]) }
    }

    @Test(arguments: [[3, 3], [2, 4, 4]])
    func logAbsDeterminantMatchesFiniteDifferences(shape: [Int]) throws {
        let a = Tensor<Double>.randomNormal(shape, seed: 5)
        try expectGradient([a]) { t in try slogdet(t[0]).logAbsDeterminant }
    }

    @Test(arguments: [[3, 3], [2, 4, 4], [5, 5]])
    func choleskyMatchesFiniteDifferences(shape: [Int]) throws {
        let n = shape[shape.count - 1]
        let x = Tensor<Double>.randomNormal(shape, seed: 6)
        let spd = matmul(x, transposed: false, x, transposed: true)
            + Tensor<Double>.eye(rows: n, columns: n, batch: Array(shape.dropLast(2)))
        let p = Tensor<Double>.randomNormal(shape, seed: 7) * 0.1
        try expectGradient([p]) { t in try cholesky(spd + symmetricPart(t[0])) }
    }

    @Test(arguments: [false, true], [false, true])
    func triangularSolveMatchesFiniteDifferences(upper: Bool, transposed: Bool) throws {
        for (unit, left) in [(false, true), (true, true), (false, false), (true, false)] {
            let a = wellConditioned([2, 4, 4], seed: 8)
            let b = Tensor<Double>.randomNormal(left ? [4, 3] : [2, 3, 4], seed: 9)
            try expectGradient([a, b]) { t in
                try triangularSolve(t[0], t[1], upper: upper, transposed: transposed, unitDiagonal: unit, left: left)
            }
        }
    }

    @Test(arguments: [[5, 3], [4, 4], [3, 5], [2, 4, 3], [2, 3, 4], [1, 1], [1, 3], [3, 1]])
    func qrMatchesFiniteDifferences(shape: [Int]) throws {
        let a = Tensor<Double>.randomNormal(shape, seed: 10)
        let m = shape[shape.count - 2], n = shape[shape.count - 1], k = min(m, n)
        let wq = Tensor<Double>.randomNormal([m, k], seed: 11), wr = Tensor<Double>.randomNormal([k, n], seed: 12)
        for positive in [false, true] {
            try expectGradient([a]) { t in
                let (q, r) = try qr(t[0], nonNegativeDiagonal: positive)
                return (q * wq).sum() + (r * wr).sum()
            }
        }
        // Each factor alone (the other's cotangent is zero).
        try expectGradient([a]) { t in try qr(t[0]).q }
        try expectGradient([a]) { t in try qr(t[0]).r }
    }

    @Test(arguments: [([5, 5], 5), ([6, 4], 3), ([4, 4], 2), ([2, 5, 3], 3), ([3, 2], 0)])
    func householderProductMatchesFiniteDifferences(shape: [Int], k: Int) throws {
        let a = Tensor<Double>.randomNormal(shape, seed: 13)
        let tau = Tensor<Double>.randomUniform(Array(shape.dropLast(2)) + [k], from: 0.2, to: 1.5, seed: 14)
        try expectGradient([a, tau]) { t in try householderProduct(t[0], tau: t[1]) }
    }

    /// Several blocks of reflectors (the kernel groups 32). Random τ would make the product of
    /// 36 reflectors grow like (1 + τ‖v‖²)^k, beyond what finite differences resolve, so τ is
    /// 2/‖v‖² (orthogonal) perturbed by up to 10 %: still not orthogonal, but bounded.
    @Test(arguments: [([40, 36], 36), ([48, 40], 37)])
    func householderProductOfManyBlocksMatchesFiniteDifferences(shape: [Int], k: Int) throws {
        let a = Tensor<Double>.randomNormal(shape, seed: 13) * 0.5
        let m = shape[0]
        let u = Tensor<Double>.randomUniform([k], from: -0.1, to: 0.1, seed: 14).scalars
        let tau = Tensor<Double>((0..<k).map { i in
            var norm2 = 1.0
            for r in (i + 1)..<m { norm2 += a[r, i] * a[r, i] }
            return 2 / norm2 * (1 + u[i])
        })
        try expectGradient([a, tau]) { t in try householderProduct(t[0], tau: t[1]) }
    }

    @Test func householderProductOfAQRFactorisationHasTheQRGradient() throws {
        // With geqrf's own reflectors the product is orthogonal; the gradient is still exact.
        let a = Tensor<Double>.randomNormal([7, 5], seed: 15)
        var tau = Tensor<Double>(shape: [5], repeating: 0)
        var work = a.transposed().scalars
        tau.withUnsafeMutableBufferPointer { t in
            _ = Double.geqrf(m: 7, n: 5, a: &work, lda: 7, tau: t.baseAddress!)
        }
        let reflectors = Tensor<Double>(shape: [5, 7], scalars: work).transposed()
        try expectGradient([reflectors, tau]) { t in try householderProduct(t[0], tau: t[1]) }
    }

    @Test(arguments: [[4, 4], [2, 3, 3], [1, 1], [6, 6]])
    func eighMatchesFiniteDifferences(shape: [Int]) throws {
        let n = shape[shape.count - 1]
        let x = Tensor<Double>.randomNormal(shape, seed: 16)
        let c = Tensor<Double>.randomNormal([n], seed: 17), w = Tensor<Double>.randomNormal([n], seed: 18)
        let weights = Tensor<Double>.randomNormal([n, n], seed: 19)
        // Gauge-invariant: eigenvalues and V diag(c) Vᵀ do not depend on the vectors' signs.
        try expectGradient([x]) { t in
            let (values, vectors) = try eigh(symmetricPart(t[0]))
            return (values * w).sum() + (matmul(vectors * c, transposed: false, vectors, transposed: true) * weights).sum()
        }
        try expectGradient([x]) { t in try eigh(symmetricPart(t[0])).values }
    }

    @Test func eighGradientOfTheEigenvaluesIsFiniteForRepeatedEigenvalues() throws {
        let tape = GradientTape()
        let a = tape.watch(Tensor<Double>.eye(3) * 2)
        let loss = try tape.record { (try eigh(a).values * Tensor([1, 2, 3])).sum() }
        let g = try tape.gradient(of: loss, wrt: a)
        let finite = g.scalars.allSatisfy { $0.isFinite }
        #expect(finite)
        // The trace of the gradient is the sum of the weights (d/dt of λ(A + tI) = 1 each).
        #expect(abs(g.trace().scalar - 6) < 1e-12)
    }

    @Test(arguments: [[4, 4], [5, 3], [3, 5], [2, 4, 3], [2, 3, 4], [1, 1], [1, 4], [4, 1]])
    func svdMatchesFiniteDifferences(shape: [Int]) throws {
        let m = shape[shape.count - 2], n = shape[shape.count - 1], k = min(m, n)
        let a = Tensor<Double>.randomNormal(shape, seed: 20)
        let c = Tensor<Double>.randomNormal([k], seed: 21), d = Tensor<Double>.randomNormal([k], seed: 22)
        let w1 = Tensor<Double>.randomNormal([m, n], seed: 23), w2 = Tensor<Double>.randomNormal([m, m], seed: 24)
        let w3 = Tensor<Double>.randomNormal([n, n], seed: 25)
        try expectGradient([a]) { t in
            let (u, s, vt) = try svd(t[0])
            let usv = matmul(u * c, vt)
            let uu = matmul(u * d, transposed: false, u, transposed: true)
            let vv = matmul(vt, transposed: true, vt * d.reshaped(to: [k, 1]), transposed: false)
            return (usv * w1).sum() + (uu * w2).sum() + (vv * w3).sum() + (s * s * s).sum()
        }
        // Each output alone.
        try expectGradient([a]) { t in try svd(t[0]).s }
        try expectGradient([a]) { t in let (u, _, _) = try svd(t[0]); return (matmul(u * d, transposed: false, u, transposed: true) * w2).sum() }
        try expectGradient([a]) { t in let (_, _, vt) = try svd(t[0]); return (matmul(vt, transposed: true, vt * d.reshaped(to: [k, 1]), transposed: false) * w3).sum() }
    }

    @Test(arguments: [[4, 3], [2, 3, 5], [4, 4]])
    func singularValuesMatchFiniteDifferences(shape: [Int]) throws {
        try expectGradient([Tensor<Double>.randomNormal(shape, seed: 26)]) { t in try singularValues(t[0]) }
    }

    @Test func compositesMatchFiniteDifferences() throws {
        // The Cayley map (I − A/2)⁻¹ (I + A/2) of a skew matrix, as Orthogonal(.cayley) uses it.
        let x = Tensor<Double>.randomNormal([2, 4, 4], seed: 27)
        let eye = Tensor<Double>.eye(rows: 4, columns: 4, batch: [2])
        try expectGradient([x]) { t in
            let skew = (t[0] - t[0].transposed()) * 0.5
            return try solve(eye - skew * 0.5, eye + skew * 0.5)
        }
        // log det(L Lᵀ) = 2 Σ log Lᵢᵢ through cholesky, and through slogdet.
        let l = Tensor<Double>.randomNormal([3, 3], seed: 28).tril() + Tensor<Double>.eye(3) * 3
        try expectGradient([l]) { t in
            let spd = matmul(t[0], transposed: false, t[0], transposed: true)
            return try slogdet(spd).logAbsDeterminant + (try cholesky(spd).diagonal() * 1.5).sum()
        }
    }
}
