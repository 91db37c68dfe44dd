import Foundation
import Testing
@testable import LinAlg

/// The Taylor path of `matrixExp` (symmetric and skew-symmetric matrices in `Double`): its
/// constants, values, squarings and Fréchet derivative, against
/// `Scripts/fixtures/taylor_exponential.py`.
@Suite("Matrix exponential: the Taylor path")
struct TaylorExponentialTests {
    /// The chosen number of squarings and the value for one matrix, through the Taylor path.
    func taylor(_ a: Tensor<Double>) throws -> (value: Tensor<Double>, squarings: Int, degree: Int) {
        let n = a.shape[0]
        var out = [Double](repeating: 0, count: n * n)
        let state = try a.withUnsafeBufferPointer { p in
            try out.withUnsafeMutableBufferPointer { o in
                let symmetry = SquareMatrix<Double>.symmetry(p.baseAddress!, n: n)
                return try TaylorExponential<Double>.exponential(
                    of: p.baseAddress!, n: n, symmetry: symmetry, into: o.baseAddress!, keepingState: true,
                    shape: a.shape)!
            }
        }
        return (Tensor(shape: a.shape, scalars: out), state.squarings, state.scheme.degree)
    }

    func skew(_ n: Int, scale: Double, seed: UInt64) -> Tensor<Double> {
        let l = (Tensor<Double>.randomNormal([n, n], seed: seed) * (scale / Double(n).squareRoot())).tril(-1)
        return l - l.transposed()
    }

    /// Running each scheme's steps on polynomials (coefficient lists) instead of matrices
    /// composes 1/k! for k ≤ m, the script's 60-digit coefficients, and θ_m is the script's.
    @Test(arguments: TaylorParameters.schemes.map(\.degree))
    func eachSchemeComposesItsTaylorPolynomialAndThetaIsTheScripts(degree: Int) throws {
        let scheme = TaylorParameters.schemes.first { $0.degree == degree }!
        func multiply(_ p: [Double], _ q: [Double]) -> [Double] {
            var r = [Double](repeating: 0, count: 19)
            for (i, x) in p.enumerated() where x != 0 {
                for (j, y) in q.enumerated() where y != 0 {
                    precondition(i + j <= 18, "the scheme exceeds degree 18")
                    r[i + j] += x * y
                }
            }
            return r
        }
        var slots = [[Double]](repeating: [Double](repeating: 0, count: 19), count: scheme.slotCount)
        slots[0][1] = 1
        for step in TaylorParameters.powerSteps.prefix(scheme.powers - 1) + scheme.steps {
            switch step {
            case let .combine(target, terms, identity):
                var r = [Double](repeating: 0, count: 19)
                r[0] = identity
                for term in terms { for k in 0..<19 { r[k] += term.coefficient * slots[term.slot][k] } }
                slots[target] = r
            case let .product(target, left, right, accumulate):
                let p = multiply(slots[left], slots[right])
                slots[target] = accumulate ? zip(slots[target], p).map { $0 + $1 } : p
            case let .square(target, of, _):
                slots[target] = multiply(slots[of], slots[of])
            }
        }
        let t = slots[scheme.result]

        let fixture = try Fixture.load("taylor_exponential_constants").cases.first { $0.number("degree") == Double(degree) }!
        let expected: Tensor<Double> = fixture.output("coefficients")
        #expect(expected.scalarCount == degree + 1)
        var factorial = 1.0
        for k in 0...18 {
            if k > 0 { factorial *= Double(k) }
            if k > degree {
                #expect(t[k] == 0, "degree \(degree): a term in x^\(k)")
                continue
            }
            #expect(Swift.abs(t[k] * factorial - 1) <= 1e-14, "degree \(degree): x^\(k) has \(t[k]) · \(k)! ≠ 1")
            #expect(Swift.abs(t[k] - expected.scalars[k]) <= 1e-14 * expected.scalars[k], "degree \(degree): x^\(k)")
        }
        #expect(scheme.theta(Double.self) == fixture.number("theta_double"))
        #expect(scheme.theta(Float.self) == fixture.number("theta_float"))
    }

