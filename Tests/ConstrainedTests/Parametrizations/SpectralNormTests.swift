import Testing
@testable import Constrained

final class SpectralModel<S: TensorScalar>: Layer {
    @AnyConstrained var w: Tensor<S>

    init(_ initial: Tensor<S>, dim: Int = 0) {
        _w = Constrained(wrappedValue: initial, SpectralNorm<S>(dim: dim))
    }

    var spectralNorm: SpectralNorm<S> { $w.parametrization(as: SpectralNorm<S>.self)! }
}

@Suite("SpectralNorm")
struct SpectralNormTests {
    /// `U diag(s) Vᵀ` with random orthogonal factors: a matrix of known singular values.
    func matrix<S: TensorScalar>(rows: Int, columns: Int, singularValues s: [S], seed: UInt64) throws -> Tensor<S> {
        let u: Tensor<S> = try randomOrthogonal([rows, s.count], seed: seed)
        let v: Tensor<S> = try randomOrthogonal([columns, s.count], seed: seed + 1)
        return matmul(u * Tensor(shape: [1, s.count], scalars: s), transposed: false, v, transposed: true)
    }

    func normalisedAfterWarmUp<S: TensorScalar>(_: S.Type) throws {
        // A Gaussian matrix, whose leading gap decides how fast the power iteration converges.
        for seed: UInt64 in [1, 2, 3] {
            let model = SpectralModel<S>(Tensor<S>.randomNormal([8, 5], seed: seed) * 3)
            let sigma = try singularValues(model.w).scalars[0]
            #expect(abs(sigma - 1) <= 1e-3, "σ(W) = \(sigma) for seed \(seed)")
        }
    }

    @Test func theSpectralNormIsOneAfterTheWarmUp() throws {
        try normalisedAfterWarmUp(Float.self)
        try normalisedAfterWarmUp(Double.self)
    }

    @Test func theNormalisationFollowsDimForHigherRankWeights() throws {
        // A convolution-like weight [out 4, in 3, 2, 2] with dim 1 (as a transposed convolution):
        // the matrix is axis 1 first, the rest flattened.
        let w = Tensor<Double>.randomNormal([4, 3, 2, 2], seed: 4)
        let model = SpectralModel<Double>(w, dim: 1)
        // Build the matrix view by hand: M[i, (a, c, d)] = W[a, i, c, d].
        var m = [Double](repeating: 0, count: 48)
        let ws = model.w.scalars
        for a in 0..<4 { for i in 0..<3 { for r in 0..<4 { m[i * 16 + a * 4 + r] = ws[((a * 3) + i) * 4 + r] } } }
        let sigma = try singularValues(Tensor<Double>(shape: [3, 16], scalars: m)).scalars[0]
        #expect(abs(sigma - 1) <= 1e-3, "σ = \(sigma)")
        #expect(model.spectralNorm.u.shape == [3] && model.spectralNorm.v.shape == [16])
    }

    @Test func eachTrainingRecomputationRunsOnePowerIteration() throws {
        let w = Tensor<Double>.randomNormal([5, 4], seed: 5)
        let model = SpectralModel<Double>(w)
        let p = model.spectralNorm
        let (u0, v0) = (p.u, p.v)
        _ = model.w
        _ = model.w   // cached: no second iteration
        // One iteration from (u0, v0): u = W v0 / ‖W v0‖, v = Wᵀ u / ‖Wᵀ u‖.
        let wu = matmul(w, v0.reshaped(to: [4, 1])).reshaped(to: [5])
        let u1 = wu / ((wu * wu).sum().scalars[0]).squareRoot()
        let wv = matmul(w, transposed: true, u1.reshaped(to: [5, 1]), transposed: false).reshaped(to: [4])
        let v1 = wv / ((wv * wv).sum().scalars[0]).squareRoot()
        #expect(maxAbsoluteDifference(p.u, u1) <= 1e-14)
        #expect(maxAbsoluteDifference(p.v, v1) <= 1e-14)
        #expect(u0.scalars != p.u.scalars)
        #expect(model.$w.cacheStatistics == CacheStatistics(evaluations: 1, hits: 1))
    }

