import Testing
@testable import LinAlg

/// Pullbacks that add into the cotangents their inputs have received so far
/// (`record(_:_:_:accumulating:)`, `addMatmul`, `add(_:into:)`).
@Suite("Accumulating pullbacks")
struct AccumulatingPullbackTests {
    /// `x · w` recorded with an accumulating pullback, as the RNN cell records its products.
    static func product(_ x: Tensor<Double>, _ w: Tensor<Double>) -> Tensor<Double> {
        var y = withoutRecording { matmul(x, w) }
        if let tapeID = Tensor.recordingTapeID(x, w) {
            let tx = x.isTracked, tw = w.isTracked
            let xv = x.detached(), wv = w.detached()
            y.record(tapeID, "product", [x, w]) { g, sums in
                if tx { addMatmul(g, transposed: false, wv, transposed: true, into: &sums[0]) }
                if tw { addMatmul(xv, transposed: true, g, transposed: false, into: &sums[1]) }
            }
        }
        return y
    }

    @Test func addMatmulAddsTheProductOrStoresItWhenThereIsNoSum() {
        let a = Tensor<Double>.randomNormal([5, 3], seed: 1), b = Tensor<Double>.randomNormal([4, 5], seed: 2)
        let start = Tensor<Double>.randomNormal([3, 4], seed: 3)
        for (transA, transB, lhs, rhs) in [(true, true, a, b), (false, false, a.transposed(), b.transposed()),
                                            (true, false, a, b.transposed()), (false, true, a.transposed(), b)] {
            let expected = start + matmul(lhs, transposed: transA, rhs, transposed: transB)
            var sum: Tensor<Double>? = start
            addMatmul(lhs, transposed: transA, rhs, transposed: transB, into: &sum)
            #expect(maxRelativeError(sum!, expected) < 1e-14)
            var empty: Tensor<Double>? = nil
            addMatmul(lhs, transposed: transA, rhs, transposed: transB, into: &empty)
            #expect(empty! == matmul(lhs, transposed: transA, rhs, transposed: transB))
        }
    }

    @Test func accumulatingIntoASharedTensorLeavesTheOtherHolderIntact() {
        let held = Tensor<Double>.ones([2, 2])
        var sum: Tensor<Double>? = held
        addMatmul(Tensor<Double>.eye(2), transposed: false, Tensor<Double>.eye(2), transposed: false, into: &sum)
        add(Tensor<Double>.ones([2, 2]), into: &sum)
        #expect(held.scalars == [1, 1, 1, 1])
        #expect(sum!.scalars == [3, 2, 2, 3])
    }

    @Test func aWeightUsedAtEveryStepGetsTheSumOfItsContributions() throws {
        // A recurrence h ← tanh(h w) over 6 steps: w's cotangent is accumulated in place by
        // every step's pullback, h's from the next step and from the loss on each state.
        let w0 = Tensor<Double>.randomNormal([4, 4], seed: 4) / 2, h0 = Tensor<Double>.randomNormal([3, 4], seed: 5)
        func loss(_ w: Tensor<Double>, _ h0: Tensor<Double>, accumulating: Bool) -> Tensor<Double> {
            var h = h0, total = Tensor<Double>(0)
            for _ in 0..<6 {
                h = tanh(accumulating ? Self.product(h, w) : matmul(h, w))
                total = total + (h * h).sum()
            }
            return total
        }
        let (_, viaSums) = try valueWithGradient(at: w0, h0) { w, h in loss(w, h, accumulating: true) }
        let (_, viaReturns) = try valueWithGradient(at: w0, h0) { w, h in loss(w, h, accumulating: false) }
        #expect(maxRelativeError(viaSums.0, viaReturns.0) < 1e-13)
        #expect(maxRelativeError(viaSums.1, viaReturns.1) < 1e-13)
        let check = try gradientCheck(at: [w0, h0]) { xs in loss(xs[0], xs[1], accumulating: true) }
        #expect(check.passed, "\(check)")
    }

    @Test func anInputPassedTwiceGetsBothContributions() throws {
        // y = x · x: both slots name the same node; d(sum(x x))/dx = 1 xᵀ + xᵀ 1.
        let x0 = Tensor<Double>.randomNormal([3, 3], seed: 6)
        let (_, g) = try valueWithGradient(at: x0) { x in (Self.product(x, x) * 1).sum() }
        let ones = Tensor<Double>.ones([3, 3])
        let expected = matmul(ones, x0.transposed()) + matmul(x0.transposed(), ones)
        #expect(maxRelativeError(g, expected) < 1e-13)
    }

    @Test func aWatchedInputGetsItsWholeGradientThroughBothKindsOfPullback() throws {
        // x's cotangent from x ⊙ x (a returning pullback, which runs first) is handed to the
        // product's accumulating pullback as the sum so far: the caller sees both terms.
        let tape = GradientTape()
        let x = tape.watch(Tensor<Double>.randomNormal([2, 3], seed: 7))
        let w = tape.watch(Tensor<Double>.randomNormal([3, 3], seed: 8))
        let loss = tape.record { (Self.product(x, w).sum() + (x * x).sum()) }
        let g = try tape.gradient(of: loss, wrt: [x, w])
        let expected = matmul(Tensor<Double>.ones([2, 3]), w.transposed()) + 2 * x
        #expect(maxRelativeError(g[0], expected) < 1e-13)
        #expect(maxRelativeError(g[1], matmul(x.transposed(), Tensor<Double>.ones([2, 3]))) < 1e-13)
    }
}
