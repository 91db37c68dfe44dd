#if arch(x86_64) || arch(i386)
import Testing
@testable import LinAlg

/// `ModReLUKernel` on every instruction set this CPU has: the vector paths give the portable
/// loop's results bit for bit (modReLU rounds nothing but `|z| + b`, and the pullback only
/// selects and sums in the same order per column), on rows whose lengths leave every tail,
/// with zeros of both signs, values on the kink `|z| = −b`, infinities and NaN.
extension ElementwiseKernelsTests {
    /// A `rows × n` input with the special values spread over it, a bias with negative and
    /// positive entries (and one equal to −|z| at a kink), and a cotangent.
    func modReLUCase<S: TensorScalar>(_: S.Type, rows: Int, n: Int) -> (z: [S], bias: [S], g: [S]) {
        var z = Tensor<Double>.randomNormal([rows, n], seed: UInt64(n)).scalars.map { S($0) }
        var bias = Tensor<Double>.randomUniform([n], from: -0.6, to: 0.4, seed: UInt64(n + 1)).scalars.map { S($0) }
        let g = Tensor<Double>.randomNormal([rows, n], seed: UInt64(n + 2)).scalars.map { S($0) }
        let specials: [S] = [0, -0, .infinity, -.infinity, .nan, S(0.25), S(-0.25)]
        for (k, v) in specials.enumerated() where k * 5 < z.count { z[k * 5] = v }
        if n > 3 { bias[3 % n] = -0.25; z[3] = 0.25 }   // |z| + b = 0 exactly: inactive
        return (z, bias, g)
    }

    func modReLUMatchesThePortableLoop<S: TensorScalar>(_: S.Type, rows: Int, n: Int,
                                                       on isa: ElementwiseKernels.InstructionSet) {
        let (z, bias, g) = modReLUCase(S.self, rows: rows, n: n)
        func run() -> (y: [S], dz: [S], db: [S], sums: [S]) {
            var y = z, dz = [S](repeating: 7, count: z.count)
            var db = [S](repeating: 1, count: n), sums = [S](repeating: -1, count: n)
            y.withUnsafeMutableBufferPointer { py in
                bias.withUnsafeBufferPointer { pb in
                    ModReLUKernel.apply(py.baseAddress!, bias: pb.baseAddress!, rows: rows, columns: n)
                }
            }
            y.withUnsafeBufferPointer { py in
                g.withUnsafeBufferPointer { pg in
                    dz.withUnsafeMutableBufferPointer { pd in
                        db.withUnsafeMutableBufferPointer { pdb in
                            sums.withUnsafeMutableBufferPointer { ps in
                                ModReLUKernel.pullback(output: py.baseAddress!, cotangent: pg.baseAddress!,
                                                       into: pd.baseAddress!, biasCotangent: pdb.baseAddress!,
                                                       columnSums: ps.baseAddress!, rows: rows, columns: n)
                            }
                        }
                    }
                }
            }
            return (y, dz, db, sums)
        }
        let got = run()
        let saved = ElementwiseKernels.instructionSet
        ElementwiseKernels.instructionSet = .portable
        let expected = run()
        ElementwiseKernels.instructionSet = saved
        func same(_ a: [S], _ b: [S]) -> Bool { zip(a, b).allSatisfy { $0 == $1 && $0.sign == $1.sign || $0.isNaN && $1.isNaN } }
        #expect(same(got.y, expected.y), "modReLU \(S.self) \(rows)×\(n) on \(isa)")
        #expect(same(got.dz, expected.dz), "modReLU pullback dz \(S.self) \(rows)×\(n) on \(isa)")
        #expect(same(got.db, expected.db), "modReLU pullback db \(S.self) \(rows)×\(n) on \(isa)")
        #expect(same(got.sums, expected.sums), "modReLU pullback column sums \(S.self) \(rows)×\(n) on \(isa)")
        // The portable loop itself against the definition, element by element.
        for (k, v) in z.enumerated() {
            let m = Swift.abs(v) + bias[k % n]
            let y: S = m > 0 && v != 0 ? (v > 0 ? m : -m) : 0
            #expect(expected.y[k] == y && expected.y[k].sign == y.sign, "modReLU(\(v), bias \(bias[k % n]))")
        }
    }

    @Test func modReLUOnEveryInstructionSetIsThePortableLoopBitForBit() {
        onEveryInstructionSet { isa in
            for (rows, n) in [(1, 1), (3, 7), (4, 8), (5, 17), (2, 33), (6, 190)] {
                modReLUMatchesThePortableLoop(Double.self, rows: rows, n: n, on: isa)
                modReLUMatchesThePortableLoop(Float.self, rows: rows, n: n, on: isa)
            }
        }
    }
}
#endif
