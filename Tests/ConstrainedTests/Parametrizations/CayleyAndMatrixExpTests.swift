import Testing
@testable import Constrained

@Suite("CayleyMap and MatrixExp")
struct CayleyAndMatrixExpTests {
    func composedWithSkewIsOrthogonal<S: TensorScalar>(_: S.Type) throws {
        for shape in [[6, 6], [3, 5, 5], [1, 1]] {
            let x = Tensor<S>.randomNormal(shape, seed: 7)
            var cayley = Skew<S>() >>> CayleyMap<S>()
            var exp = Skew<S>() >>> MatrixExp<S>()
            let bound = orthogonalityBound(S.self, shape)
            let q1 = try cayley.forward(x), q2 = try exp.forward(x)
            #expect(orthogonalityError(q1) <= bound, "Cayley \(shape): \(orthogonalityError(q1))")
            #expect(orthogonalityError(q2) <= bound, "exp \(shape): \(orthogonalityError(q2))")
        }
    }

    @Test func skewThenCayleyOrExpIsOrthogonal() throws {
        try composedWithSkewIsOrthogonal(Float.self)
        try composedWithSkewIsOrthogonal(Double.self)
    }

    /// e^A of the block-diagonal skew matrix with angles θᵢ is the rotations by θᵢ: an
    /// analytic reference.
    func exponentialOfRotationGenerators<S: TensorScalar>(_: S.Type) throws {
        let angles: [S] = [0.3, -2.5, 3.0]   // norms up to 3: scaling and squaring is exercised
        var a = [S](repeating: 0, count: 36), expected = [S](repeating: 0, count: 36)
        for (t, theta) in angles.enumerated() {
            let i = 2 * t
            a[i * 6 + i + 1] = theta; a[(i + 1) * 6 + i] = -theta
            expected[i * 6 + i] = S.cos(theta); expected[i * 6 + i + 1] = S.sin(theta)
            expected[(i + 1) * 6 + i] = -S.sin(theta); expected[(i + 1) * 6 + i + 1] = S.cos(theta)
        }
        let q = try MatrixExp<S>().forward(Tensor(shape: [6, 6], scalars: a))
        let error = maxAbsoluteDifference(q, Tensor(shape: [6, 6], scalars: expected))
        #expect(error <= 64 * S.ulpOfOne, "\(error)")
    }

    @Test func matrixExpOfRotationGeneratorsIsTheRotation() throws {
        try exponentialOfRotationGenerators(Float.self)
        try exponentialOfRotationGenerators(Double.self)
    }

    @Test func matrixExpOfALargeNonNormalMatrixInvertsItsNegative() throws {
        let a = Tensor<Double>.randomNormal([8, 8], seed: 8) * 3
        let product = matmul(try MatrixExp<Double>().forward(a), try MatrixExp<Double>().forward(-a))
        #expect(maxAbsoluteDifference(product, Tensor<Double>.eye(8)) <= 1e-9)
    }

    func cayleyRoundTrips<S: TensorScalar>(_: S.Type) throws {
        var p = Skew<S>() >>> CayleyMap<S>()
        let q = try p.forward(Tensor<S>.randomNormal([2, 5, 5], seed: 9))
        let back = try p.forward(try p.rightInverse(q))
        #expect(maxAbsoluteDifference(back, q) <= 50 * S.ulpOfOne)
    }

    @Test func cayleyRightInverseRoundTrips() throws {
        try cayleyRoundTrips(Float.self)
        try cayleyRoundTrips(Double.self)
    }

    @Test func cayleyRightInverseOfMinusIdentityThrowsNotInImage() throws {
        let error = #expect(throws: ConstrainedError.self) { try CayleyMap<Double>().rightInverse(Tensor<Double>.eye(3) * -1) }
        #expect(error?.operation == "rightInverse" && error?.subject == "CayleyMap" && error?.shape == [3, 3])
        guard case .notInImage(let detail) = error?.cause else {
            Issue.record("expected notInImage, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("eigenvalue −1") && detail.contains("U[0, 0] is exactly zero"), "\(detail)")
    }

    @Test func cayleyForwardOfASingularIMinusXWrapsTheLinearAlgebraError() throws {
        let error = #expect(throws: ConstrainedError.self) { try CayleyMap<Double>().forward(Tensor<Double>.eye(2)) }
        #expect(error?.cause == .linearAlgebra(LinAlgError(operation: "cayley", shape: [2, 2], cause: .singular(pivot: 0))))
    }

    @Test func matrixExpHasNoRightInverse() throws {
        let p = MatrixExp<Double>()
        #expect(throws: ConstrainedError("rightInverse", subject: "MatrixExp<Double>", shape: [2, 2], cause: .noRightInverse)) { try p.rightInverse(Tensor<Double>.eye(2)) }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        for shape in [[4, 4], [2, 3, 3]] {
            let x = Tensor<Double>.randomNormal(shape, seed: 10)
            let cayley = try gradientCheck(at: [x]) { xs in try CayleyMap<Double>().forward(xs[0] * 0.3) }
            #expect(cayley.passed, "\(cayley)")
            let exp = try gradientCheck(at: [x]) { xs in try MatrixExp<Double>().forward(xs[0]) }
            #expect(exp.passed, "\(exp)")
            var skewCayley = Skew<Double>() >>> CayleyMap<Double>()
            let composed = try gradientCheck(at: [x]) { xs in try skewCayley.forward(xs[0]) }
            #expect(composed.passed, "\(composed)")
        }
    }

    @Test func aLayerPropertyStaysOrthogonalUnderAssignment() throws {
        final class M: Layer {
            @Constrained(Skew<Double>() >>> CayleyMap<Double>()) var q = Tensor<Double>.eye(4)
        }
        let m = M()
        #expect(m.q.scalars == Tensor<Double>.eye(4).scalars)
        var p = Skew<Double>() >>> CayleyMap<Double>()
        let target = try p.forward(Tensor<Double>.randomNormal([4, 4], seed: 12))
        m.q = target
        #expect(maxAbsoluteDifference(m.q, target) <= 1e-14)
    }
}
