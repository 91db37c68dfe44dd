import Testing
@testable import Constrained

/// Registration, composition, assignment and removal: the PyTorch `parametrize` behaviours.
@Suite("Parametrizations, registration and assignment")
struct ParametrizationTests {
    struct SquareD: Parametrization {
        func forward(_ x: Tensor<Double>) -> Tensor<Double> { x * x }
    }

    @Test func aStructAdoptsTheProtocolByInferenceInOneMethod() throws {
        // Called through the protocol's (throwing, mutating) requirements.
        func forward<P: Parametrization>(_ p: P, _ x: Tensor<P.Scalar>) throws -> Tensor<P.Scalar> {
            var p = p
            return try p.forward(x)
        }
        func rightInverse<P: Parametrization>(_ p: P, _ y: Tensor<P.Scalar>) throws -> Tensor<P.Scalar> {
            var p = p
            return try p.rightInverse(y)
        }
        #expect(try forward(SquareD(), Tensor([3])).scalars == [9])
        #expect(throws: ConstrainedError("rightInverse", subject: "SquareD", shape: [1], cause: .noRightInverse)) { try rightInverse(SquareD(), Tensor([9])) }
    }

    func initialValueIsConstrained<S: TensorScalar>(_: S.Type) {
        let m = ComposedModel<S>()
        // original = a⁻¹(b⁻¹(y)) = y/4 − 1
        #expect(m.$w.original.scalars == [1, 2])
        #expect(m.w.scalars == [8, 12])
    }

    @Test func theInitialValueIsAConstrainedValueAndTheOriginalItsRightInverse() {
        initialValueIsConstrained(Float.self)
        initialValueIsConstrained(Double.self)
    }

    @Test func compositionAppliesForwardInOrderAndRightInversesInReverse() throws {
        var composed = PlusOne<Double>() >>> Scale<Double>(factor: 3)
        #expect(try composed.forward(Tensor([1, 2])).scalars == [6, 9])        // (x + 1)·3
        #expect(try composed.rightInverse(Tensor([6, 9])).scalars == [1, 2])   // y/3 − 1
        var reversed = Scale<Double>(factor: 3).followed(by: PlusOne())
        #expect(try reversed.forward(Tensor([1, 2])).scalars == [4, 7])        // 3x + 1
        #expect(try reversed.rightInverse(Tensor([4, 7])).scalars == [1, 2])
    }

    @Test func aPropertyWithoutInitialValueTakesItsFirstAssignmentThroughTheRightInverse() {
        final class M: Layer {
            @Constrained(Scale<Double>(factor: 2)) var w: Tensor<Double>
            init() { w = Tensor([4, 6]) }
        }
        let m = M()
        #expect(m.$w.original.scalars == [2, 3])
        #expect(m.w.scalars == [4, 6])
    }

    @Test func readingBeforeAnyValueThrowsNoValue() {
        let property = AnyConstrained<Double>(Scale<Double>(factor: 2))
        let error = #expect(throws: ConstrainedError.self) { try property.value() }
        #expect(error?.cause == .noValue && error?.operation == "read")
    }

