import Testing
@testable import Constrained

/// The eigen chart `Q diag(f(diag X)) Qᵀ`, `Q = B · e^{tril(X, −1) − tril(X, −1)ᵀ}`, of
/// `PositiveDefinite(.eigen)` and `PositiveSemidefinite()`.
@Suite("Eigen chart")
struct EigenFrameTests {
    final class Holder: Layer {
        @Constrained(PositiveDefinite<Double>(.eigen)) var metric = Tensor<Double>.eye(4)
        @Constrained(PositiveSemidefinite<Double>()) var gram = Tensor<Double>.eye(3)
    }

    /// `B e^A diag(f(d)) (B e^A)ᵀ` written out with plain tensor ops.
    func byHand(_ x: Tensor<Double>, base: Tensor<Double>, _ f: (Tensor<Double>) -> Tensor<Double>) throws -> Tensor<Double> {
        let lower = x.tril(-1)
        let q = matmul(base, try matrixExp(lower - lower.transposed()))
        let n = x.shape[x.rank - 1], batch = Array(x.shape.dropLast(2))
        return matmul(q * f(x.diagonal()).reshaped(to: batch + [1, n]), transposed: false, q, transposed: true)
    }

    @Test func theCongruencePullbackMatchesFiniteDifferences() throws {
        for shape in [[4, 4], [2, 3, 3]] {
            let q = Tensor<Double>.randomNormal(shape, seed: 1)
            let lambda = Tensor<Double>.randomNormal(Array(shape.dropLast()), seed: 2)
            let result = try gradientCheck(at: [q, lambda]) { xs in EigenFrame.congruence(xs[0], xs[1]) }
            #expect(result.passed, "\(shape): \(result)")
        }
    }

    @Test func theValueIsTheChartAtTheBase() throws {
        for shape in [[5, 5], [2, 4, 4]] {
            let base = try Orthogonal<Double>().sample(shape: shape, seed: 3)
            let x = Tensor<Double>.randomNormal(shape, seed: 4)
            let pd = PositiveDefinite<Double>(.eigen)
            pd.frame!.base!.wrappedValue = base
            let expectedPD = try byHand(x, base: base) { softplus($0) + 1e-6 }
            #expect(maxAbsoluteDifference(try pd.forward(x), expectedPD) <= 1e-13, "\(shape)")
            let psd = PositiveSemidefinite<Double>()
            psd.frame!.base!.wrappedValue = base
            let expectedPSD = try byHand(x, base: base) { abs($0) }
            #expect(maxAbsoluteDifference(try psd.forward(x), expectedPSD) <= 1e-13, "\(shape)")
        }
    }

    @Test func theUpperTriangleIsUnusedAndTheDiagonalSetsTheEigenvalues() throws {
        let x = Tensor<Double>.randomNormal([4, 4], seed: 5)
        var p = PositiveDefinite<Double>(.eigen)
        let g = try gradientOfForward(&p, at: x)
        #expect(g.triu(1).scalars.allSatisfy { $0 == 0 })
        #expect(g.tril(-1).scalars.filter { $0 != 0 }.count == 6)
        let values = try eigh(try p.forward(x)).values.scalars.sorted()
        let expected = x.diagonal().scalars.map { Pointwise.softplus($0) + 1e-6 }.sorted()
        #expect(zip(values, expected).allSatisfy { abs($0 - $1) <= 1e-13 }, "\(values) vs \(expected)")
    }

    @Test func theRightInverseIsTheChartsOriginAtTheEigenvectors() throws {
        var p = PositiveDefinite<Double>(.eigen)
        let y = try p.sample(shape: [2, 4, 4], seed: 6)
        let x = try p.rightInverse(y)
        #expect(x.tril(-1).scalars.allSatisfy { $0 == 0 } && x.triu(1).scalars.allSatisfy { $0 == 0 })
        // Ascending eigenvalues on the diagonal, as geotorch.
        let d = x.diagonal().scalars
        #expect(d[0] <= d[1] && d[1] <= d[2] && d[2] <= d[3])
        let base = p.frame!.base!.wrappedValue
        #expect(maxAbsoluteDifference(matmul(base, transposed: true, base, transposed: false), Tensor<Double>.eye(rows: 4, columns: 4, batch: [2])) <= 1e-14)
        #expect(maxAbsoluteDifference(try p.forward(x), y) <= 1e-13)
    }

