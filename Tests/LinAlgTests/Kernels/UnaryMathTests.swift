import Testing
@testable import LinAlg

/// The unary function a fixture case names, for scalar type `S`.
func unaryFunction<S: TensorScalar>(_ c: Fixture.Case, _: S.Type) -> (Tensor<S>) -> Tensor<S> {
    switch c.string("function")! {
    case "exp": return { exp($0) }
    case "expm1": return { expm1($0) }
    case "log": return { log($0) }
    case "log1p": return { log1p($0) }
    case "sqrt": return { sqrt($0) }
    case "rsqrt": return { rsqrt($0) }
    case "tanh": return { tanh($0) }
    case "sigmoid": return { sigmoid($0) }
    case "softplus": return { softplus($0) }
    case "logSigmoid": return { logSigmoid($0) }
    case "relu": return { relu($0) }
    case "abs": return { abs($0) }
    case "sin": return { sin($0) }
    case "cos": return { cos($0) }
    case "square": return { square($0) }
    case "pow": let p = S(c.number("p")!); return { pow($0, p) }
    case let name: fatalError("unknown function \(name)")
    }
}

@Suite("Unary math")
struct UnaryMathTests {
    /// Within a few ulp of the 40-digit references: 4 ulp for the vectorised kernels' worst
    /// case, more for sin/cos/pow (the C library) in Float.
    func agreesWithTheFixtures<S: TensorScalar>(_: S.Type, tolerance: S) throws {
        let fixture = try Fixture.load("unary_math")
        for c in fixture.cases where c.applies(to: S.self) {
            let x: Tensor<S> = c.input("x"), expected: Tensor<S> = c.output("y")
            let y = unaryFunction(c, S.self)(x)
            let error = worstRelativeError(y, expected, floor: comparisonFloor(S.self))
            #expect(error <= tolerance, "\(c.name): relative error \(error)")
        }
    }

    @Test func agreesWithTheFixturesInFloat() throws { try agreesWithTheFixtures(Float.self, tolerance: 4 * 0x1p-24) }
    @Test func agreesWithTheFixturesInDouble() throws { try agreesWithTheFixtures(Double.self, tolerance: 4 * 0x1p-53) }

    func specialValuesFollowIEEE<S: TensorScalar>(_: S.Type) {
        let x = Tensor<S>([-.infinity, .infinity, .nan, 0, -0.0])
        let e = exp(x).scalars, l = log(x).scalars, s = sigmoid(x).scalars, t = tanh(x).scalars
        let sp = softplus(x).scalars, em = expm1(x).scalars
        #expect(e[0] == 0 && e[1] == .infinity && e[2].isNaN && e[3] == 1)
        #expect(em[0] == -1 && em[1] == .infinity && em[2].isNaN && em[3] == 0)
        #expect(l[0].isNaN && l[1] == .infinity && l[2].isNaN && l[3] == -.infinity && l[4] == -.infinity)
        #expect(s[0] == 0 && s[1] == 1 && s[2].isNaN && s[3] == 0.5)
        #expect(t[0] == -1 && t[1] == 1 && t[2].isNaN && t[3] == 0)
        #expect(sp[0] == 0 && sp[1] == .infinity && sp[2].isNaN)
        let l1 = log1p(Tensor<S>([-1, -2, .infinity])).scalars
        #expect(l1[0] == -.infinity && l1[1].isNaN && l1[2] == .infinity)
        #expect(relu(Tensor<S>([.nan])).scalars[0].isNaN)
    }

    @Test func specialValuesFollowIEEE() {
        specialValuesFollowIEEE(Float.self)
        specialValuesFollowIEEE(Double.self)
    }

    func sigmoidAndSoftplusDoNotOverflow<S: TensorScalar>(_: S.Type) {
        let big = S.greatestFiniteMagnitude
        let x = Tensor<S>([-big, big])
        let s = sigmoid(x).scalars, sp = softplus(x).scalars, ls = logSigmoid(x).scalars
        #expect(s == [0, 1])
        #expect(sp == [0, big])
        #expect(ls == [-big, 0])
    }

    @Test func sigmoidAndSoftplusDoNotOverflow() {
        sigmoidAndSoftplusDoNotOverflow(Float.self)
        sigmoidAndSoftplusDoNotOverflow(Double.self)
    }

