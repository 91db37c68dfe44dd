import Testing
@testable import Constrained

final class MaskedModel: Layer {
    @AnyConstrained var w: Tensor<Double>

    init(_ initial: Tensor<Double>, mask: Tensor<Double>) {
        _w = Constrained(wrappedValue: initial, Mask(mask))
    }
}

@Suite("Mask")
struct MaskTests {
    let keep = Tensor<Double>(shape: [2, 3], scalars: [1, 0, 1, 0, 1, 1])

    @Test func prunedEntriesReadAsZeroAndTheOriginalKeepsThem() {
        let model = MaskedModel(Tensor<Double>.ones([2, 3]) * 5, mask: keep)
        #expect(model.w.scalars == [5, 0, 5, 0, 5, 5])
        #expect(model.$w.original.scalars == [5, 5, 5, 5, 5, 5])
    }

    @Test func prunedEntriesGetZeroGradient() throws {
        let model = MaskedModel(Tensor<Double>.randomNormal([2, 3], seed: 1), mask: keep)
        let c = Tensor<Double>.randomNormal([2, 3], seed: 2)
        let (_, gradients) = try valueWithGradient(of: model) { m in (m.w * c).sum() }
        #expect(gradients["w.original"]!.scalars == (c * keep).scalars)
    }

    @Test func replacingTheMaskInvalidatesTheCache() throws {
        let model = MaskedModel(Tensor<Double>.ones([2, 3]), mask: keep)
        _ = model.w
        model.$w.parametrization(as: Mask<Double>.self)!.mask = Tensor<Double>.ones([2, 3])
        #expect(model.w.scalars == [1, 1, 1, 1, 1, 1])
        #expect(model.$w.cacheStatistics.evaluations == 2)
        #expect(model.stateNames == ["w.0.mask"])
    }

    @Test func aMaskThatDoesNotBroadcastIsRejectedNamingBothShapes() throws {
        let error = #expect(throws: ConstrainedError.self) {
            try Mask(Tensor<Double>.ones([4])).forward(Tensor<Double>.ones([2, 3]))
        }
        #expect(error?.description.contains("[4]") == true && error?.description.contains("[2, 3]") == true)
        #expect(try Mask(Tensor<Double>([1, 0, 1])).forward(Tensor<Double>.ones([2, 3])).scalars == [1, 0, 1, 1, 0, 1])
    }
}