    /// A slot that a product or square reads is never written by a later step, so the Fréchet
    /// derivative may read every factor's final value.
    @Test func noSchemeOverwritesAFactor() {
        for scheme in TaylorParameters.schemes {
            let steps = Array(TaylorParameters.powerSteps.prefix(scheme.powers - 1) + scheme.steps)
            func target(_ step: TaylorStep) -> Int {
                switch step {
                case let .combine(t, _, _), let .product(t, _, _, _), let .square(t, _, _): return t
                }
            }
            for (index, step) in steps.enumerated() {
                let factors: [Int]
                switch step {
                case .combine: factors = []
                case let .product(_, left, right, _): factors = [left, right]
                case let .square(_, of, _): factors = [of]
                }
                for later in steps[(index + 1)...] {
                    #expect(!factors.contains(target(later)), "degree \(scheme.degree): step \(index)'s factor is overwritten")
                }
            }
        }
    }

    /// 1 × 1 matrices are symmetric: their exponential is the scalar one, for arguments that
    /// take each degree and from no to eight squarings, within 4(1 + |x|)u (the condition
    /// number of exp at x is |x|; measured worst: 15 ulp at x = −30 and 127 at x = 250).
    @Test func aOneByOneMatrixIsTheScalarExponential() throws {
        let thetas = TaylorParameters.schemes.map { $0.theta(Double.self) }
        for x in [-30.0, -7.5, -1, -1e-9, 0.04, -0.049, 0.06, -0.25, 0.3, 1.05, 1.2, 2.9, 12, 250] {
            let (value, squarings, degree) = try taylor(Tensor(shape: [1, 1], scalars: [x]))
            let expectedDegree = Swift.abs(x) <= thetas[0] ? 8 : Swift.abs(x) <= thetas[1] ? 12 : 18
            #expect(degree == expectedDegree, "exp(\(x)): degree \(degree), expected \(expectedDegree)")
            let expected = Foundation.exp(x)
            #expect(Swift.abs(value.scalars[0] - expected) <= 4 * (1 + Swift.abs(x)) * Double.ulpOfOne * expected,
                    "exp(\(x)) = \(value.scalars[0]), expected \(expected)")
            let needed = Swift.abs(x) <= TaylorParameters.degree18.theta(Double.self)
                ? 0 : Int(Double.log2(Swift.abs(x) / TaylorParameters.degree18.theta(Double.self)).rounded(.up))
            #expect(squarings == needed, "exp(\(x)): \(squarings) squarings, \(needed) needed")
        }
    }

    /// The squarings come from a bound of the spectral radius: never fewer than ρ needs, and
    /// at most one more for random skew matrices (where ‖A‖₁ is about six times ρ).
    @Test func theSquaringsFollowTheSpectralRadius() throws {
        let theta = TaylorParameters.degree18.theta(Double.self)
        for (n, scale) in [(16, 0.5), (64, 1.0), (64, 6.0), (128, 2.0), (200, 30.0)] as [(Int, Double)] {
            let a = skew(n, scale: scale, seed: UInt64(n))
            let (mu, _) = try eigh(matmul(a, transposed: false, a, transposed: true))
            let rho = Swift.max(mu.scalars.max()!, 0).squareRoot()
            let least = rho <= theta ? 0 : Int(Double.log2(rho / theta).rounded(.up))
            let (_, squarings, _) = try taylor(a)
            #expect(squarings >= least && squarings <= least + 1,
                    "n \(n) scale \(scale): ρ = \(rho), \(squarings) squarings, at least \(least)")
            let byOneNorm = Int(Double.log2(oneNorm(a) / theta).rounded(.up))
            #expect(squarings < byOneNorm, "n \(n) scale \(scale): no fewer squarings than ‖A‖₁ asks")
        }
    }

    /// For random 256 × 256 skew matrices of ρ ≈ 2 (an orthogonal weight near its base), the
    /// sharper ‖A¹²‖_F bound gets the least number of squarings ρ allows.
    @Test func aRandomSkewMatrixNearTheThresholdTakesTheLeastSquarings() throws {
        let theta = TaylorParameters.degree18.theta(Double.self)
        for seed in UInt64(1)...3 {
            let a = skew(256, scale: 1, seed: seed)
            let (mu, _) = try eigh(matmul(a, transposed: false, a, transposed: true))
            let rho = Swift.max(mu.scalars.max()!, 0).squareRoot()
            let least = Int(Double.log2(rho / theta).rounded(.up))
            let (_, squarings, _) = try taylor(a)
            #expect(squarings == least, "seed \(seed): ρ = \(rho), \(squarings) squarings, least \(least)")
        }
    }

    /// The fixture inputs take every degree, and some of them squarings.
    @Test func theFixturesExerciseEveryDegree() throws {
        var degrees: Set<Int> = [], scaled = false
        for c in try Fixture.load("taylor_exponential").cases {
            let (_, squarings, degree) = try taylor(c.input("a"))
            degrees.insert(degree)
            scaled = scaled || squarings > 0
        }
        #expect(degrees == [8, 12, 18])
        #expect(scaled)
    }

    /// Values and Fréchet derivatives against 60-digit block exponentials (n = 6) and SciPy
    /// (n = 24), within max(10⁻¹⁴, 2ρu) (the condition number grows like ρ). Measured worst:
    /// 5.6e-15 at ρ = 40 and 4.9e-14 at ρ = 300.
    @Test func valuesAndDerivativesAgreeWithTheFixtures() throws {
        let fixture = try Fixture.load("taylor_exponential")
        for c in fixture.cases {
            let a: Tensor<Double> = c.input("a"), e: Tensor<Double> = c.input("e")
            let tolerance = Swift.max(1e-14, 2 * c.number("spectral_radius") * Double.ulpOfOne)
            let (value, derivative) = try matrixExpFrechetDerivative(at: a, along: e)
            let valueError = normwiseRelativeError(value, c.output("value"))
            let derivativeError = normwiseRelativeError(derivative, c.output("derivative"))
            #expect(valueError <= tolerance, "\(c.name): value error \(valueError)")
            #expect(derivativeError <= tolerance, "\(c.name): derivative error \(derivativeError)")
            // The pullback at Aᵀ with cotangent E is L(A, E) too.
            let tape = GradientTape()
            let x = tape.watch(a.transposed())
            let loss = try tape.record { (try matrixExp(x) * e).sum() }
            let pullbackError = normwiseRelativeError(try tape.gradient(of: loss, wrt: x), c.output("derivative"))
            #expect(pullbackError <= tolerance, "\(c.name): pullback error \(pullbackError)")
        }
    }

    /// Central differences of `exp(X − Xᵀ)` and `exp(X + Xᵀ)` stay on the Taylor path (the
    /// perturbed inputs are skew or symmetric too); of `exp(S)` itself they leave it, so the
    /// pullback is checked against the Padé path's values as well.
    @Test(arguments: [0.01, 0.1, 0.4, 2.0, 9.0])
    func pullbacksPassTheGradientCheck(scale: Double) throws {
        let n = 5
        let x = Tensor<Double>.randomNormal([n, n], seed: UInt64(scale * 100)) * (scale / Double(n).squareRoot())
        for (name, f) in [("X − Xᵀ", { (t: Tensor<Double>) in t - t.transposed() }),
                          ("X + Xᵀ", { (t: Tensor<Double>) in (t + t.transposed()) * 0.5 })] {
            let composite = try gradientCheck(at: [x]) { t in try matrixExp(f(t[0])) }
            #expect(composite.passed, "\(name), scale \(scale): \(composite)")
            let direct = try gradientCheck(at: [f(x)]) { t in try matrixExp(t[0]) }
            #expect(direct.passed, "exp at \(name) itself, scale \(scale): \(direct)")
        }
    }

    @Test func aSymmetricMatrixWithALargeEigenvalueThrowsOverflow() throws {
        let a = Tensor<Double>.diagonalMatrix(Tensor(shape: [3], scalars: [800, 1, -2]))
        #expect(throws: LinAlgError.self) { try matrixExp(a) }
        let b = Tensor<Double>.diagonalMatrix(Tensor(shape: [3], scalars: [-800, 1, -2]))
        #expect(try matrixExp(b).scalars.allSatisfy(\.isFinite))
    }

    /// A symmetric matrix too large for its sixth power is scaled by its 1-norm first: the
    /// exponential of one with eigenvalues near −10⁶⁰ underflows to exactly zero.
    @Test func aHugeSymmetricMatrixIsScaledBeforeItsPowers() throws {
        let g = Tensor<Double>.randomNormal([4, 4], seed: 3) * 0.1
        let a = (g + g.transposed() - Tensor<Double>.eye(4) * 4) * 1e60
        #expect(try matrixExp(a) == Tensor<Double>.zeros([4, 4]))
    }
}
