import Testing
@testable import Constrained

/// Bad inputs a new user tries: each throws where it happens, with the operation, subject,
/// key, shape and cause, and leaves the model as it was.
@Suite("Bad input fails where it happens")
struct BadInputTests {
    final class Model: Layer {
        @Constrained(Positive()) var scale = Tensor<Double>([1, 2, 3])
        @Constrained(Orthogonal()) var rotation = Tensor<Double>.eye(4)
        let head = Linear<Double>(16, 4, seed: 1)
    }

    /// The (identity, version) of every tensor and the value of every property of `m`.
    func snapshot(_ m: Model) -> [[Double]] {
        [m.$scale.original.scalars, m.scale.scalars, m.$rotation.original.scalars, m.rotation.scalars,
         m.head.weight.scalars, [Double(m.$scale.original.storageID), Double(m.$scale.original.version)]]
    }

    @Test func assigningAWrongShapeToAPropertyThrowsShapeMismatchWithItsKey() throws {
        let m = Model()
        _ = m.parameterNames   // a traversal names the properties
        let before = snapshot(m)
        let error = #expect(throws: ConstrainedError.self) { try m.$scale.assign(Tensor<Double>.ones([7])) }
        #expect(error?.cause == .shapeMismatch(expected: [3], found: [7]))
        #expect(error?.operation == "assign" && error?.key == "scale" && error?.shape == [7])
        #expect(error?.description == "assign of Positive<Double> to \"scale\" (shape [7]): the tensor has shape [7], but [3] is expected")
        #expect(snapshot(m) == before)
    }

    @Test func assigningAWrongShapeToAPlainLayerWeightThrows() throws {
        let m = Model()
        _ = m.parameterNames
        let before = snapshot(m)
        let error = #expect(throws: ConstrainedError.self) { try m.head.$weight.assign(Tensor<Double>.zeros([9, 2])) }
        #expect(error?.cause == .shapeMismatch(expected: [4, 16], found: [9, 2]))
        #expect(error?.key == "head.weight")
        #expect(snapshot(m) == before)
    }

    @Test func settingAnOriginalOfAnotherShapeThrows() throws {
        let m = Model()
        let before = snapshot(m)
        let error = #expect(throws: ConstrainedError.self) { try m.$rotation.setOriginal(Tensor<Double>.zeros([5, 5])) }
        #expect(error?.cause == .shapeMismatch(expected: [4, 4], found: [5, 5]))
        #expect(error?.operation == "setOriginal")
        #expect(snapshot(m) == before)
        try m.$rotation.setOriginal(Tensor<Double>.zeros([4, 4]))   // the right shape is taken
        #expect(m.$rotation.original.scalars == [Double](repeating: 0, count: 16))
    }

    @Test func aParametrizationRefusingTheShapeThrowsAtRegistration() throws {
        let m = Model()
        for p in [AnyParametrization(Skew<Double>()), AnyParametrization(CayleyMap<Double>()),
                  AnyParametrization(MatrixExp<Double>()), AnyParametrization(Symmetric<Double>())] {
            let error = #expect(throws: ConstrainedError.self) { try m.head.$weight.parametrize(with: p) }
            #expect(error?.operation == "register" && error?.shape == [4, 16])
            if case .invalidShape(let detail) = error?.cause {
                #expect(detail.contains("square"))
            } else {
                Issue.record("expected invalidShape, got \(String(describing: error))")
            }
            #expect(!m.head.$weight.isParametrized)
        }
        let spectral = #expect(throws: ConstrainedError.self) { try m.head.$weight.parametrize(with: SpectralNorm<Double>(dim: 2)) }
        #expect(spectral?.operation == "register")
        let weightNorm = #expect(throws: ConstrainedError.self) { try m.head.$weight.parametrize(with: WeightNorm<Double>(dim: -3)) }
        #expect(weightNorm?.operation == "register")
        let mask = #expect(throws: ConstrainedError.self) { try m.head.$weight.parametrize(with: Mask(Tensor<Double>.ones([3]))) }
        #expect(mask?.operation == "register")
        #expect(m.head.parameterNames == ["weight", "bias"])
    }

