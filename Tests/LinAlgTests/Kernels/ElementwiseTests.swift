import Testing
@testable import LinAlg

@Suite("Comparisons, where, elementwise extrema")
struct ElementwiseTests {
    func agreesWithTheFixture<S: TensorScalar>(_: S.Type) throws {
        let c = try Fixture.load("elementwise").cases[0]
        let x: Tensor<S> = c.input("x"), y: Tensor<S> = c.input("y"), mask: Tensor<S> = c.input("mask")
        let results: [(String, Tensor<S>)] = [
            ("gt", x .> y), ("lt", x .< y), ("ge", x .>= y), ("le", x .<= y), ("eq", x .== y), ("ne", x .!= y),
            ("maximum", max(x, y)), ("minimum", min(x, y)), ("where", Tensor.where(mask, x, y)),
            ("clip", x.clamped(to: -1...2)),
        ]
        for (name, value) in results {
            let expected: Tensor<S> = c.output(name)
            #expect(value == expected, "\(name): \(value)")
        }
        // Scalar forms agree with broadcasting a rank-0 tensor.
        let t = Tensor<S>(S(1))
        #expect((x .> S(1)) == (x .> t) && (S(1) .> x) == (t .> x) && (x .== S(1)) == (x .== t))
        #expect(max(x, S(1)) == max(x, t) && min(S(1), x) == min(t, x))
    }

    @Test func agreesWithTheFixture() throws {
        try agreesWithTheFixture(Float.self)
        try agreesWithTheFixture(Double.self)
    }

    @Test func comparisonsWithNaNAreFalseExceptNotEqual() {
        let x = Tensor<Double>([.nan]), y = Tensor<Double>([1])
        #expect((x .< y).scalars == [0] && (x .>= y).scalars == [0] && (x .== x).scalars == [0])
        #expect((x .!= x).scalars == [1])
        #expect(max(x, y).scalars[0].isNaN && min(y, x).scalars[0].isNaN)
    }

    @Test func whereIgnoresTheBranchNotTaken() throws {
        // log(x) is −∞ / NaN where x ≤ 0; neither reaches the result nor its gradient.
        let x = Tensor<Double>([-1, 0, 2, 3])
        let (value, g) = try valueWithGradient(at: x) { x in
            Tensor.where(x .> 0, log(max(x, 1e-300)), x * 2).sum()
        }
        #expect(value.scalar.isFinite)
        #expect(g.scalars[0] == 2 && g.scalars[1] == 2)
        #expect(g.scalars[2] == 0.5)
    }

    @Test func whereBroadcastsAndReducesItsGradients() throws {
        let mask = Tensor<Double>(shape: [3, 1], scalars: [1, 0, 1])
        let a = Tensor<Double>.randomNormal([4], seed: 1), b = Tensor<Double>.randomNormal([3, 4], seed: 2)
        let out = Tensor.where(mask, a, b)
        #expect(out.shape == [3, 4])
        let result = try gradientCheck(at: [a, b]) { Tensor.where(mask, $0[0], $0[1]) }
        #expect(result.passed, "\(result)")
        let scalarBranch = try gradientCheck(at: [Tensor<Double>(2.0), b]) { Tensor.where(mask, $0[0], $0[1]) }
        #expect(scalarBranch.passed, "\(scalarBranch)")
    }

    @Test func maxAndMinGradientsMatchFiniteDifferences() throws {
        let a = Tensor<Double>.randomNormal([3, 4], seed: 3), b = Tensor<Double>.randomNormal([4], seed: 4)
        for f in [{ (t: [Tensor<Double>]) in max(t[0], t[1]) }, { min($0[0], $0[1]) }] {
            let result = try gradientCheck(at: [a, b], f)
            #expect(result.passed, "\(result)")
        }
    }

    @Test func tiesSplitTheGradientOfElementwiseMax() throws {
        let x = Tensor<Double>([1, 2, 3])
        let (dx, dy) = try gradient(at: x, x) { max($0, $1).sum() }
        #expect(dx.scalars == [0.5, 0.5, 0.5] && dy.scalars == [0.5, 0.5, 0.5])
        let g = try gradient(at: x) { max($0, $0).sum() }
        #expect(g.scalars == [1, 1, 1])
    }

    @Test func clampedPassesTheGradientInsideTheClosedRange() throws {
        let x = Tensor<Double>([-2, -1, 0, 1, 3])
        let g = try gradient(at: x) { $0.clamped(to: -1...1).sum() }
        #expect(g.scalars == [0, 1, 1, 1, 0])
        let random = Tensor<Double>.randomNormal([3, 4], seed: 9) * 2
        let result = try checkGradient(at: Tensor.where(abs(abs(random) - 1) .< 0.05, random * 1.2, random)) {
            $0.clamped(to: -1...1)
        }
        #expect(result.passed, "\(result)")
    }

    @Test func masksAreConstants() throws {
        let tape = GradientTape()
        let x = tape.watch(Tensor<Double>([1, -1]))
        let mask = tape.record { x .> 0 }
        #expect(!mask.isTracked)
    }
}
