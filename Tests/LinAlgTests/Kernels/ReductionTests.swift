import Testing
@testable import LinAlg

@Suite("Reductions")
struct ReductionTests {
    func agreesWithTheFixtures<S: TensorScalar>(_: S.Type, tolerance: S) throws {
        let fixture = try Fixture.load("reductions")
        #expect(fixture.cases.count > 30)
        for c in fixture.cases where S.self == Double.self || !c.flag("norm_only") {
            let x: Tensor<S> = c.input("x")
            let axes = c.integers("axes"), keep = c.bool("keep")
            let all = axes.isEmpty
            let axesOrAll = all ? Array(0..<x.rank) : axes
            let norm = all && !keep ? x.norm() : x.norm(alongAxes: axesOrAll, keepingDimensions: keep)
            let expectedNorm: Tensor<S> = c.output("norm")
            #expect(norm.shape == expectedNorm.shape, "\(c.name)")
            #expect(worstRelativeError(norm, expectedNorm, floor: 0) <= tolerance, "\(c.name): norm")
            if c.flag("norm_only") { continue }
            // Over all axes without kept dimensions, the argument-free forms (rank-0 results).
            let whole = all && !keep
            let results: [(String, Tensor<S>)] = [
                ("sum", whole ? x.sum() : x.sum(alongAxes: axesOrAll, keepingDimensions: keep)),
                ("mean", whole ? x.mean() : x.mean(alongAxes: axesOrAll, keepingDimensions: keep)),
                ("max", whole ? x.max() : x.max(alongAxes: axesOrAll, keepingDimensions: keep)),
                ("min", whole ? x.min() : x.min(alongAxes: axesOrAll, keepingDimensions: keep)),
                ("logsumexp", whole ? x.logSumExp() : x.logSumExp(alongAxes: axesOrAll, keepingDimensions: keep)),
            ]
            for (name, value) in results {
                let expected: Tensor<S> = c.output(name)
                #expect(value.shape == expected.shape, "\(c.name): \(name) shape \(value.shape)")
                guard value.shape == expected.shape else { continue }
                // Sums cancel: compare norm-wise, as the error bound of a sum is relative to Σ|x|.
                let error = name == "sum" || name == "mean" || name == "logsumexp"
                    ? normwiseRelativeError(value, expected) : worstRelativeError(value, expected, floor: 0)
                #expect(error <= tolerance, "\(c.name): \(name) error \(error)")
            }
        }
    }

    @Test func agreesWithTheFixturesInFloat() throws { try agreesWithTheFixtures(Float.self, tolerance: 1e-5) }
    @Test func agreesWithTheFixturesInDouble() throws { try agreesWithTheFixtures(Double.self, tolerance: 1e-13) }