    @Test func theBuffersAreUpdatedInPlace() throws {
        let model = SpectralModel<Double>(Tensor<Double>.randomNormal([5, 4], seed: 6))
        // Only the identity and version are kept: holding the tensor itself would make the
        // update copy on write.
        let (id, version) = (model.spectralNorm.u.storageID, model.spectralNorm.u.version)
        _ = model.w
        #expect(model.spectralNorm.u.storageID == id)
        #expect(model.spectralNorm.u.version > version)
    }

    func evaluationModeFreezes<S: TensorScalar>(_: S.Type) throws {
        let model = SpectralModel<S>(Tensor<S>.randomNormal([6, 4], seed: 7))
        let sgd = SGD(for: model, learningRate: 0.01)
        var lastTraining = model.w
        for _ in 0..<3 {
            let (_, gradients) = try valueWithGradient(of: model) { m in (m.w * m.w * m.w).sum() }
            sgd.update(model, along: gradients)
            lastTraining = model.w
        }
        let (u, v) = (model.spectralNorm.u, model.spectralNorm.v)
        model.isTraining = false
        let evaluated = model.w
        #expect(evaluated.scalars == lastTraining.scalars)
        model.$w.invalidate()
        _ = model.w
        #expect(model.spectralNorm.u.scalars == u.scalars && model.spectralNorm.u.version == u.version)
        #expect(model.spectralNorm.v.scalars == v.scalars && model.spectralNorm.v.version == v.version)
    }

    @Test func evaluationModeRepeatsTheLastTrainingValueAndLeavesUAndVAlone() throws {
        try evaluationModeFreezes(Float.self)
        try evaluationModeFreezes(Double.self)
    }

    func vectorsAreNormalisedExactly<S: TensorScalar>(_: S.Type) throws {
        let x = Tensor<S>([3, 4])
        let y = try SpectralNorm<S>().forward(x)
        #expect(maxAbsoluteDifference(y, Tensor<S>([0.6, 0.8])) <= S.ulpOfOne)
        #expect(try SpectralNorm<S>().forward(Tensor<S>.zeros([3])).scalars == [0, 0, 0], "eps keeps a zero vector finite")
    }

    @Test func vectorsAreDividedByTheirNorm() throws {
        try vectorsAreNormalisedExactly(Float.self)
        try vectorsAreNormalisedExactly(Double.self)
    }

    @Test func gradientsMatchFiniteDifferencesInEvaluationMode() throws {
        for (shape, dim) in [([5, 3], 0), ([3, 5], 1), ([2, 3, 2], 1), ([4], 0)] {
            var p = SpectralNorm<Double>(dim: dim)
            let w = Tensor<Double>.randomNormal(shape, seed: 8)
            _ = try p.rightInverse(w)
            p.setTraining(false)   // a fixed function of W (training mode iterates on every call)
            let result = try gradientCheck(at: [w]) { xs in try p.forward(xs[0]) }
            #expect(result.passed, "\(shape) dim \(dim): \(result)")
        }
    }

    @Test func anOutOfRangeDimIsRejectedNamingTheShape() throws {
        let error = #expect(throws: ConstrainedError.self) {
            try SpectralNorm<Double>(dim: 2).rightInverse(Tensor<Double>.zeros([3, 4]))
        }
        #expect(error?.description.contains("[3, 4]") == true)
    }

    @Test func uAndVAreStateTensors() {
        let model = SpectralModel<Double>(Tensor<Double>.randomNormal([3, 2], seed: 9))
        #expect(model.stateNames.contains("w.0.u") && model.stateNames.contains("w.0.v"))
        #expect(model.parameterNames == ["w.original"])
    }
}
