import Dispatch
import Testing
@testable import Constrained

/// The caching semantics of `@Constrained` (see `Core/Constrained+Cache.swift`).
@Suite("Caching of constrained values")
struct CachingTests {
    // MARK: One evaluation per recording

    func thousandReadsShareOneEvaluation<S: TensorScalar>(_: S.Type) throws {
        let single = CountingModel<S>()
        let (_, once) = try valueWithGradient(of: single) { m in m.w.sum() }

        let model = CountingModel<S>()
        let (_, gradients) = try valueWithGradient(of: model) { m in
            var total = Tensor<S>(0)
            for _ in 0..<1000 { total = total + m.w.sum() }
            return total
        }
        #expect(model.counter.evaluations == 1)
        #expect(model.$w.cacheStatistics == CacheStatistics(evaluations: 1, hits: 999))
        let expected = once["w.original"]! * 1000
        let error = maxRelativeError(gradients["w.original"]!, expected)
        #expect(error <= tolerance(S.self))
        #expect(once["w.original"]!.scalars == [2, 4, 6])   // d/dx Σx² = 2x
    }

    @Test func thousandReadsInOneRecordingEvaluateOnceAndAccumulateTheirGradients() throws {
        try thousandReadsShareOneEvaluation(Float.self)
        try thousandReadsShareOneEvaluation(Double.self)
    }

    func optimizerStepCostsOneEvaluation<S: TensorScalar>(_: S.Type) throws {
        let model = CountingModel<S>()
        let sgd = SGD(for: model, learningRate: 0.01)
        for step in 1...5 {
            let (_, gradients) = try valueWithGradient(of: model) { m in
                (m.w.sum() + m.w.sum() + m.b.sum()) * (m.w * m.w).sum()
            }
            #expect(model.counter.evaluations == step, "one evaluation per step, however many reads")
            _ = model.w   // an unrecorded read after the recording reuses its value
            #expect(model.counter.evaluations == step)
            let before = model.$w.original.version
            sgd.update(model, along: gradients)
            #expect(model.$w.original.version > before, "the step updates the original in place")
        }
    }

    @Test func anOptimizerStepCausesExactlyOneMoreEvaluation() throws {
        try optimizerStepCostsOneEvaluation(Float.self)
        try optimizerStepCostsOneEvaluation(Double.self)
    }

    func stepThenRecordedRead<S: TensorScalar>(_: S.Type) throws {
        let model = CountingModel<S>()
        let sgd = SGD(for: model, learningRate: 0.25)
        let (_, g1) = try valueWithGradient(of: model) { m in m.w.sum() }
        #expect(model.counter.evaluations == 1)
        sgd.update(model, along: g1)
        let (_, g2) = try valueWithGradient(of: model) { m in m.w.sum() + m.w.sum() }
        #expect(model.counter.evaluations == 2)
        // x ← x − 0.25·2x = x/2 = [0.5, 1, 1.5]; the second gradient is 2·2x at the new x (a
        // stale value, or a graph on the old leaf, would give [4, 8, 12] or the zero fill).
        #expect(model.$w.original.scalars == [0.5, 1, 1.5])
        #expect(g2["w.original"]!.scalars == [2, 4, 6])
    }

    @Test func aRecordingAfterAnOptimizerStepEvaluatesOnceOnTheNewOriginal() throws {
        try stepThenRecordedRead(Float.self)
        try stepThenRecordedRead(Double.self)
    }

    // MARK: Recording off, then on (PyTorch issue 28937)

    func unrecordedThenRecorded<S: TensorScalar>(_: S.Type) throws {
        let model = CountingModel<S>()
        let untracked = model.w
        #expect(!untracked.isTracked)
        #expect(model.counter.evaluations == 1)
        var sawGraph = false
        let (_, gradients) = try valueWithGradient(of: model) { m in
            let w = m.w
            sawGraph = w.isTracked
            return (w * w).sum()
        }
        #expect(sawGraph, "a value first read with recording off must not be reused without a graph")
        #expect(model.counter.evaluations == 2)
        // d/dx Σ (x²)² = 4x³ at x = 1, 2, 3.
        #expect(gradients["w.original"]!.scalars == [4, 32, 108])
        // A later unrecorded read reuses the recorded value, detached.
        let again = model.w
        #expect(!again.isTracked)
        #expect(model.counter.evaluations == 2)
    }