    func withoutRightInverse<S: TensorScalar>(_: S.Type) {
        let m = NoInverseModel<S>()
        #expect(m.$w.original.scalars == [2, 3], "without a right inverse the initial value is the original")
        #expect(m.w.scalars == [4, 9])
        #expect(throws: ConstrainedError("rightInverse", subject: "SquareWithoutInverse<\(S.self)>", shape: [2], cause: .noRightInverse)) {
            try m.$w.assign(Tensor<S>([1, 1]))
        }
        #expect(m.$w.original.scalars == [2, 3])
    }

    @Test func withoutARightInverseRegistrationKeepsTheInitialValueAndAssignmentThrows() {
        withoutRightInverse(Float.self)
        withoutRightInverse(Double.self)
    }

    func throwingRightInverse<S: TensorScalar>(_: S.Type) throws {
        let m = FailingInverseModel<S>()
        _ = m.w
        let before = m.allTensors(as: S.self)
        let statistics = m.$w.cacheStatistics
        #expect(throws: TestError.rightInverseFailed) { try m.$w.assign(Tensor<S>([7, 9])) }
        let after = m.allTensors(as: S.self)
        #expect(after.names == before.names)
        for (name, tensor) in before {
            #expect(after[name]! == tensor, "\(name) changed")
            #expect(after[name]!.storageID == tensor.storageID && after[name]!.version == tensor.version)
        }
        // The second part had recorded the value it inverted; it was rolled back.
        #expect(after["w.1.last"]!.scalars == [0, 0])
        _ = m.w
        #expect(m.$w.cacheStatistics.evaluations == statistics.evaluations, "the cache survived")
    }

    @Test func aThrowingRightInverseLeavesTheModelUnchanged() throws {
        try throwingRightInverse(Float.self)
        try throwingRightInverse(Double.self)
    }

    @Test func aSucceedingStatefulRightInverseKeepsItsStateChange() throws {
        final class M: Layer {
            @Constrained(Shift<Double>(1, size: 2)) var w = Tensor<Double>([1, 2])
        }
        let m = M()
        try m.$w.assign(Tensor([5, 6]))
        #expect(m.allTensors(as: Double.self)["w.0.last"]!.scalars == [5, 6])
        #expect(m.$w.original.scalars == [4, 5])
    }

    func removal<S: TensorScalar>(_: S.Type) throws {
        let keepingValue = RemovalModel<S>()
        try keepingValue.$w.removeParametrization(keeping: .constrained)
        #expect(!keepingValue.$w.isParametrized)
        #expect(keepingValue.w.scalars == [4, 6])
        #expect(keepingValue.$w.original.scalars == [4, 6])
        #expect(keepingValue.parameterNames == ["w"])
        keepingValue.w = Tensor<S>([1, 1])   // a plain tensor now: no right inverse involved
        #expect(keepingValue.$w.original.scalars == [1, 1])
        let (_, gradients) = try valueWithGradient(of: keepingValue) { m in (m.w * m.w).sum() }
        #expect(gradients["w"]!.scalars == [2, 2])

        let keepingOriginal = RemovalModel<S>()
        try keepingOriginal.$w.removeParametrization(keeping: .original)
        #expect(keepingOriginal.w.scalars == [1, 2])
        #expect(keepingOriginal.parameterNames == ["w"])
    }

    @Test func removalKeepsEitherTheConstrainedValueOrTheOriginal() throws {
        try removal(Float.self)
        try removal(Double.self)
    }

    struct FailsOnNegative: Parametrization {
        func forward(_ x: Tensor<Double>) throws -> Tensor<Double> {
            if x.scalars.contains(where: { $0 < 0 }) { throw TestError.rightInverseFailed }
            return x * 2
        }
    }

    @Test func aThrowingForwardThrowsFromValueAndLeavesTheCacheAlone() throws {
        final class M: Layer {
            @Constrained(FailsOnNegative()) var w = Tensor<Double>([1, 2])
        }
        let m = M()
        #expect(try m.$w.value().scalars == [2, 4])
        m.$w.original = Tensor([-1, 2])
        #expect(throws: TestError.rightInverseFailed) { try m.$w.value() }
        #expect(throws: TestError.rightInverseFailed) { try m.$w.value() }
        #expect(m.$w.cacheStatistics.evaluations == 3, "a failed evaluation is not cached")
        m.$w.original = Tensor([3, 2])
        #expect(try m.$w.value().scalars == [6, 4])
    }

    @Test func readingAPropertyWhoseForwardThrowsStopsWithTheError() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            final class M: Layer {
                @Constrained(FailsOnNegative()) var w = Tensor<Double>([-1])
            }
            _ = M().w
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("reading the constrained value failed") && text.contains("rightInverseFailed")
                    && text.contains("try $w.value()"), "\(text)")
    }

    func registrationAtRunTime<S: TensorScalar>(_: S.Type) throws {
        let model = RuntimeModel<S>()
        #expect(model.parameterNames == ["w"], "a plain tensor until parametrized")
        try model.$w.parametrize(with: Scale<S>(factor: 2))
        #expect(model.w.scalars == [4, 8], "the value is kept")
        #expect(model.$w.original.scalars == [2, 4], "the original is the right inverse of the value")
        try model.$w.parametrize(with: Shift<S>(1, size: 2))
        #expect(model.$w.original.scalars == [2, 4], "appending keeps the original, as PyTorch")
        #expect(model.w.scalars == [5, 9])
        #expect(model.allTensors(as: S.self).names == ["w.original", "w.1.shift", "w.1.last"])
        let (_, gradients) = try valueWithGradient(of: model) { m in m.w.sum() }
        #expect(gradients["w.original"]!.scalars == [2, 2])
    }

    @Test func aParametrizationCanBeRegisteredAtRunTimeAndAppended() throws {
        try registrationAtRunTime(Float.self)
        try registrationAtRunTime(Double.self)
    }

    @Test func anErasedParametrizationAddsNoNameToItsState() throws {
        let chosen: any Parametrization<Double> = Shift<Double>(3, size: 1)
        final class M: Layer {
            @AnyConstrained var w: Tensor<Double>
            init(_ p: any Parametrization<Double>) {
                _w = Constrained(wrappedValue: Tensor([4]), PlusOne<Double>() >>> AnyParametrization(p))
            }
        }
        let m = M(chosen)
        #expect(m.stateNames == ["w.1.shift", "w.1.last"])
        #expect(m.$w.original.scalars == [0])
        #expect(m.w.scalars == [4])
    }

    @Test func gradientsReachTheOriginalAndTheParametrizationsOwnParameter() throws {
        final class M: Layer {
            @Constrained(Magnitude<Double>(2)) var w = Tensor<Double>([2, 6])
        }
        let m = M()
        #expect(m.parameterNames == ["w.original", "w.0.g"])
        // loss = Σ (g·x)², x = [1, 3], g = 2: ∂/∂x = 2g²x, ∂/∂g = 2gΣx².
        let (value, gradients) = try valueWithGradient(of: m) { m in (m.w * m.w).sum() }
        #expect(value.scalar == 40)
        #expect(gradients["w.original"]!.scalars == [8, 24])
        #expect(gradients["w.0.g"]!.scalars == [40])
    }

    @Test func theOriginalReadWhileRecordingIsTheSameLeafAsTheParametrizationsInput() throws {
        let m = CountingModel<Double>()
        // loss = Σ w + Σ original² = Σ x² + Σ x²: gradient 4x.
        let (_, gradients) = try valueWithGradient(of: m) { m in m.w.sum() + (m.$w.original * m.$w.original).sum() }
        #expect(gradients["w.original"]!.scalars == [4, 8, 12])
    }
}

