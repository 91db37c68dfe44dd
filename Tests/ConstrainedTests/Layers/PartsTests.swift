import Testing
@testable import Constrained

/// Operations that belong to one parametrization, reached by type inside compositions.
@Suite("Typed parts")
struct PartsTests {
    final class Composed: Layer {
        @Constrained(Orthogonal<Double>(map: .cayley) >>> Scale<Double>(factor: 2)) var tail = Tensor<Double>.eye(4) * 2
        @Constrained(Scale<Double>(factor: 3) >>> Orthogonal<Double>(map: .matrixExp)) var head = Tensor<Double>.eye(4)
        /// Erased, so that `updateBase()` compiles and its run-time check is what is tested.
        @AnyConstrained var positive: Tensor<Double>
        init() { _positive = Constrained(wrappedValue: .ones([3]), Positive<Double>()) }
    }

    @Test func updateBaseFindsAnOrthogonalPartFirstInAComposition() throws {
        let model = Composed()
        model.$tail.original = Tensor<Double>.randomNormal([4, 4], seed: 3) * 0.3
        let before = model.tail
        try model.$tail.updateBase()
        #expect(maxAbsoluteDifference(model.tail, before) <= 1e-13)
        #expect(model.$tail.original.scalars == Orthogonal<Double>.chartOrigin([4, 4]).scalars)
    }

    @Test func updateBaseAfterAnotherPartPullsTheOriginBackThroughIt() throws {
        let model = Composed()
        model.$head.original = Tensor<Double>.randomNormal([4, 4], seed: 4) * 0.1
        let before = model.head
        try model.$head.updateBase()
        #expect(maxAbsoluteDifference(model.head, before) <= 1e-13)
        let expected = Orthogonal<Double>.chartOrigin([4, 4]) / 3
        #expect(maxAbsoluteDifference(model.$head.original, expected) <= 1e-15)
    }

    @Test func updateBaseOfTheErasedFormWithoutABaseUpdatingPartThrowsNamingTheProperty() throws {
        let model = Composed()
        _ = try model.structure()
        let original = model.$positive.original
        do {
            try model.$positive.updateBase()
            Issue.record("updateBase on Positive did not throw")
        } catch let error as ConstrainedError {
            #expect(error.operation == "updateBase")
            #expect(error.key == "positive")
            #expect(error.cause == .invalidArgument("no part of the parametrization is a BaseUpdating"))
        }
        #expect(model.$positive.original == original)
    }

    @Test func partsOfATypeAreFoundInsideCompositions() {
        let model = Composed()
        #expect(model.$tail.parts(ofType: Orthogonal<Double>.self).count == 1)
        #expect(model.$tail.parts(ofType: Scale<Double>.self).map(\.factor) == [2])
        #expect(model.$positive.parts(ofType: Orthogonal<Double>.self).isEmpty)
    }

    @Test func modifyPartsChangesThePartInPlaceAndDropsTheCache() throws {
        let model = Composed()
        let before = model.tail
        let count = try model.$tail.modifyParts(ofType: Scale<Double>.self) { $0.factor = 4 }
        #expect(count == 1)
        #expect(maxAbsoluteDifference(model.tail, before * 2) <= 1e-15)
        #expect(throws: ConstrainedError.self) {
            try model.$tail.modifyParts(ofType: SpectralNorm<Double>.self) { _ in }
        }
    }

    @Test func typedUpdateBaseOnASphereKeepsTheValueAndResetsTheOriginal() throws {
        final class Model: Layer {
            @Constrained(Sphere<Double>(map: .exponential)) var direction = Tensor<Double>([0.6, 0.8, 0])
        }
        let model = Model()
        model.$direction.original = Tensor<Double>([0.1, -0.2, 0.3])
        let before = model.direction
        try model.$direction.updateBase()
        #expect(maxAbsoluteDifference(model.direction, before) <= 1e-15)
        #expect(maxAbsoluteDifference(model.$direction.original, .zeros([3])) <= 1e-15)
    }

    @Test func typedUpdateBaseStillChecksAParametrizationRemovedAtRunTime() throws {
        let model = Composed()
        _ = try model.structure()
        try model.$head.removeParametrization(keeping: .constrained)
        let value = model.head
        let error = #expect(throws: ConstrainedError.self) { try model.$head.updateBase() }
        #expect(error?.key == "head")
        #expect(error?.cause == .invalidArgument("no part of the parametrization is a BaseUpdating"))
        #expect(model.head == value)
    }
}