    @Test func vectorisedAndTailLoopsAgree() {
        // Lengths around the SIMD width exercise the remainder loops.
        for n in [1, 2, 3, 5, 7, 9, 17] {
            let x = Tensor<Float>.randomNormal([n], seed: UInt64(n))
            let y = exp(x)
            for (i, v) in x.scalars.enumerated() {
                // Each lane equals the one-element (tail-loop) result, and both are within
                // 2 ulp of the Double kernel (a separate implementation) rounded to Float.
                #expect(exp(Tensor<Float>([v])).scalars[0] == y.scalars[i])
                let reference = Float(exp(Tensor<Double>([Double(v)])).scalars[0])
                #expect(abs(y.scalars[i] - reference) <= 2 * reference.ulp, "exp(\(v)) = \(y.scalars[i]), reference \(reference)")
            }
        }
    }

    @Test func reluAndAbsUseTheZeroSubgradientAtZero() throws {
        let x = Tensor<Double>([-1, 0, 2])
        let dr = try gradient(at: x) { relu($0).sum() }
        let da = try gradient(at: x) { abs($0).sum() }
        #expect(dr.scalars == [0, 0, 1])
        #expect(da.scalars == [-1, 0, 1])
    }

    @Test(arguments: ["exp", "expm1", "log", "log1p", "sqrt", "rsqrt", "tanh", "sigmoid", "softplus",
                      "logSigmoid", "relu", "abs", "sin", "cos", "square"])
    func gradientMatchesFiniteDifferences(function name: String) throws {
        let f: (Tensor<Double>) -> Tensor<Double>
        switch name {
        case "exp": f = { exp($0) }
        case "expm1": f = { expm1($0) }
        case "log": f = { log($0) }
        case "log1p": f = { log1p($0) }
        case "sqrt": f = { sqrt($0) }
        case "rsqrt": f = { rsqrt($0) }
        case "tanh": f = { tanh($0) }
        case "sigmoid": f = { sigmoid($0) }
        case "softplus": f = { softplus($0) }
        case "logSigmoid": f = { logSigmoid($0) }
        case "relu": f = { relu($0) }
        case "abs": f = { abs($0) }
        case "sin": f = { sin($0) }
        case "cos": f = { cos($0) }
        default: f = { square($0) }
        }
        let positiveDomain = ["log", "log1p", "sqrt", "rsqrt"].contains(name)
        for (k, shape) in [[7], [3, 4], [2, 3, 5]].enumerated() {
            var x = Tensor<Double>.randomNormal(shape, seed: UInt64(10 + k)) * 3
            if positiveDomain { x = abs(x) + 0.2 }
            // Keep relu and abs away from their kink, where finite differences straddle it.
            if name == "relu" || name == "abs" { x = Tensor.where(abs(x) .< 0.1, x + 0.3, x) }
            let result = try checkGradient(at: x, f)
            #expect(result.passed, "\(name) \(shape): \(result)")
        }
    }

    @Test(arguments: [3.0, -2.0, 2.5, -1.5, 0.0, 1.0, 2.0, 0.5, -0.5])
    func powGradientMatchesFiniteDifferences(exponent p: Double) throws {
        var x = abs(Tensor<Double>.randomNormal([3, 4], seed: 5)) + 0.3
        if p == p.rounded() { x = x * Tensor.where(Tensor<Double>.randomNormal([3, 4], seed: 6) .> 0, Tensor(1.0), Tensor(-1.0)) }
        let result = try checkGradient(at: x) { pow($0, p) }
        #expect(result.passed, "pow p = \(p): \(result)")
    }

    @Test func gradientsOfTheTailsAreFinite() throws {
        // The stable formulas keep the derivatives finite and correct far into the tails.
        let x = Tensor<Double>([-800, -50, 50, 800])
        let ds = try gradient(at: x) { sigmoid($0).sum() }
        let dsp = try gradient(at: x) { softplus($0).sum() }
        let dls = try gradient(at: x) { logSigmoid($0).sum() }
        let dt = try gradient(at: x) { tanh($0).sum() }
        for g in [ds, dsp, dls, dt] { #expect(g.scalars.allSatisfy { $0.isFinite }) }
        #expect(dsp == sigmoid(x))
        #expect(dls == sigmoid(-x))
    }
}
