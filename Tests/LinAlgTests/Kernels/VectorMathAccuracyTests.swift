// Float80 exists only on x86; on other architectures (arm64) the fixture-based accuracy tests
// (UnaryMathTests, against NumPy) are the reference.
#if arch(x86_64) || arch(i386)
import Testing
@testable import LinAlg

/// Measures the vectorised elementary functions against Float80 (64-bit significand)
/// references from the C library, in units in the last place of the result type.
///
/// The sweeps span each function's whole domain (overflow, underflow into subnormals,
/// tiny arguments, the reduction boundaries), 2²⁰ points for exp and log, 2¹⁷ for the
/// others. Measured maxima on these sweeps (Double / Float): exp 1.00 / 1.00 (at 1 + tiny,
/// where the spacing below 1 is used; 0.85 / 0.95 elsewhere), expm1 1.13 / 1.02, log 0.81 / 0.81,
/// log1p 0.78 / 0.76, tanh 1.57 / 1.70, sigmoid 1.83 / 1.76, softplus 1.53 / 1.51,
/// logSigmoid 1.53 / 1.51.
@Suite("Vectorised elementary functions: accuracy in ulp")
struct VectorMathAccuracyTests {
    /// |y − r| in ulps of the result type at r (the smaller spacing when r sits at a power of
    /// two); infinite if exactly one is non-finite or they are different non-finite values.
    static func ulpError<S: TensorScalar>(_ y: S, _ r: Float80) -> Double {
        if y.isNaN || r.isNaN { return y.isNaN && r.isNaN ? 0 : .infinity }
        let rounded = S(r)
        if !y.isFinite || !rounded.isFinite { return y == rounded ? 0 : .infinity }
        let spacing = Swift.min(rounded.magnitude.ulp, rounded.magnitude.nextDown.magnitude.ulp)
        let unit = Swift.max(spacing, S.leastNonzeroMagnitude)
        return Double(Swift.abs(Float80(y) - r) / Float80(unit))
    }

    /// The worst ulp error of `f` over `xs` against `reference`, with its argument.
    static func worstError<S: TensorScalar>(_ xs: [S], _ f: (Tensor<S>) -> Tensor<S>,
                                            _ reference: (Float80) -> Float80) -> (ulp: Double, at: S) {
        let ys = f(Tensor(xs)).scalars
        var worst = 0.0, at: S = 0
        for (x, y) in zip(xs, ys) {
            let e = ulpError(y, reference(Float80(x)))
            if e > worst { worst = e; at = x }
        }
        return (worst, at)
    }

    /// `count` points evenly spread over [a, b].
    static func sweep<S: TensorScalar>(_ a: Double, _ b: Double, _ count: Int) -> [S] {
        (0..<count).map { S(a + (b - a) * Double($0) / Double(count - 1)) }
    }

    /// `count` points spread evenly in log scale over ±[2^e0, 2^e1].
    static func logSweep<S: TensorScalar>(_ e0: Double, _ e1: Double, _ count: Int, negative: Bool = false) -> [S] {
        (0..<count).map { S((negative ? -1 : 1) * Double.pow(2, e0 + (e1 - e0) * Double($0) / Double(count - 1))) }
    }

    static let big = 1 << 20, small = 1 << 17

    func exponentialFamily<S: TensorScalar>(_: S.Type, bound: Double) {
        let isDouble = S.self == Double.self
        let (lo, hi) = isDouble ? (-745.2, 709.8) : (-103.9, 88.8)
        let minExponent: Double = isDouble ? -1074 : -149
        var xs: [S] = Self.sweep(lo, hi, Self.big / 2) + Self.sweep(-2, 2, Self.big / 4)
        xs += Self.logSweep(minExponent, 0, Self.big / 8) + Self.logSweep(minExponent, 0, Self.big / 8, negative: true)
        let e = Self.worstError(xs, { exp($0) }, { Float80.exp($0) })
        #expect(e.ulp <= bound, "exp \(S.self): \(e.ulp) ulp at \(e.at)")
        let m = Self.worstError(Array(xs.filter { $0 > -50 }.prefix(Self.small * 2)) + Self.sweep(-0.8, 0.8, Self.small),
                                { expm1($0) }, { Float80.expMinusOne($0) })
        #expect(m.ulp <= bound, "expm1 \(S.self): \(m.ulp) ulp at \(m.at)")
    }

    @Test func expAndExpm1AreWithinOneAndAHalfUlp() {
        exponentialFamily(Float.self, bound: 1.5)
        exponentialFamily(Double.self, bound: 1.5)
    }

    func logarithmFamily<S: TensorScalar>(_: S.Type, bound: Double) {
        let isDouble = S.self == Double.self
        let (minExponent, maxExponent): (Double, Double) = isDouble ? (-1074, 1023.99) : (-149, 127.99)
        let xs: [S] = Self.logSweep(minExponent, maxExponent, Self.big * 3 / 4) + Self.sweep(0.5, 2, Self.big / 4)
        let l = Self.worstError(xs, { log($0) }, { Float80.log($0) })
        #expect(l.ulp <= bound, "log \(S.self): \(l.ulp) ulp at \(l.at)")
        let ys: [S] = Self.sweep(-0.9999, 3, Self.small) + Self.logSweep(minExponent, 0, Self.small / 2)
            + Self.logSweep(minExponent, -0.001, Self.small / 2, negative: true) + Self.logSweep(1, maxExponent, Self.small / 4)
        let l1 = Self.worstError(ys, { log1p($0) }, { Float80.log(onePlus: $0) })
        #expect(l1.ulp <= bound, "log1p \(S.self): \(l1.ulp) ulp at \(l1.at)")
    }

    @Test func logAndLog1pAreWithinOneUlp() {
        logarithmFamily(Float.self, bound: 1)
        logarithmFamily(Double.self, bound: 1)
    }

    func composites<S: TensorScalar>(_: S.Type, bound: Double) {
        let tail = S.self == Double.self ? 760.0 : 110.0
        let xs: [S] = Self.sweep(-tail, tail, Self.small) + Self.sweep(-4, 4, Self.small)
            + Self.logSweep(-60, 0, Self.small / 4) + Self.logSweep(-60, 0, Self.small / 4, negative: true)
        func softplusReference(_ x: Float80) -> Float80 {
            x > 0 ? x + Float80.log(onePlus: Float80.exp(-x)) : Float80.log(onePlus: Float80.exp(x))
        }
        let cases: [(String, (Tensor<S>) -> Tensor<S>, (Float80) -> Float80)] = [
            ("tanh", { tanh($0) }, { Float80.tanh($0) }),
            ("sigmoid", { sigmoid($0) }, { 1 / (1 + Float80.exp(-$0)) }),
            ("softplus", { softplus($0) }, softplusReference),
            ("logSigmoid", { logSigmoid($0) }, { -softplusReference(-$0) }),
        ]
        for (name, f, reference) in cases {
            let e = Self.worstError(xs, f, reference)
            #expect(e.ulp <= bound, "\(name) \(S.self): \(e.ulp) ulp at \(e.at)")
        }
    }

    @Test func tanhSigmoidSoftplusAreWithinTwoUlp() {
        composites(Float.self, bound: 2)
        composites(Double.self, bound: 2)
    }
}
#endif
