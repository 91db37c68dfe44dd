import Foundation
import Synchronization
import Testing
import CLAPACK
@testable import LinAlg

/// The run-time choices of the elementwise kernels: every instruction set this CPU offers
/// meets the accuracy bounds, and splitting across threads changes no bit.
@Suite("Elementwise kernels: instruction sets and threads", .serialized)
struct ElementwiseKernelsTests {
    typealias Accuracy = VectorMathAccuracyTests

    /// The instruction sets this machine can run, narrowest first.
    static var available: [ElementwiseKernels.InstructionSet] {
        let best = ElementwiseKernels.instructionSet
        return [.portable, .avx2, .avx512].filter { $0 <= best }
    }

    func worstErrors<S: TensorScalar>(_: S.Type) -> [(String, Double, S)] {
        let isDouble = S.self == Double.self
        let tail = isDouble ? 760.0 : 110.0
        let maxExponent = isDouble ? 1023.99 : 127.99
        // Beside the whole range: dense sweeps at the fused kernels' branch points (tanh's
        // polynomial ends at ±0.625; ln(1 + e) switches its reduction at 1 + e = √2, x = ±0.8814)
        // and through the underflow of e^−|x| into the subnormals.
        let underflow = isDouble ? (-746.0, -700.0) : (-104.0, -85.0)
        var xs: [S] = Accuracy.sweep(-tail, tail, 1 << 15) + Accuracy.sweep(-4, 4, 1 << 15)
            + Accuracy.logSweep(-60, 0, 1 << 13) + Accuracy.logSweep(-60, 0, 1 << 13, negative: true)
        for (a, b) in [(0.6, 0.65), (-0.65, -0.6), (0.86, 0.9), (-0.9, -0.86), underflow] {
            xs += Accuracy.sweep(a, b, 1 << 12)
        }
        let positive: [S] = Accuracy.logSweep(-100, maxExponent, 1 << 15) + Accuracy.sweep(0.5, 2, 1 << 13)
        let aboveMinusOne: [S] = Accuracy.sweep(-0.9999, 3, 1 << 13) + positive
        func softplusReference(_ x: Float80) -> Float80 {
            x > 0 ? x + Float80.log(onePlus: Float80.exp(-x)) : Float80.log(onePlus: Float80.exp(x))
        }
        let cases: [(String, [S], (Tensor<S>) -> Tensor<S>, (Float80) -> Float80)] = [
            ("exp", xs, { exp($0) }, { Float80.exp($0) }),
            ("expm1", xs.filter { $0 > -50 }, { expm1($0) }, { Float80.expMinusOne($0) }),
            ("log", positive, { log($0) }, { Float80.log($0) }),
            ("log1p", aboveMinusOne, { log1p($0) }, { Float80.log(onePlus: $0) }),
            ("tanh", xs, { tanh($0) }, { Float80.tanh($0) }),
            ("sigmoid", xs, { sigmoid($0) }, { 1 / (1 + Float80.exp(-$0)) }),
            ("softplus", xs, { softplus($0) }, softplusReference),
            ("logSigmoid", xs, { logSigmoid($0) }, { -softplusReference(-$0) }),
            // The pullbacks of softplus and log σ with a unit cotangent: σ(x) and σ(−x).
            ("g·σ(x)", xs, { Tensor.applying(.timesSigmoid, Tensor(shape: $0.shape, repeating: 1), $0, generic: { $0 / (1 + S.exp(-$1)) }) },
             { 1 / (1 + Float80.exp(-$0)) }),
            ("g·σ(−x)", xs, { Tensor.applying(.timesSigmoidOfNegation, Tensor(shape: $0.shape, repeating: 1), $0, generic: { $0 / (1 + S.exp($1)) }) },
             { 1 / (1 + Float80.exp($0)) }),
        ]
        return cases.map { name, inputs, f, reference in
            let e = Accuracy.worstError(inputs, f, reference)
            return (name, e.ulp, e.at)
        }
    }

    @Test func everyInstructionSetIsWithinTwoUlp() {
        let best = ElementwiseKernels.instructionSet
        defer { ElementwiseKernels.instructionSet = best }
        for isa in Self.available {
            ElementwiseKernels.instructionSet = isa
            #expect(ElementwiseKernels.instructionSet == isa)
            for (name, ulp, at) in worstErrors(Float.self) {
                #expect(ulp <= 2, "\(name) Float on \(isa): \(ulp) ulp at \(at)")
            }
            for (name, ulp, at) in worstErrors(Double.self) {
                #expect(ulp <= 2, "\(name) Double on \(isa): \(ulp) ulp at \(at)")
            }
        }
    }

    func splitResults<S: TensorScalar>(_: S.Type, threads: Int) -> [[S]] {
        let saved = ElementwiseKernels.threadCount
        ElementwiseKernels.threadCount = threads
        defer { ElementwiseKernels.threadCount = saved }
        // Odd length: the last chunk and the vector tail are both partial.
        let n = 4 * ElementwiseKernels.arithmeticGrain + 37
        let x = Tensor<S>(shape: [n], scalars: (0..<n).map { S(Double($0 % 2001) / 100 - 10) })
        let g = Tensor<S>(shape: [n], scalars: (0..<n).map { S(Double($0 % 17) - 8) })
        let outputs = [exp(x), tanh(x), sigmoid(x), softplus(x), square(x), abs(x),
                       Tensor.applying(.timesSigmoid, g, x, generic: { $0 / (1 + S.exp(-$1)) }),
                       Tensor.applying(.tanhPullback, g, x, generic: { $0 * (1 - $1 * $1) }),
                       x * 0.5 + g, -x]
        return outputs.map(\.scalars)
    }