    @Test func aValueReadWithRecordingOffIsNotReusedOnARecordingTape() throws {
        try unrecordedThenRecorded(Float.self)
        try unrecordedThenRecorded(Double.self)
    }

    @Test func eachRecordingTapeGetsItsOwnEvaluation() throws {
        let model = CountingModel<Double>()
        _ = try valueWithGradient(of: model) { m in m.w.sum() }
        _ = try valueWithGradient(of: model) { m in m.w.sum() }
        #expect(model.counter.evaluations == 2)
    }

    @Test func aPersistentTapeReusesItsValueAfterAGradient() throws {
        let model = CountingModel<Double>()
        let tape = GradientTape(persistent: true)
        let first = tape.record { model.w.sum() }
        let leaf = tape.leaves(owner: model.$w.slotID, as: Double.self)
        #expect(leaf.count == 1)
        #expect(try tape.gradient(of: first, wrt: leaf[0]).scalars == [2, 4, 6])
        let second = tape.record { model.w.sum() * 3 }
        #expect(model.counter.evaluations == 1)
        #expect(try tape.gradient(of: second, wrt: leaf[0]).scalars == [6, 12, 18])
    }

    @Test func aConsumedTapeIsNotReused() throws {
        let model = CountingModel<Double>()
        let tape = GradientTape()
        let leafBefore = try tape.record { () throws -> [Tensor<Double>] in
            let y = model.w.sum()
            let leaves = tape.leaves(owner: model.$w.slotID, as: Double.self)
            _ = try tape.gradient(of: y, wrt: leaves)
            _ = model.w   // the tape is consumed: its graph is gone
            return leaves
        }
        #expect(leafBefore.count == 1)
        #expect(model.counter.evaluations == 2)
    }

    // MARK: Explicit invalidation

    func forcedRecomputations<S: TensorScalar>(_: S.Type) throws {
        let model = CountingModel<S>()
        _ = model.w
        _ = model.w
        #expect(model.counter.evaluations == 1)

        model.w = Tensor<S>([16, 25, 36])
        #expect(model.$w.original.scalars == [4, 5, 6])
        _ = model.w
        _ = model.w
        #expect(model.counter.evaluations == 2, "assignment forces one recomputation")

        model.$w.original = Tensor<S>([1, 1, 1])
        #expect(model.w.scalars == [1, 1, 1])
        _ = model.w
        #expect(model.counter.evaluations == 3, "setting the original forces one recomputation")

        model.$w.invalidate()
        _ = model.w
        _ = model.w
        #expect(model.counter.evaluations == 4, "invalidate() forces one recomputation")

        // Setting the original to the very same storage still recomputes (it is explicit).
        model.$w.original = model.$w.original
        _ = model.w
        #expect(model.counter.evaluations == 5)

        // An in-place change of a copy does not touch the property (copy-on-write).
        var copy = model.$w.original
        copy[0] = 100
        _ = model.w
        #expect(model.counter.evaluations == 5)
        #expect(model.w.scalars == [1, 1, 1])
    }

    @Test func assignmentSettingTheOriginalAndInvalidateEachForceOneRecomputation() throws {
        try forcedRecomputations(Float.self)
        try forcedRecomputations(Double.self)
    }

    func cachingOff<S: TensorScalar>(_: S.Type) throws {
        let model = CountingModel<S>()
        model.$w.isCaching = false
        for _ in 0..<10 { _ = model.w }
        #expect(model.counter.evaluations == 10)
        let (_, gradients) = try valueWithGradient(of: model) { m in m.w.sum() + m.w.sum() + m.w.sum() }
        #expect(model.counter.evaluations == 13)
        #expect(gradients["w.original"]!.scalars == [6, 12, 18])
        #expect(model.$w.cacheStatistics == CacheStatistics(evaluations: 13, hits: 0))
        model.$w.isCaching = true
        _ = model.w
        _ = model.w
        #expect(model.counter.evaluations == 14)
    }