final class ComposedModel<S: TensorScalar>: Layer {
    @Constrained(PlusOne<S>() >>> Scale<S>(factor: 4)) var w = Tensor<S>([8, 12])
}

final class NoInverseModel<S: TensorScalar>: Layer {
    @Constrained(SquareWithoutInverse<S>()) var w = Tensor<S>([2, 3])
}

final class RemovalModel<S: TensorScalar>: Layer {
    @Constrained(PlusOne<S>() >>> Scale<S>(factor: 2)) var w = Tensor<S>([4, 6])
}

/// `Shift(0) >>> Shift(1)` whose first right inverse fails after the second's succeeded
/// (and recorded the value it inverted in its buffer).
final class FailingInverseModel<S: TensorScalar>: Layer {
    @AnyConstrained var w: Tensor<S>
    init() {
        var failing = Shift<S>(0, size: 2)
        failing.failsOnInverse = true
        _w = Constrained(wrappedValue: Tensor<S>([1, 2]), Scale<S>(factor: 2) >>> Shift<S>(1, size: 2))
        _w.modifyParametrization { p in p = failing >>> Shift<S>(1, size: 2) }
    }
}

final class RuntimeModel<S: TensorScalar>: Layer {
    @AnyConstrained var w: Tensor<S>
    init() { _w = Constrained(wrappedValue: Tensor<S>([4, 8])) }
}
