#if arch(x86_64) || arch(i386)
import Testing
@testable import LinAlg

/// The last-axis kernels (row norms, `normalized(alongLastAxisTo:)` and its pullback) and the
/// vector paths of broadcast arithmetic and the cheap unary functions, on every instruction
/// set this CPU has, against Float80 references or the scalar Swift operation bit for bit.
///
/// Part of the serialized suite of ``ElementwiseKernelsTests``, whose tests switch the
/// instruction set (a setting of the calling thread) one after another.
extension ElementwiseKernelsTests {
    /// Runs `body` once per available instruction set (portable included).
    func onEveryInstructionSet(_ body: (ElementwiseKernels.InstructionSet) -> Void) {
        let best = ElementwiseKernels.instructionSet
        defer { ElementwiseKernels.instructionSet = best }
        for isa in ElementwiseKernelsTests.available {
            ElementwiseKernels.instructionSet = isa
            body(isa)
        }
    }

    /// Rows of ordinary, huge, tiny and subnormal magnitude, of lengths around the vector
    /// width and the pairwise block (so every tail and the recursion run).
    func rows<S: TensorScalar>(_: S.Type, n: Int) -> Tensor<S> {
        let isDouble = S.self == Double.self
        let scales: [Double] = isDouble ? [1, 1e200, 1e-200, 0x1p-1030, 3] : [1, 1e30, 1e-30, 1e-40, 3]
        let base = Tensor<Double>.randomNormal([scales.count, n], seed: UInt64(n)).scalars
        var values: [S] = []
        for (r, scale) in scales.enumerated() {
            values += (0..<n).map { S(base[r * n + $0] * scale) }
        }
        return Tensor(shape: [scales.count, n], scalars: values)
    }

    /// The largest error of the rows normalised to radius 2, in ulps of each element, against
    /// `2 x / ‖x‖` in Float80 (the norm from the Float80 sum of squares of the scalars).
    func worstNormalizationError<S: TensorScalar>(_: S.Type, rescaled: Bool) -> (ulp: Double, at: String) {
        var worst = 0.0, at = ""
        for n in [1, 3, 7, 16, 31, 129, 300] {
            let x = rows(S.self, n: n)
            let y = x.normalized(alongLastAxisTo: 2).scalars, xs = x.scalars
            for r in 0..<(xs.count / n) where (r == 0 || r == 4) != rescaled {
                let row = xs[(r * n)..<((r + 1) * n)].map { Float80($0) }
                let norm = row.reduce(Float80(0)) { $0 + $1 * $1 }.squareRoot()
                for j in 0..<n {
                    let e = Accuracy.ulpError(y[r * n + j], 2 * row[j] / norm)
                    if e > worst { worst = e; at = "n = \(n), row \(r), element \(j): \(y[r * n + j])" }
                }
            }
        }
        return (worst, at)
    }

    /// Within 2 ulp for ordinary rows (rows 0 and 4); 3 for the rows whose sum of squares
    /// overflows or underflows, where the norm's own error (≤ 2 ulp), a divide and a multiply
    /// add up.
    @Test func normalizedRowsAreWithinTwoUlpOfTheReference() {
        onEveryInstructionSet { isa in
            for rescaled in [false, true] {
                let bound: Double = rescaled ? 3 : 2
                let d = worstNormalizationError(Double.self, rescaled: rescaled)
                let f = worstNormalizationError(Float.self, rescaled: rescaled)
                #expect(d.ulp <= bound, "Double on \(isa): \(d.ulp) ulp at \(d.at)")
                #expect(f.ulp <= bound, "Float on \(isa): \(f.ulp) ulp at \(f.at)")
            }
        }
    }

    @Test func aZeroRowNormalizesToNaNAndLeavesTheOthers() {
        onEveryInstructionSet { isa in
            let x = Tensor<Double>(shape: [2, 3], scalars: [0, 0, 0, 2, 0, 0])
            let y = x.normalized(alongLastAxisTo: 1).scalars
            #expect(y[0..<3].allSatisfy { $0.isNaN }, "\(isa)")
            #expect(Array(y[3...]) == [1, 0, 0], "\(isa)")
        }
    }

    /// Within 1 ulp on the plain path (rows 0 and 4), 2 where the row was rescaled.
    @Test func rowNormsAreWithinOneUlpOfTheReference() {
        onEveryInstructionSet { isa in
            for n in [1, 5, 8, 129, 300] {
                let x = rows(Double.self, n: n)
                let norms = x.norm(alongAxes: [-1]).scalars, xs = x.scalars
                for r in 0..<norms.count {
                    let exact = xs[(r * n)..<((r + 1) * n)].reduce(Float80(0)) { $0 + Float80($1) * Float80($1) }.squareRoot()
                    let e = Accuracy.ulpError(norms[r], exact)
                    #expect(e <= (r == 0 || r == 4 ? 1 : 2), "n = \(n), row \(r) on \(isa): \(e) ulp")
                }
            }
            let special = Tensor<Float>(shape: [3, 2], scalars: [.infinity, 1, .nan, 1, 0, 0])
            let norms = special.norm(alongAxes: [-1]).scalars
            #expect(norms[0] == .infinity && norms[1].isNaN && norms[2] == 0, "\(isa)")
        }
    }

