import Testing
@testable import LinAlg

@Suite("Softmax and logSoftmax")
struct SoftmaxTests {
    func agreesWithTheFixtures<S: TensorScalar>(_: S.Type, tolerance: S) throws {
        let fixture = try Fixture.load("softmax")
        #expect(fixture.cases.count > 5)
        for c in fixture.cases {
            let x: Tensor<S> = c.input("x")
            let axis = c.int("axis")!
            let y = softmax(x, alongAxis: axis), l = logSoftmax(x, alongAxis: axis)
            let expectedY: Tensor<S> = c.output("softmax"), expectedL: Tensor<S> = c.output("log_softmax")
            #expect(worstRelativeError(y, expectedY, floor: comparisonFloor(S.self)) <= tolerance, "\(c.name)")
            // logSoftmax is near 0 for the dominant entry: compare relative to the slice's scale.
            #expect(normwiseRelativeError(l, expectedL) <= tolerance, "\(c.name)")
        }
    }

    @Test func agreesWithTheFixturesInFloat() throws { try agreesWithTheFixtures(Float.self, tolerance: 1e-5) }
    @Test func agreesWithTheFixturesInDouble() throws { try agreesWithTheFixtures(Double.self, tolerance: 1e-13) }

    @Test func slicesSumToOne() {
        let x = Tensor<Double>.randomNormal([3, 4, 5], seed: 2) * 10
        for axis in [0, 1, 2] {
            let total = softmax(x, alongAxis: axis).sum(alongAxes: axis)
            #expect(total.scalars.allSatisfy { Swift.abs($0 - 1) < 1e-14 })
        }
    }

    @Test(arguments: [0, 1, -1])
    func gradientsMatchFiniteDifferences(axis: Int) throws {
        let x = Tensor<Double>.randomNormal([3, 4], seed: 31) * 2
        let s = try checkGradient(at: x) { softmax($0, alongAxis: axis) }
        let l = try checkGradient(at: x) { logSoftmax($0, alongAxis: axis) }
        #expect(s.passed, "softmax: \(s)")
        #expect(l.passed, "logSoftmax: \(l)")
        let batched = Tensor<Double>.randomNormal([2, 3, 4], seed: 32)
        let b = try checkGradient(at: batched) { softmax($0, alongAxis: axis) }
        #expect(b.passed, "batched softmax: \(b)")
    }
}