    @Test func updateBaseKeepsTheValueAndClearsTheRotation() throws {
        let layer = Holder()
        layer.metric = try PositiveDefinite<Double>(.eigen).sample(shape: [4, 4], seed: 7)
        layer.$metric.original = layer.$metric.original + Tensor<Double>.randomNormal([4, 4], seed: 8) * 0.3
        layer.$gram.original = layer.$gram.original + Tensor<Double>.randomNormal([3, 3], seed: 9) * 0.3
        let (metric, gram) = (layer.metric, layer.gram)
        let (diagonal, gramDiagonal) = (layer.$metric.original.diagonal(), layer.$gram.original.diagonal())
        try layer.$metric.updateBase()
        try layer.$gram.updateBase()
        #expect(maxAbsoluteDifference(layer.metric, metric) <= 1e-13)
        #expect(maxAbsoluteDifference(layer.gram, gram) <= 1e-13)
        #expect(layer.$metric.original == Tensor.diagonalMatrix(diagonal))
        #expect(layer.$gram.original == Tensor.diagonalMatrix(gramDiagonal))
    }

    @Test func onlyTheChartHasABase() {
        for map in [PositiveDefinite<Double>.Map.cholesky, .exp, .spectral] {
            var p = PositiveDefinite<Double>(map)
            #expect(p.frame == nil)
            #expect {
                _ = try p.updateBase(original: Tensor<Double>.eye(3))
            } throws: { error in
                guard let e = error as? ConstrainedError, case .invalidArgument(let detail) = e.cause else { return false }
                return detail.contains(".eigen") && e.description.contains("PositiveDefinite")
            }
        }
        var low = PositiveSemidefinite<Double>(rank: 2)
        #expect(throws: ConstrainedError.self) { _ = try low.updateBase(original: Tensor<Double>.eye(3)) }
        var spectral = PositiveSemidefinite<Double>(map: .spectral)
        #expect(throws: ConstrainedError.self) { _ = try spectral.updateBase(original: Tensor<Double>.eye(3)) }
    }

    @Test func aNonSquareShapeThrowsNamingTheSet() {
        var p = PositiveDefinite<Double>(.eigen)
        #expect {
            try p.register(shape: [3, 4])
        } throws: { error in (error as? ConstrainedError)?.description.contains("PositiveDefinite") == true }
        #expect(throws: ConstrainedError.self) { _ = try PositiveDefinite<Double>(.eigen).forward(Tensor<Double>.zeros([2, 3])) }
        var s = PositiveSemidefinite<Double>()
        #expect {
            try s.register(shape: [4, 2])
        } throws: { error in (error as? ConstrainedError)?.description.contains("PositiveSemidefinite") == true }
    }

    @Test func aRefusedAssignmentKeepsTheValueAndTheBase() throws {
        let layer = Holder()
        layer.metric = try PositiveDefinite<Double>(.eigen).sample(shape: [4, 4], seed: 10)
        let (before, original) = (layer.metric, layer.$metric.original)
        let base = try layer.checkpoint()["metric.0.frame.base"]
        #expect(base != nil)
        #expect(throws: ConstrainedError.self) { try layer.$metric.assign(before * -1) }
        #expect(layer.metric == before && layer.$metric.original == original)
        #expect(try layer.checkpoint()["metric.0.frame.base"] == base)
        let gram = layer.gram
        #expect(throws: ConstrainedError.self) { try layer.$gram.assign(Tensor<Double>.eye(3) * -1) }
        #expect(layer.gram == gram)
    }

    @Test func theBaseIsSavedAndLoadedUnderGeotorchsKey() throws {
        let layer = Holder()
        layer.metric = try PositiveDefinite<Double>(.eigen).sample(shape: [4, 4], seed: 11)
        layer.gram = try PositiveSemidefinite<Double>().sample(shape: [3, 3], seed: 12)
        let names = try layer.checkpoint(layout: .pytorch).names
        #expect(names.contains("parametrizations.metric.0.0.base") && names.contains("parametrizations.gram.0.0.base"), "\(names)")
        #expect(try layer.checkpoint().names.contains("metric.0.frame.base"))
        for layout in [CheckpointLayout.native, .pytorch] {
            let other = Holder()
            try other.load(try layer.checkpoint(layout: layout), layout: layout)
            #expect(maxAbsoluteDifference(other.metric, layer.metric) <= 1e-14, "\(layout)")
            #expect(maxAbsoluteDifference(other.gram, layer.gram) <= 1e-14, "\(layout)")
        }
    }
}
