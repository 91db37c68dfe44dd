import Testing
import LinAlg

/// `cube(x) = x³` as a user writes a custom differentiable op, with the public API only.
func cube(_ x: Tensor<Double>) -> Tensor<Double> {
    var out = x.detached() * x.detached() * x.detached()
    if let tapeID = Tensor.recordingTapeID(x) {
        let x0 = x.detached()
        out.record(tapeID, "cube", x) { g in g * 3 * x0 * x0 }
    }
    return out
}

/// `hypot(a, b) = √(a² + b²)`, binary, pulling back only to the tracked inputs.
func hypot(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Tensor<Double> {
    let (a0, b0) = (a.detached(), b.detached())
    var out = sqrt(a0 * a0 + b0 * b0)
    if let tapeID = Tensor.recordingTapeID(a, b) {
        let r = out
        out.record(tapeID, "hypot", a, b) { g in (g * a0 / r, g * b0 / r) }
    }
    return out
}

/// `(x + y, x − y)`: two outputs with one pullback receiving both cotangents.
func sumAndDifference(_ x: Tensor<Double>, _ y: Tensor<Double>) -> (Tensor<Double>, Tensor<Double>) {
    var outputs = [x.detached() + y.detached(), x.detached() - y.detached()]
    if let tapeID = Tensor.recordingTapeID([x, y]) {
        Tensor.record(tapeID, "sumAndDifference", inputs: [x, y], outputs: &outputs) { g in
            [g[0] + g[1], g[0] - g[1]]
        }
    }
    return (outputs[0], outputs[1])
}

@Suite("Custom differentiable operations (Tensor.record)")
struct CustomOperationTests {
    @Test func aUnaryCustomOpHasItsPullbacksGradient() throws {
        let x = Tensor<Double>([1, -2, 0.5])
        let tape = GradientTape()
        let w = tape.watch(x)
        let loss = tape.record { cube(w).sum() }
        #expect(try tape.gradient(of: loss, wrt: w).scalars == [3, 12, 0.75])
        let check = try gradientCheck(at: [Tensor<Double>.randomNormal([4], seed: 1)]) { xs in cube(xs[0]) }
        #expect(check.passed, "\(check)")
        #expect(!cube(x).isTracked, "no node without a recording tape")
    }

    @Test func aBinaryCustomOpPullsBackToEachInput() throws {
        let check = try gradientCheck(at: [Tensor<Double>([3, 1]), Tensor<Double>([4, -2])]) { xs in hypot(xs[0], xs[1]) }
        #expect(check.passed, "\(check)")
        let tape = GradientTape()
        let a = tape.watch(Tensor<Double>([3]))
        let loss = tape.record { hypot(a, Tensor<Double>([4])).sum() }   // b untracked
        let g = try tape.gradient(of: loss, wrt: a)
        #expect(abs(g.scalars[0] - 0.6) <= 1e-15)
    }

    @Test func aMultiOutputCustomOpGetsAllCotangentsAtOnce() throws {
        let tape = GradientTape()
        let x = tape.watch(Tensor<Double>([1, 2])), y = tape.watch(Tensor<Double>([5, 7]))
        let loss = tape.record { () -> Tensor<Double> in
            let (s, d) = sumAndDifference(x, y)
            return (s * 2).sum() + (d * 3).sum()   // ∂/∂x = 2 + 3, ∂/∂y = 2 − 3
        }
        let g = try tape.gradient(of: loss, wrt: [x, y])
        #expect(g[0].scalars == [5, 5] && g[1].scalars == [-1, -1])
        let onlySum = GradientTape()
        let x2 = onlySum.watch(Tensor<Double>([1, 2]))
        let loss2 = onlySum.record { sumAndDifference(x2, Tensor<Double>([0, 0])).0.sum() }
        #expect(try onlySum.gradient(of: loss2, wrt: x2).scalars == [1, 1], "the unused output contributes zeros")
    }
}
