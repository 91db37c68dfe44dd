import Testing
@testable import LinAlg

@Suite("Matrix exponential: Fréchet derivative and pullback")
struct MatrixExponentialGradientTests {
    /// Random matrices whose first matrix has the given 1-norm (covering degrees and scaling).
    static func input(_ shape: [Int], norm: Double, seed: UInt64) -> Tensor<Double> {
        let x = Tensor<Double>.randomNormal(shape, seed: seed)
        return x * (norm / oneNorm(x))
    }

    @Test(arguments: [
        ([1, 1], 0.7), ([3, 3], 1e-3), ([3, 3], 0.1), ([4, 4], 0.8), ([4, 4], 1.8),
        ([5, 5], 10), ([2, 4, 4], 3), ([2, 2, 3, 3], 10),
    ] as [([Int], Double)])
    func pullbackPassesTheGradientCheck(shape: [Int], norm: Double) throws {
        let a = Self.input(shape, norm: norm, seed: UInt64(shape.reduce(0, +)) &+ UInt64(norm * 100))
        let result = try gradientCheck(at: [a]) { x in try matrixExp(x[0]) }
        #expect(result.passed, "shape \(shape), norm \(norm): \(result)")
    }

    @Test func pullbackOfAHighlyNonNormalMatrixPassesTheGradientCheck() throws {
        let a = Tensor<Double>(shape: [3, 3], scalars: [-1, 300, 20, 0, -2, 150, 0, 0, -0.5])
        let result = try gradientCheck(at: [a]) { x in try matrixExp(x[0]) }
        #expect(result.passed, "\(result)")
    }

    func frechetDerivativeAgreesWithTheFixtures<S: TensorScalar>(_: S.Type, tolerance: S) throws {
        let fixture = try Fixture.load("matrix_exp_frechet")
        for c in fixture.cases where c.applies(to: S.self) {
            let a: Tensor<S> = c.input("a"), e: Tensor<S> = c.input("e")
            let expected: Tensor<S> = c.output("derivative")
            let (value, derivative) = try matrixExpFrechetDerivative(at: a, along: e)
            let valueError = normwiseRelativeError(value, c.output("value"))
            let error = normwiseRelativeError(derivative, expected)
            #expect(valueError <= tolerance, "\(S.self) \(c.name): value error \(valueError)")
            #expect(error <= tolerance, "\(S.self) \(c.name): derivative error \(error)")
        }
    }

    @Test func frechetDerivativeAgreesWithTheFixtures() throws {
        // Measured worst errors (value, derivative): 2.3e-6, 2.0e-6 (Float); 3.7e-13, 9.2e-14 (Double).
        try frechetDerivativeAgreesWithTheFixtures(Float.self, tolerance: 1e-5)
        try frechetDerivativeAgreesWithTheFixtures(Double.self, tolerance: 2e-12)
    }

    /// The pullback at X with cotangent G is L(Xᵀ, G): at X = Aᵀ with G = E it is L(A, E).
    func pullbackIsTheFrechetDerivativeAtTheTranspose<S: TensorScalar>(_: S.Type, tolerance: S) throws {
        let fixture = try Fixture.load("matrix_exp_frechet")
        for c in fixture.cases where c.applies(to: S.self) {
            let a: Tensor<S> = c.input("a"), e: Tensor<S> = c.input("e")
            let tape = GradientTape()
            let x = tape.watch(a.transposed())
            let loss = try tape.record { (try matrixExp(x) * e).sum() }
            let gradient = try tape.gradient(of: loss, wrt: x)
            let error = normwiseRelativeError(gradient, c.output("derivative"))
            #expect(error <= tolerance, "\(S.self) \(c.name): error \(error)")
        }
    }

    @Test func pullbackIsTheFrechetDerivativeAtTheTranspose() throws {
        // Measured worst errors: 7.2e-7 (Float), 1.4e-13 (Double).
        try pullbackIsTheFrechetDerivativeAtTheTranspose(Float.self, tolerance: 5e-6)
        try pullbackIsTheFrechetDerivativeAtTheTranspose(Double.self, tolerance: 1e-12)
    }

    /// The gradient of Σ exp(X − Xᵀ) ⊙ W (the orthogonal parametrisation) through subtraction,
    /// transposition and the exponential matches central differences.
    @Test func gradientOfASkewExponentialCompositeMatchesFiniteDifferences() throws {
        for (n, scale, seed) in [(4, 0.5, 11), (6, 2.0, 12)] as [(Int, Double, UInt64)] {
            let x = Tensor<Double>.randomNormal([n, n], seed: seed) * scale
            let w = Tensor<Double>.randomNormal([n, n], seed: seed + 100)
            let result = try gradientCheck(at: [x], relativeTolerance: 1e-6) { t in
                (try matrixExp(t[0] - t[0].transposed()) * w).sum()
            }
            #expect(result.passed, "n = \(n): \(result)")
        }
    }
}