    /// How many elements of the outputs differ between two thread counts (compared as
    /// counts: printing the arrays of a failure would take minutes).
    func differences<S: TensorScalar>(_: S.Type, threads: Int) -> Int {
        zip(splitResults(S.self, threads: 1), splitResults(S.self, threads: threads))
            .map { one, many in zip(one, many).filter { $0 != $1 }.count }.reduce(0, +)
    }

    /// The pullbacks of σ and tanh from their values, g·y(1 − y) and g·(1 − y²), equal the
    /// scalar formula bit for bit on every instruction set.
    @Test func valuePullbacksAreTheScalarFormula() {
        let best = ElementwiseKernels.instructionSet
        defer { ElementwiseKernels.instructionSet = best }
        let g = Tensor<Double>.randomNormal([1037], seed: 7), y = tanh(Tensor<Double>.randomNormal([1037], seed: 8))
        for isa in Self.available {
            ElementwiseKernels.instructionSet = isa
            let s = Tensor.applying(.sigmoidPullback, g, y, generic: { $0 * ($1 * (1 - $1)) }).scalars
            let t = Tensor.applying(.tanhPullback, g, y, generic: { $0 * (1 - $1 * $1) }).scalars
            #expect(s == zip(g.scalars, y.scalars).map { $0 * ($1 * (1 - $1)) }, "σ′ on \(isa)")
            #expect(t == zip(g.scalars, y.scalars).map { $0 * (1 - $1 * $1) }, "tanh′ on \(isa)")
        }
    }

    @Test func splittingAcrossThreadsChangesNoBit() {
        #expect(differences(Double.self, threads: 3) == 0)
        #expect(differences(Float.self, threads: 2) == 0)
    }

    @Test func theThreadCountFollowsOpenBLASByDefault() {
        let saved = ElementwiseKernels.threadCount
        defer { ElementwiseKernels.threadCount = saved }
        ElementwiseKernels.threadCount = 5
        #expect(ElementwiseKernels.threadCount == 5)
        ElementwiseKernels.threadCount = 0
        #expect(ElementwiseKernels.threadCount == Int(openblas_get_num_threads()))
    }

    @Test func formTanhOverwritesWithTheKernelOfTanh() {
        let x = Tensor<Double>.randomNormal([37, 5], seed: 3) * 4
        var y = x
        y.formTanh()
        #expect(y == tanh(x))
        #expect(x != y)   // the copy was written, not the original
    }

    func arithmeticIsExact<S: TensorScalar>(_: S.Type) {
        for n in [1, 7, 37, 1000, 3 * ElementwiseKernels.arithmeticGrain + 5] {
            let a = Tensor<S>.randomNormal([n], seed: 4), b = Tensor<S>.randomNormal([n], seed: 5) + 3
            let cases: [(String, Tensor<S>, (S, S) -> S)] = [
                ("+", a + b, { $0 + $1 }), ("-", a - b, { $0 - $1 }),
                ("*", a * b, { $0 * $1 }), ("/", a / b, { $0 / $1 }),
            ]
            let xa = a.scalars, xb = b.scalars
            for (name, result, f) in cases {
                let expected = zip(xa, xb).map { f($0, $1) }
                let mismatches = zip(result.scalars, expected).filter { $0 != $1 }.count
                #expect(mismatches == 0, "\(name) \(S.self) n = \(n)")
            }
        }
    }

    /// |Σ − Σ_exact| against the bound of pairwise summation, (log₂ n + 16) ε Σ|x|.
    func sumIsAccurate<S: TensorScalar>(_: S.Type) {
        for n in [33, 128, 129, 1000, 100_003] {
            let x = Tensor<S>.randomNormal([n], seed: 6)
            let exact = x.scalars.reduce(Float80(0)) { $0 + Float80($1) }
            let magnitude = x.scalars.reduce(Float80(0)) { $0 + Float80(Swift.abs($1)) }
            let bound = (Float80(Double.log2(Double(n))) + 16) * Float80(S.ulpOfOne) * magnitude
            let error = Swift.abs(Float80(x.sum().scalar) - exact)
            #expect(error <= bound, "sum \(S.self) n = \(n): error \(error), bound \(bound)")
        }
    }

    @Test func arithmeticAndSumsOnEveryInstructionSet() {
        let best = ElementwiseKernels.instructionSet
        defer { ElementwiseKernels.instructionSet = best }
        let saved = ElementwiseKernels.threadCount
        defer { ElementwiseKernels.threadCount = saved }
        ElementwiseKernels.threadCount = 2
        for isa in Self.available {
            ElementwiseKernels.instructionSet = isa
            arithmeticIsExact(Float.self)
            arithmeticIsExact(Double.self)
            sumIsAccurate(Float.self)
            sumIsAccurate(Double.self)
        }
    }

    /// Tests run side by side in one process: a cap set by one (to reach a narrower path) must
    /// not change the kernels another computes with, or a bit-for-bit comparison there fails.
    @Test func aCapOnOneThreadLeavesOtherThreadsAlone() {
        let best = ElementwiseKernels.instructionSet
        defer { ElementwiseKernels.instructionSet = best }
        ElementwiseKernels.instructionSet = .portable
        let seen = Mutex<ElementwiseKernels.InstructionSet?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            seen.withLock { $0 = ElementwiseKernels.instructionSet }
            done.signal()
        }
        thread.start()
        done.wait()
        #expect(ElementwiseKernels.instructionSet == .portable)
        #expect(seen.withLock { $0 } == best)
    }
}
