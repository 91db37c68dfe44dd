import Testing
@testable import LinAlg

/// The tolerance of a fixture comparison: `base`, or ten times the forward error bound
/// condition · u when the problem is ill-conditioned, or ten times SciPy's own error against
/// the 60-digit reference where SciPy does worse than that (see Scripts/fixtures/matrix_exp.py).
func tolerance<S: TensorScalar>(_: S.Type, base: S, condition: Double, referenceError: Double) -> S {
    max(base, 10 * S(condition) * S.ulpOfOne / 2, 10 * S(referenceError))
}

extension Fixture.Case {
    func number(_ key: String) -> Double {
        guard case .number(let x)? = params?[key] else { fatalError("case \(name) has no number \(key)") }
        return x
    }

    var floatOK: Bool {
        guard case .bool(let ok)? = params?["float_ok"] else { return false }
        return ok
    }

    func applies<S: TensorScalar>(to _: S.Type) -> Bool { S.self == Double.self || floatOK }
}

@Suite("Matrix exponential")
struct MatrixExponentialTests {
    /// Measured worst errors beyond the condition bound: 1.8e-7 (Float), 2.2e-16 (Double).
    static let base: (float: Float, double: Double) = (1e-6, 1e-15)

    func agreesWithTheFixtures<S: TensorScalar>(_: S.Type, base: S) throws {
        let fixture = try Fixture.load("matrix_exp")
        for c in fixture.cases where c.applies(to: S.self) {
            let a: Tensor<S> = c.input("a")
            let result = try matrixExp(a)
            let error = normwiseRelativeError(result, c.output("expected"))
            let allowed = tolerance(S.self, base: base, condition: c.number("condition"),
                                    referenceError: c.number("scipy_error"))
            #expect(error <= allowed, "\(S.self) \(c.name): error \(error) > \(allowed)")
        }
    }

    @Test func agreesWithTheFixtures() throws {
        try agreesWithTheFixtures(Float.self, base: Self.base.float)
        try agreesWithTheFixtures(Double.self, base: Self.base.double)
    }

    @Test func agreesWithSciPyToTenDigitsOnWellConditionedCases() throws {
        let fixture = try Fixture.load("matrix_exp")
        var checked = 0
        for c in fixture.cases where c.number("condition") < 1e4 {
            let a: Tensor<Double> = c.input("a")
            let error = normwiseRelativeError(try matrixExp(a), c.output("scipy"))
            // SciPy's own error is up to a few 1e-13 here (measured worst 3.9e-13).
            #expect(error <= 2e-12, "\(c.name): error \(error) against scipy.linalg.expm")
            checked += 1
        }
        #expect(checked >= 20)
    }

    func exponentialOfZeroIsTheIdentity<S: TensorScalar>(_: S.Type) throws {
        let result = try matrixExp(Tensor<S>.zeros([2, 5, 5]))
        #expect(result == Tensor<S>.eye(rows: 5, columns: 5, batch: [2]))
    }

    @Test func exponentialOfZeroIsTheIdentity() throws {
        try exponentialOfZeroIsTheIdentity(Float.self)
        try exponentialOfZeroIsTheIdentity(Double.self)
    }

    func exponentialOfMinusAIsTheInverse<S: TensorScalar>(_: S.Type) throws {
        let n = 7
        for (seed, norm) in [(1, S(0.05)), (2, S(1)), (3, S(4))] as [(UInt64, S)] {
            let x = Tensor<S>.randomNormal([n, n], seed: seed)
            let a = x * (norm / S(oneNorm(x)))
            let p = try matrixExp(a), q = try matrixExp(-a)
            let error = normwiseRelativeError(matmul(p, q), Tensor<S>.eye(n))
            // Each factor has a relative error of a few u·cond; the product magnifies by ‖p‖‖q‖.
            let allowed = 100 * S(n) * S.ulpOfOne * S(oneNorm(p) * oneNorm(q))
            #expect(error <= allowed, "\(S.self) norm \(norm): \(error) > \(allowed)")
        }
    }

    @Test func exponentialOfMinusAIsTheInverse() throws {
        try exponentialOfMinusAIsTheInverse(Float.self)
        try exponentialOfMinusAIsTheInverse(Double.self)
    }

    func skewSymmetricGivesAnOrthogonalMatrix<S: TensorScalar>(_: S.Type) throws {
        let n = 8
        for (seed, norm) in [(4, S(1e-3)), (5, S(1)), (6, S(5))] as [(UInt64, S)] {
            let x = Tensor<S>.randomNormal([n, n], seed: seed)
            let skew = x - x.transposed()
            let q = try matrixExp(skew * (norm / S(oneNorm(skew))))
            let defect = matmul(q.transposed(), q) - Tensor<S>.eye(n)
            let worst = defect.scalars.map { abs($0) }.max()!
            #expect(worst <= 10 * S(n) * S.ulpOfOne, "\(S.self) norm \(norm): ‖QᵀQ − I‖max = \(worst)")
        }
    }

    @Test func skewSymmetricGivesAnOrthogonalMatrix() throws {
        try skewSymmetricGivesAnOrthogonalMatrix(Float.self)
        try skewSymmetricGivesAnOrthogonalMatrix(Double.self)
    }

    func batchedEqualsPerMatrix<S: TensorScalar>(_: S.Type) throws {
        let a = Tensor<S>.randomNormal([2, 3, 4, 4], seed: 7) * 2
        let batched = try matrixExp(a).scalars
        for t in 0..<6 {
            let single = Tensor<S>(shape: [4, 4], scalars: Array(a.scalars[(16 * t)..<(16 * t + 16)]))
            #expect(Array(batched[(16 * t)..<(16 * t + 16)]) == (try matrixExp(single)).scalars)
        }
    }

