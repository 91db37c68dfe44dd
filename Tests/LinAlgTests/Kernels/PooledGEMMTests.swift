import CLAPACK
import Testing
@testable import LinAlg

/// The tests run under `OPENBLAS_NUM_THREADS=1`, so each asks for two pool threads itself.
@Suite("Products split across the worker pool")
struct PooledGEMMTests {
    /// `C ← α op(A) op(B) + β C` by ``PooledGEMM`` and by one `gemm`, from the same `C`.
    func bothWays<S: TensorScalar>(_: S.Type, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                   alpha: S, beta: S, seed: UInt64) -> (pooled: [S], direct: [S]) {
        let a = Tensor<S>.randomNormal(transA ? [k, m] : [m, k], seed: seed)
        let b = Tensor<S>.randomNormal(transB ? [n, k] : [k, n], seed: seed + 1)
        let c = Tensor<S>.randomNormal([m, n], seed: seed + 2)
        var pooled = c.scalars, direct = c.scalars
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let (lda, ldb) = (transA ? m : k, transB ? k : n)
                pooled.withUnsafeMutableBufferPointer { pc in
                    PooledGEMM.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                    a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                    beta: beta, c: pc.baseAddress!, ldc: n, threads: 2)
                }
                direct.withUnsafeMutableBufferPointer { pc in
                    S.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                           a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                           beta: beta, c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return (pooled, direct)
    }

    func matchesOneGEMM<S: TensorScalar>(_: S.Type) {
        // Split by rows (m ≥ 32; 190 leaves a short last part), by columns (m = 9), and
        // products too small or too thin to split; every transpose; β = 0 and 1.
        let shapes = [(128, 190, 190), (190, 190, 128), (33, 47, 64), (9, 190, 300), (128, 9, 190), (16, 16, 16), (40, 20, 1)]
        for (index, (m, n, k)) in shapes.enumerated() {
            for (transA, transB) in [(false, false), (false, true), (true, false), (true, true)] {
                for (alpha, beta) in [(S(1), S(0)), (S(-0.5), S(1))] {
                    let (pooled, direct) = bothWays(S.self, transA: transA, transB: transB, m: m, n: n, k: k,
                                                    alpha: alpha, beta: beta, seed: UInt64(10 * index + 1))
                    let error = zip(pooled, direct).map { abs($0 - $1) }.max() ?? 0
                    let scale = direct.map { abs($0) }.max() ?? 1
                    #expect(error <= 4 * S(k) * S.ulpOfOne * Swift.max(scale, 1),
                            "\(m)×\(n)×\(k) transA \(transA) transB \(transB) β \(beta): \(error)")
                }
            }
        }
    }

    @Test func matchesOneGEMM() {
        let saved = openblas_get_num_threads()
        matchesOneGEMM(Float.self)
        matchesOneGEMM(Double.self)
        #expect(openblas_get_num_threads() == saved, "OpenBLAS's thread count is restored")
    }

    /// Several callers at once: the one that finds the pool busy runs a single `gemm`; every
    /// result is right and OpenBLAS's thread count is restored.
    @Test func severalCallersAtOnce() async {
        let saved = openblas_get_num_threads()
        let errors = await withTaskGroup(of: Float.self) { group in
            for caller in 0..<6 {
                group.addTask {
                    var worst: Float = 0
                    for repetition in 0..<8 {
                        let (pooled, direct) = bothWays(Float.self, transA: caller % 2 == 1, transB: false,
                                                        m: 128, n: 190, k: 190, alpha: 1, beta: 1,
                                                        seed: UInt64(100 * caller + repetition))
                        let scale = direct.map { abs($0) }.max() ?? 1
                        let error = zip(pooled, direct).map { abs($0 - $1) }.max() ?? 0
                        worst = Swift.max(worst, error / (4 * 190 * Float.ulpOfOne * scale))
                    }
                    return worst
                }
            }
            return await group.reduce(into: [Float]()) { $0.append($1) }
        }
        #expect(errors.allSatisfy { $0 <= 1 }, "errors in units of the bound 4kε‖C‖: \(errors)")
        #expect(openblas_get_num_threads() == saved)
    }
}
