import Dispatch
import Testing
@testable import Constrained

/// A counter a test sets to any value (not only up): state outside `@Parameter`/`@Buffer`.
final class Dial: @unchecked Sendable {
    var value: UInt64 = 1
}

/// `x * dial.value`, reporting the dial as its `stateVersion`.
struct Dialled: Parametrization {
    let dial: Dial
    func forward(_ x: Tensor<Double>) -> Tensor<Double> { x * Double(dial.value) }
    var stateVersion: UInt64 { dial.value }
}

/// A parametrization whose `forward` reads another constrained property (a tied weight).
final class Tie: @unchecked Sendable {
    var other: AnyConstrained<Double>?
}

struct ReadsOther: Parametrization {
    let tie: Tie
    func forward(_ x: Tensor<Double>) throws -> Tensor<Double> {
        guard let other = tie.other else { return x }
        return x + (try other.value())
    }
}

/// Runs `body` on another thread; false when it did not finish within `seconds` (a deadlock:
/// the thread is then left blocked).
func finishes(within seconds: Double, _ body: @escaping @Sendable () -> Void) -> Bool {
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        body()
        done.signal()
    }
    return done.wait(timeout: .now() + seconds) == .success
}

@Suite("Cache corner cases")
struct CacheCornerCaseTests {
    @Test func aFailedAssignEmptiesAStateSlotTheRightInverseCreated() throws {
        // The right inverse of `Positive() >>> WeightNorm()` runs WeightNorm's first, which
        // creates g; then Positive's throws on the negative entry.
        let w = AnyConstrained<Double>(Positive() >>> WeightNorm(dim: nil))
        let p = try #require(w.parametrization(as: Composed<Positive<Double>, WeightNorm<Double>>.self))
        #expect(p.second.$g.storedValue == nil)
        let error = #expect(throws: ConstrainedError.self) { try w.assign(Tensor<Double>([-1, 2])) }
        if case .notInImage = error?.cause {} else { Issue.record("expected notInImage, got \(String(describing: error))") }
        #expect(p.second.$g.storedValue == nil, "the slot the failed right inverse created is empty again")
        #expect(w.storedValue == nil)
        try w.assign(Tensor<Double>([3, 4]))
        #expect(p.second.g.scalars == [5])
        #expect(maxAbsoluteDifference(w.wrappedValue, Tensor<Double>([3, 4])) <= 1e-12)
    }

    @Test func composedStateVersionChangesWhenOneCounterRisesAsAnotherFalls() throws {
        let (a, b) = (Dial(), Dial())
        a.value = 3
        b.value = 5
        let w = Constrained(wrappedValue: Tensor<Double>([1, 2]), Dialled(dial: a) >>> Dialled(dial: b))
        #expect(w.wrappedValue.scalars == [15, 30])
        let version = w.parametrization.stateVersion
        a.value = 4   // the sum 4 + 4 equals 3 + 5
        b.value = 4
        #expect(w.parametrization.stateVersion != version)
        #expect(w.wrappedValue.scalars == [16, 32], "the cache saw the state change")
        #expect(w.cacheStatistics.evaluations == 2)
        b.value = 4   // unchanged state: a hit
        _ = w.wrappedValue
        #expect(w.cacheStatistics.evaluations == 2)
    }

    @Test func stateVersionReachesTheCacheThroughNestedCompositions() throws {
        let dial = Dial()
        let w = Constrained(wrappedValue: Tensor<Double>([1]), Identity() >>> (Identity() >>> Dialled(dial: dial)))
        #expect(w.wrappedValue.scalars == [1])
        dial.value = 7
        #expect(w.wrappedValue.scalars == [7])
        dial.value = 1
        #expect(w.wrappedValue.scalars == [1])
    }

    @Test func aParametrizationMayReadAnotherPropertyWhileItIsRead() throws {
        let tie = Tie()
        let b = AnyConstrained<Double>(wrappedValue: Tensor<Double>([10, 20]), PlusOne<Double>())
        let a = AnyConstrained<Double>(wrappedValue: Tensor<Double>([1, 2]), ReadsOther(tie: tie))
        tie.other = b
        a.invalidate()
        #expect(try a.value().scalars == [11, 22])
        // Many threads reading both at once: no deadlock.
        let ok = finishes(within: 20) {
            DispatchQueue.concurrentPerform(iterations: 64) { i in
                if i % 2 == 0 { a.invalidate(); _ = try? a.value() } else { b.invalidate(); _ = try? b.value() }
            }
        }
        #expect(ok, "concurrent reads of properties that read each other finished")
        guard ok else { return }
        #expect(try a.value().scalars == [11, 22])
    }

    @Test func propertiesWhoseParametrizationsReadEachOtherThrowInsteadOfDeadlocking() throws {
        let (tieA, tieB) = (Tie(), Tie())
        let a = AnyConstrained<Double>(wrappedValue: Tensor<Double>([1]), ReadsOther(tie: tieA))
        let b = AnyConstrained<Double>(wrappedValue: Tensor<Double>([2]), ReadsOther(tie: tieB))
        tieA.other = b
        tieB.other = a
        a.invalidate()
        b.invalidate()
        let outcome = Box()
        let ok = finishes(within: 10) {
            do { _ = try a.value() } catch { outcome.error = error as? ConstrainedError }
        }
        #expect(ok, "a read of a cycle returned")
        guard ok else { return }   // the properties' locks are held by the blocked thread
        #expect(outcome.error?.operation == "read")
        #expect(outcome.error?.description.contains("cannot depend on itself") == true)
        // Nothing was cached from the failed reads, and the properties still work once the
        // cycle is broken.
        tieB.other = nil
        #expect(try a.value().scalars == [3])
        // Two threads starting the cycle from both ends at once: each read returns.
        a.invalidate()
        b.invalidate()
        tieB.other = a
        let both = finishes(within: 10) {
            DispatchQueue.concurrentPerform(iterations: 16) { i in _ = try? (i % 2 == 0 ? a : b).value() }
        }
        #expect(both)
    }

    final class Box: @unchecked Sendable {
        var error: ConstrainedError?
    }
}