    @Test func batchedEqualsPerMatrix() throws {
        try batchedEqualsPerMatrix(Float.self)
        try batchedEqualsPerMatrix(Double.self)
    }

    @Test func emptyAndOneByOneMatrices() throws {
        #expect(try matrixExp(Tensor<Double>.zeros([3, 0, 0])).shape == [3, 0, 0])
        let one = try matrixExp(Tensor<Double>(shape: [2, 1, 1], scalars: [0.5, -2]))
        #expect(normwiseRelativeError(one, Tensor(shape: [2, 1, 1], scalars: [.exp(0.5), .exp(-2)])) < 1e-15)
    }

    func nonFiniteInputThrows<S: TensorScalar>(_: S.Type) {
        for bad in [S.nan, S.infinity] {
            var a = Tensor<S>.zeros([2, 3, 3])
            a[1, 2, 0] = bad
            #expect(throws: LinAlgError(operation: "matrixExp", shape: [2, 3, 3], cause: .nonFinite,
                                        batchIndex: [1])) {
                try matrixExp(a)
            }
        }
    }

    @Test func nonFiniteInputThrows() {
        nonFiniteInputThrows(Float.self)
        nonFiniteInputThrows(Double.self)
    }

    @Test func overflowThrowsInsteadOfReturningInfinities() throws {
        let big = Tensor<Float>.eye(3) * 100  // e¹⁰⁰ ≈ 2.7e43 > Float.greatestFiniteMagnitude
        do {
            _ = try matrixExp(big)
            Issue.record("exp(100 I) in Float should overflow")
        } catch let error as LinAlgError {
            #expect(error.cause == .overflow)
            #expect(error.description == "matrixExp: matrix of shape [3, 3] gives a result too large for the scalar type (overflow)")
        }
        // In a batch, the error names the matrix that overflowed.
        let batch = Tensor<Double>.eye(rows: 2, columns: 2, batch: [3]) * Tensor<Double>([1, 800, 2]).reshaped(to: [3, 1, 1])
        #expect(throws: LinAlgError(operation: "matrixExp", shape: [3, 2, 2], cause: .overflow, batchIndex: [1])) {
            try matrixExp(batch)
        }
        // Near the limit but representable: e⁸⁰ ≈ 5.5e34 in Float.
        let near = try matrixExp(Tensor<Float>.eye(2) * 80)
        #expect(abs(near[0, 0] / Float.exp(80) - 1) < 1e-5)
    }

    /// When ‖A‖⁶ overflows, the degree cannot be chosen from the powers: A is first scaled by
    /// its 1-norm. exp(−c I) for c = 1e60 (Double) or 1e7 (Float) underflows to exactly zero.
    func hugeNormsScaleBeforeFormingPowers<S: TensorScalar>(_: S.Type, magnitude: S) throws {
        let x = Tensor<S>.randomNormal([4, 4], seed: 9)
        let a = (x - x.transposed() - Tensor<S>.eye(4) * 4) * magnitude
        let result = try matrixExp(a)
        #expect(result == Tensor<S>.zeros([4, 4]))
    }

    @Test func hugeNormsScaleBeforeFormingPowers() throws {
        try hugeNormsScaleBeforeFormingPowers(Float.self, magnitude: 1e7)
        try hugeNormsScaleBeforeFormingPowers(Double.self, magnitude: 1e60)
    }

    @Test func recordingDoesNotChangeTheValue() throws {
        let a = Tensor<Double>.randomNormal([3, 5, 5], seed: 8) * 3
        let plain = try matrixExp(a)
        let tape = GradientTape()
        let x = tape.watch(a)
        let recorded = try tape.record { try matrixExp(x) }
        #expect(recorded.isTracked)
        #expect(recorded.scalars == plain.scalars)
    }

    /// Every Padé degree (3, 5, 7, 9, 13 in Double; 3, 5, 7 in Float) is chosen for some
    /// fixture input, so the agreement tests cover each evaluation scheme.
    func fixturesExerciseEveryDegree<S: TensorScalar>(_: S.Type, expected: Set<Int>) throws {
        let fixture = try Fixture.load("matrix_exp")
        var degrees: Set<Int> = []
        var scaled = false
        for c in fixture.cases where c.applies(to: S.self) {
            let a: Tensor<S> = c.input("a")
            let n = a.shape[a.rank - 1]
            for t in 0..<(a.scalarCount / max(n * n, 1)) {
                let state = try a.withUnsafeBufferPointer { p in
                    var out = [S](repeating: 0, count: n * n)
                    return try out.withUnsafeMutableBufferPointer { o in
                        try PadeExponential<S>.exponential(of: p.baseAddress! + t * n * n, n: n,
                                                           into: o.baseAddress!, keepingState: true,
                                                           shape: a.shape)
                    }
                }
                degrees.insert(state!.degree)
                scaled = scaled || state!.squarings > 0
            }
        }
        #expect(degrees == expected, "\(S.self): degrees used \(degrees.sorted())")
        #expect(scaled)
    }

    @Test func fixturesExerciseEveryDegree() throws {
        try fixturesExerciseEveryDegree(Float.self, expected: [3, 5, 7])
        try fixturesExerciseEveryDegree(Double.self, expected: [3, 5, 7, 9, 13])
    }
}

/// The largest absolute column sum of a matrix.
func oneNorm<S: TensorScalar>(_ a: Tensor<S>) -> Double {
    a.withUnsafeBufferPointer { SquareMatrix<S>.oneNorm($0.baseAddress!, n: a.shape[a.rank - 1]) }
}