    @Test func theNormalizationGradientPassesTheFiniteDifferenceCheck() throws {
        let best = ElementwiseKernels.instructionSet
        defer { ElementwiseKernels.instructionSet = best }
        for isa in ElementwiseKernelsTests.available {
            ElementwiseKernels.instructionSet = isa
            let x = Tensor<Double>.randomNormal([4, 3, 37], seed: 8)
            let check = try gradientCheck(at: [x]) { xs in xs[0].normalized(alongLastAxisTo: 1.5) }
            #expect(check.passed, "\(isa): \(check)")
        }
    }

    /// The fused gradient against the same map written as separate recorded operations.
    @Test func theFusedGradientEqualsTheComposedOne() throws {
        let x = Tensor<Double>.randomNormal([9, 21], seed: 9), w = Tensor<Double>.randomNormal([9, 21], seed: 10)
        let fused = try gradient(at: x) { (x: Tensor<Double>) in (x.normalized(alongLastAxisTo: 3) * w).sum() }
        let composed = try gradient(at: x) { (x: Tensor<Double>) in
            (x * (rsqrt((x * x).sum(alongAxes: [1], keepingDimensions: true)) * 3) * w).sum()
        }
        let difference = (fused - composed).scalars.map { Swift.abs($0) }.max() ?? 0
        #expect(difference <= 1e-14)
    }

    /// Broadcast and scalar arithmetic equal the scalar Swift operation on every element.
    func broadcastArithmeticIsExact<S: TensorScalar>(_: S.Type, isa: ElementwiseKernels.InstructionSet) {
        let pairs: [([Int], [Int])] = [([4, 5, 6], [1, 1, 6]), ([4, 1, 6], [4, 5, 6]), ([5, 1], [1, 7]),
                                       ([3, 40], [40]), ([2, 3, 300], [2, 3, 1]), ([1000], [1])]
        let ops: [(String, (Tensor<S>, Tensor<S>) -> Tensor<S>, (S, S) -> S)] = [
            ("+", { $0 + $1 }, { $0 + $1 }), ("-", { $0 - $1 }, { $0 - $1 }),
            ("*", { $0 * $1 }, { $0 * $1 }), ("/", { $0 / $1 }, { $0 / $1 }),
        ]
        for (sa, sb) in pairs {
            let a = Tensor<S>.randomNormal(sa, seed: 11), b = Tensor<S>.randomNormal(sb, seed: 12) + 2
            let shape = Shape.broadcast(sa, sb, operation: "test")
            let ea = Tensor.broadcastCopy(a, to: shape).scalars, eb = Tensor.broadcastCopy(b, to: shape).scalars
            for (name, op, f) in ops {
                let forward = op(a, b).scalars, backward = op(b, a).scalars
                #expect(forward == zip(ea, eb).map(f), "\(sa) \(name) \(sb), \(S.self) on \(isa)")
                #expect(backward == zip(eb, ea).map(f), "\(sb) \(name) \(sa), \(S.self) on \(isa)")
            }
        }
        let x = Tensor<S>.randomNormal([1001], seed: 13), xs = x.scalars, c: S = 0.3
        let scalarCases: [(String, Tensor<S>, (S) -> S)] = [
            ("x + c", x + c, { $0 + c }), ("x - c", x - c, { $0 + (-c) }), ("c - x", c - x, { c - $0 }),
            ("x * c", x * c, { $0 * c }), ("c / x", c / x, { c / $0 }), ("-x", -x, { -$0 }),
        ]
        for (name, result, f) in scalarCases {
            #expect(result.scalars == xs.map(f), "\(name), \(S.self) on \(isa)")
        }
        #expect((-Tensor<S>([0])).scalars[0].sign == .minus, "−0 keeps its sign on \(isa)")
    }

    /// sqrt, abs, relu, square (correctly rounded) and rsqrt (1/√x) equal the scalar operation.
    func cheapUnaryFunctionsAreExact<S: TensorScalar>(_: S.Type, isa: ElementwiseKernels.InstructionSet) {
        let values = Tensor<S>.randomNormal([1003], seed: 14).scalars + [0, -0.0, .infinity, -.infinity]
        let x = Tensor<S>(values), positive = Tensor<S>(values.map(\.magnitude))
        let cases: [(String, [S], [S])] = [
            ("sqrt", sqrt(positive).scalars, positive.scalars.map { $0.squareRoot() }),
            ("rsqrt", rsqrt(positive).scalars, positive.scalars.map { 1 / $0.squareRoot() }),
            ("abs", abs(x).scalars, values.map(\.magnitude)),
            ("relu", relu(x).scalars, values.map { $0 < 0 ? 0 : $0 }),
            ("square", square(x).scalars, values.map { $0 * $0 }),
        ]
        for (name, result, expected) in cases {
            #expect(result == expected, "\(name) \(S.self) on \(isa)")
        }
        #expect(relu(Tensor<S>([.nan])).scalars[0].isNaN, "relu keeps NaN on \(isa)")
    }

    @Test func broadcastArithmeticAndCheapFunctionsOnEveryInstructionSet() {
        onEveryInstructionSet { isa in
            broadcastArithmeticIsExact(Double.self, isa: isa)
            broadcastArithmeticIsExact(Float.self, isa: isa)
            cheapUnaryFunctionsAreExact(Double.self, isa: isa)
            cheapUnaryFunctionsAreExact(Float.self, isa: isa)
        }
    }
}
#endif