    func sumsAlongALongNonContiguousAxisArePairwise<S: TensorScalar>(_: S.Type, tolerance: S) {
        // 10⁶ copies of 0.1 down a column: sequential summation drifts by O(n·ε), pairwise
        // by O(log n · ε). Reference: n · 0.1 in Double.
        let n = 1 << 20
        let x = Tensor<S>(shape: [n, 2], repeating: S(0.1))
        let s = x.sum(alongAxes: 0).scalars
        let exact = Double(n) * Double(S(0.1))
        for v in s { #expect(Swift.abs(Double(v) - exact) / exact < Double(tolerance)) }
    }

    @Test func sumsAlongALongNonContiguousAxisArePairwise() {
        sumsAlongALongNonContiguousAxisArePairwise(Float.self, tolerance: 1e-5)
        sumsAlongALongNonContiguousAxisArePairwise(Double.self, tolerance: 1e-14)
    }

    func extremaPropagateNaN<S: TensorScalar>(_: S.Type) {
        var scalars = [S](repeating: 1, count: 40)
        scalars[23] = .nan
        let x = Tensor<S>(shape: [4, 10], scalars: scalars)
        #expect(x.max().scalar.isNaN)
        #expect(x.min().scalar.isNaN)
        let rows = x.max(alongAxes: 1).scalars, columns = x.min(alongAxes: 0).scalars
        #expect(rows[2].isNaN && !rows[0].isNaN && !rows[3].isNaN)
        #expect(columns[3].isNaN && columns.filter { $0.isNaN }.count == 1)
    }

    @Test func extremaPropagateNaN() {
        extremaPropagateNaN(Float.self)
        extremaPropagateNaN(Double.self)
    }

    @Test func extremaOfLongContiguousRowsMatchASequentialScan() {
        // Lengths past the SIMD unrolling, with the extremum placed in the tail loop.
        for n in [1, 7, 8, 15, 16, 17, 33, 1001] {
            var values = (0..<n).map { Float(($0 * 7919) % 101) }
            values[n - 1] = 500
            let x = Tensor<Float>(values)
            #expect(x.max().scalar == values.max()!)
            #expect(x.min().scalar == values.min()!)
            let d = Tensor<Double>(values.map(Double.init))
            #expect(d.max().scalar == 500)
        }
    }

    @Test func maxSendsTheGradientToTheFirstOfTiedElements() throws {
        let x = Tensor<Double>(shape: [2, 4], scalars: [1, 3, 3, 2, 5, 5, 5, 0])
        let all = try gradient(at: x) { $0.max() }
        #expect(all.scalars == [0, 0, 0, 0, 1, 0, 0, 0])
        let rows = try gradient(at: x) { $0.max(alongAxes: 1).sum() }
        #expect(rows.scalars == [0, 1, 0, 0, 1, 0, 0, 0])
        let y = Tensor<Double>(shape: [3, 2], scalars: [4, 1, 4, 1, 2, 1])
        let columns = try gradient(at: y) { $0.min(alongAxes: 0).sum() }
        #expect(columns.scalars == [0, 1, 0, 0, 1, 0])
    }

    @Test func normOfZeroHasZeroGradient() throws {
        let zero = Tensor<Double>.zeros([2, 3])
        #expect(try gradient(at: zero) { $0.norm() }.scalars == [Double](repeating: 0, count: 6))
        let rows = try gradient(at: zero) { $0.norm(alongAxes: 1).sum() }
        #expect(rows.scalars == [Double](repeating: 0, count: 6))
    }

    func normAvoidsOverflowAndUnderflow<S: TensorScalar>(_: S.Type) {
        // Scaling a vector by a power of two scales its norm exactly.
        let v = Tensor<S>([3, 4, 12])
        let reference = v.norm().scalar
        for power in [S.greatestFiniteMagnitude.exponent - 4, S.leastNormalMagnitude.exponent + 2] {
            let scale = S(sign: .plus, exponent: power, significand: 1)
            let scaled = v * scale
            // The rescaled sum rounds differently from the plain one: a few ulp.
            let whole = scaled.norm().scalar, rows = scaled.reshaped(to: [1, 3]).norm(alongAxes: 1).scalars[0]
            #expect(Swift.abs(whole / scale - reference) <= 4 * reference.ulp, "\(whole)")
            #expect(Swift.abs(rows / scale - reference) <= 4 * reference.ulp, "\(rows)")
        }
    }

    @Test func normAvoidsOverflowAndUnderflow() {
        normAvoidsOverflowAndUnderflow(Float.self)
        normAvoidsOverflowAndUnderflow(Double.self)
    }

    @Test func logSumExpDoesNotOverflowAndHandlesInfinities() {
        let big = Tensor<Double>([1000, 1000])
        #expect(big.logSumExp().scalar == 1000 + Double.log(2))
        #expect(Tensor<Double>([-.infinity, -.infinity]).logSumExp().scalar == -.infinity)
        #expect(Tensor<Double>([1, .infinity]).logSumExp().scalar == .infinity)
    }

    @Test func sumOfAnEmptyAxisIsZeroAndMeanIsNaN() {
        let x = Tensor<Double>.zeros([3, 0])
        #expect(x.sum(alongAxes: 1).scalars == [0, 0, 0])
        #expect(x.mean(alongAxes: 1).scalars.allSatisfy { $0.isNaN })
    }

    @Test func negativeAndVariadicAxesMatchTheArrayForm() {
        let x = Tensor<Double>.randomNormal([2, 3, 4], seed: 3)
        #expect(x.sum(alongAxes: -1, -3) == x.sum(alongAxes: [0, 2]))
        #expect(x.max(alongAxes: -2, keepingDimensions: true).shape == [2, 1, 4])
    }

    @Test func repeatedAxesStopTheProcess() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.zeros([2, 3]).sum(alongAxes: [1, -1])
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("sum(alongAxes:): axes [1, -1] name axis 1 twice"), "\(text)")
    }

    static let axesCases: [[Int]] = [[0], [1], [-1], [0, 2], [1, 2], [0, 1, 2]]

    @Test(arguments: axesCases)
    func reductionGradientsMatchFiniteDifferences(axes: [Int]) throws {
        let x = Tensor<Double>.randomNormal([3, 4, 5], seed: 21)
        for keep in [false, true] {
            let ops: [(String, (Tensor<Double>) -> Tensor<Double>)] = [
                ("sum", { $0.sum(alongAxes: axes, keepingDimensions: keep) }),
                ("mean", { $0.mean(alongAxes: axes, keepingDimensions: keep) }),
                ("max", { $0.max(alongAxes: axes, keepingDimensions: keep) }),
                ("min", { $0.min(alongAxes: axes, keepingDimensions: keep) }),
                ("norm", { $0.norm(alongAxes: axes, keepingDimensions: keep) }),
                ("logSumExp", { $0.logSumExp(alongAxes: axes, keepingDimensions: keep) }),
            ]
            for (name, f) in ops {
                let result = try checkGradient(at: x, f)
                #expect(result.passed, "\(name) axes \(axes) keep \(keep): \(result)")
            }
        }
    }

    @Test func fullReductionGradientsMatchFiniteDifferences() throws {
        for shape in [[6], [3, 4], [2, 3, 2]] {
            let x = Tensor<Double>.randomNormal(shape, seed: 8)
            for f in [{ (t: Tensor<Double>) in t.sum() }, { $0.mean() }, { $0.max() }, { $0.min() }, { $0.norm() },
                      { $0.logSumExp() }] {
                let result = try checkGradient(at: x, f)
                #expect(result.passed, "\(shape): \(result)")
            }
        }
    }
}