    @Test func cachingOffEvaluatesOnEveryRead() throws {
        try cachingOff(Float.self)
        try cachingOff(Double.self)
    }

    // MARK: State of the parametrization

    @Test func changingAParametrizationsOwnParameterInvalidatesTheCache() throws {
        final class M: Layer {
            @Constrained(Magnitude<Double>(2)) var w = Tensor<Double>([2, 4])
        }
        let model = M()
        #expect(model.$w.original.scalars == [1, 2])
        #expect(model.w.scalars == [2, 4])
        let magnitude = try #require(model.$w.parametrization(as: Magnitude<Double>.self))
        magnitude.g = Tensor([3])
        #expect(model.w.scalars == [3, 6])
        #expect(model.$w.cacheStatistics.evaluations == 2)
    }

    @Test func updatingAStateTensorInPlaceInvalidatesTheFastPath() throws {
        final class M: Layer {
            @Constrained(Shift<Double>(1, size: 2)) var w = Tensor<Double>([2, 4])
        }
        let model = M()
        #expect(model.w.scalars == [2, 4])
        #expect(model.w.scalars == [2, 4])  // a cached read (the inlined fast path)
        let shift = try #require(model.$w.parametrization(as: Shift<Double>.self))
        shift.$shift.modify { $0 += Tensor([10]) }  // in place, as an optimizer or a load does
        #expect(model.w.scalars == [12, 14])
        #expect(model.$w.cacheStatistics == CacheStatistics(evaluations: 2, hits: 1))
        _ = shift.$shift.storedValue  // a read through the slot's lock changes nothing
        #expect(model.w.scalars == [12, 14])
        #expect(model.$w.cacheStatistics.evaluations == 2)
    }

    @Test func aBufferUpdatedInsideForwardDoesNotInvalidateTheValueItProduced() throws {
        final class M: Layer {
            @Constrained(PowerIterationLike<Double>()) var w = Tensor<Double>([1, 2])
        }
        let model = M()
        for _ in 0..<5 { _ = model.w }
        #expect(model.$w.cacheStatistics == CacheStatistics(evaluations: 1, hits: 4))
        #expect(model.allTensors(as: Double.self)["w.0.iterations"]!.scalars == [1])
    }

    @Test func switchingToEvaluationModeReachesTheParametrizationAndInvalidates() throws {
        final class M: Layer {
            @Constrained(PowerIterationLike<Double>()) var w = Tensor<Double>([1, 2])
        }
        let model = M()
        let training = model.w
        model.isTraining = false
        #expect(!model.isTraining)
        #expect(!model.$w.isTraining)
        let evaluation = model.w
        #expect(evaluation == training)
        #expect(model.$w.cacheStatistics.evaluations == 2)
        let iterations = model.allTensors(as: Double.self)["w.0.iterations"]!
        #expect(iterations.scalars == [1], "no iteration in evaluation mode")
        model.isTraining = true
        #expect(model.isTraining)
        _ = model.w
        #expect(model.allTensors(as: Double.self)["w.0.iterations"]!.scalars == [2])
    }

    // MARK: Threads

    func concurrentReads<S: TensorScalar>(_: S.Type) {
        let model = CountingModel<S>(Array(repeating: 1.5, count: 64))
        let property = model.$w
        // The package's pthread lock, not `Synchronization.Mutex`: the thread sanitizer cannot
        // see a contended Mutex's kernel hand-off and reports a false race on what it guards.
        let results = Lock<[[S]]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            var mine: [S] = []
            for _ in 0..<1000 {
                let value = property.wrappedValue
                if mine.isEmpty { mine = value.scalars } else if value.scalars != mine { mine = [] ; break }
            }
            let result = mine
            results.withLock { $0.append(result) }
        }
        let all = results.withLock { $0 }
        #expect(all.count == 8)
        #expect(all.allSatisfy { $0 == all[0] && !$0.isEmpty })
        #expect(model.counter.evaluations == 1)
        #expect(property.cacheStatistics == CacheStatistics(evaluations: 1, hits: 7999))
    }

    @Test func eightThreadsReadingConcurrentlyGetIdenticalValuesFromOneEvaluation() {
        concurrentReads(Float.self)
        concurrentReads(Double.self)
    }
}