    @Test func aLayerWithAConstraintItsRandomStartViolatesStartsInTheSet() throws {
        let plain = Linear<Double>(4, 4, seed: 3)
        let positive = Linear(4, 4, weight: Positive<Double>(), seed: 3)
        #expect(plain.weight.scalars.contains { $0 < 0 }, "the random start has negative entries")
        // The random start became the original: the weight is its softplus, a point of the set.
        #expect(positive.$weight.original.scalars == plain.weight.scalars)
        #expect(maxAbsoluteDifference(positive.weight, softplus(plain.weight)) <= 1e-15)
        #expect(positive.weight.scalars.allSatisfy { $0 > 0 })
        // A start inside the set is still taken as the constrained value.
        let orthogonal = Linear(4, 4, weight: Orthogonal<Double>(), seed: 3)
        let q = orthogonal.weight
        #expect(maxAbsoluteDifference(matmul(q, transposed: true, q, transposed: false), .eye(4)) <= 1e-14)
        let cell = RNNCell(inputSize: 2, hiddenSize: 3, recurrent: NonNegative<Double>(), seed: 4)
        #expect(cell.recurrent.scalars.allSatisfy { $0 >= 0 })
        let conv = Conv2d(1, 2, kernelSize: 2, weight: Bounded<Double>(low: 0, high: 1), seed: 5)
        #expect(conv.weight.scalars.allSatisfy { $0 > 0 && $0 < 1 })
    }

    @Test func constrainWeightThrowsAndLeavesTheLayerWhenTheWeightIsNotInTheSet() throws {
        let layer = Linear<Double>(4, 4, seed: 3)
        let before = layer.weight
        let error = #expect(throws: ConstrainedError.self) { try layer.constrainWeight(Positive()) }
        if case .notInImage = error?.cause {} else { Issue.record("expected notInImage, got \(String(describing: error))") }
        let skew = #expect(throws: ConstrainedError.self) { try Linear<Double>(3, 4, seed: 1).constrainWeight(Skew()) }
        #expect(skew?.operation == "register")
        #expect(layer.weight == before && layer.parameterNames == ["weight", "bias"])
    }

    @Test func constrainRecurrentRegistersOnTheCurrentKernel() throws {
        let cell = RNNCell<Double>(inputSize: 2, hiddenSize: 4, seed: 6)
        let before = cell.recurrent
        let error = #expect(throws: ConstrainedError.self) { try cell.constrainRecurrent(Positive()) }
        if case .notInImage = error?.cause {} else { Issue.record("expected notInImage, got \(String(describing: error))") }
        #expect(cell.recurrent == before && cell.parameterNames.contains("recurrent"))
        try cell.constrainRecurrent(Orthogonal())
        let q = cell.recurrent
        #expect(maxAbsoluteDifference(matmul(q, transposed: true, q, transposed: false), .eye(4)) <= 1e-14)
        #expect(cell.parameterNames.contains("recurrent.original") && !cell.parameterNames.contains("recurrent"))
        // The orthogonal factor of the old kernel: Q R = before with R's diagonal positive.
        let r = matmul(q, transposed: true, before, transposed: false)
        #expect(maxAbsoluteDifference(r, r.triu(0)) <= 1e-14)
        #expect((0..<4).allSatisfy { r.scalars[$0 * 5] > 0 })
    }

    @Test func oneStatefulInstanceIsNotRegisteredTwice() throws {
        let p = SpectralNorm<Double>()
        let first = Linear(3, 4, weight: p, seed: 1)
        let firstNorm = try #require(first.$weight.parametrization(as: SpectralNorm<Double>.self))
        let (u, version) = (firstNorm.u.scalars, firstNorm.u.version)
        let second = Linear<Double>(3, 4, seed: 2)
        let error = #expect(throws: ConstrainedError.self) { try second.constrainWeight(p) }
        #expect(error?.operation == "register" && error?.subject == "SpectralNorm<Double>")
        #expect(error?.description.contains("already held by another constrained property") == true)
        #expect(second.parameterNames == ["weight", "bias"])
        #expect(firstNorm.u.scalars == u && firstNorm.u.version == version, "the first layer's state is untouched")
        let plain = Linear<Double>(3, 4, seed: 3)
        #expect(throws: ConstrainedError.self) { try plain.$weight.parametrize(with: p) }
        #expect(!plain.$weight.isParametrized)
        // One instance per property: each has its own state.
        try second.constrainWeight(SpectralNorm())
        let secondNorm = try #require(second.$weight.parametrization(as: SpectralNorm<Double>.self))
        #expect(secondNorm.$u !== firstNorm.$u)
        // A stateless instance may be shared.
        let positive = Positive<Double>()
        _ = Linear(3, 4, weight: positive, seed: 4)
        _ = Linear(3, 4, weight: positive, seed: 5)
        // Once the first property lets the instance go, it may be registered again.
        try first.$weight.removeParametrization()
        try plain.$weight.parametrize(with: p)
        #expect(plain.$weight.isParametrized)
    }
}
