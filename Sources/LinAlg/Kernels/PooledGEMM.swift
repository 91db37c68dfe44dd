import CVectorMath

/// Matrix products split by us across the elementwise worker pool, each part on one OpenBLAS
/// thread: for a layer that runs many small products back to back, such as a recurrent step.
///
/// For a product of a recurrent step's size (`128 × 190 · 190 × 190`, about 4.6 M
/// multiply-adds) OpenBLAS's own two threads gain only 1.5× over one: it hands work to its
/// worker and waits for it at every call. Splitting the rows (or columns) of `C` into one part
/// per thread and running them on the pool, whose workers spin between the ops of a step,
/// measured (C harness, 2 threads, AMD EPYC, Float): 120 steps of the three products of a
/// recurrent step 22.8 → 18.9 ms; `128 × 190 · 190 × 10` 11.9 → 7.1 µs.
///
/// Only `Float` products are split. In `Double` the same split measured within the noise of
/// OpenBLAS's threading in the training steps (RNN step at T = 200: 94.2 against 97.1 ms in
/// one run, 95.8 against 93.8 in another), while in `Float` it was faster in every run (RNN
/// step at T = 1000: 250 → 217 ms; copy-task step 40.5 → 35.0 ms; best of 4 alternated runs):
/// a `Double` part runs twice as long for the same hand-off.
///
/// A layer should use it for all of its products or none: OpenBLAS's idle worker spins for
/// about 0.1 s after each threaded call, and while it does it competes with the pool's threads.
/// Measured in the training steps, mixing the two made the RNN loop slower than either alone,
/// and short steps of a few products (a `Linear` layer's, 0.24 ms) were slower on the pool,
/// so `matmul` and `addMatmul` keep OpenBLAS's threading.
public enum PooledGEMM {
    /// Products `m · n · k` below this are not split (a part would cost less than its hand-off).
    @usableFromInline static let minimumWork = 1 << 15

    /// Rows (or columns) of `C` below which a part is not split off.
    @usableFromInline static let minimumPart = 16

    /// `C ← alpha · op(A) · op(B) + beta · C`, row-major, as ``TensorScalar/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``:
    /// split by rows of `C` (or by columns when it has few rows) across
    /// `threads` pool threads (default ``ElementwiseKernels/threadCount``) when `Scalar` is
    /// `Float` and `m · n · k` ≥ 2¹⁵; otherwise one `gemm`.
    ///
    /// Each part is one `gemm` on its rows of `op(A)` and `C` (or columns of `op(B)` and `C`),
    /// so the result is the same as one call's up to the order of the additions within
    /// OpenBLAS's kernels. OpenBLAS is held at one thread while the parts run (see
    /// ``ElementwiseKernels``' side-by-side steps); when the pool is busy with another
    /// caller's loop, one `gemm` runs on the caller's thread with OpenBLAS as it is.
    @inlinable
    public static func gemm<Scalar: TensorScalar>(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Scalar, a: UnsafePointer<Scalar>, lda: Int,
        b: UnsafePointer<Scalar>, ldb: Int,
        beta: Scalar, c: UnsafeMutablePointer<Scalar>, ldc: Int,
        threads: Int = ElementwiseKernels.threadCount
    ) {
        let work = m * n * k
        let byRows = m >= 2 * minimumPart
        guard Scalar.self == Float.self, threads >= 2, work >= minimumWork, byRows || n >= 2 * minimumPart else {
            Scalar.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                        b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let extent = byRows ? m : n
        let parts = Swift.min(threads, extent / minimumPart)
        // Whole vectors per part: a multiple of 16 rows or columns, the last part the rest.
        let per = ((extent + parts - 1) / parts + minimumPart - 1) / minimumPart * minimumPart
        let ran = ElementwiseKernels.onPoolWithSingleThreadedBLAS(parts: parts) { part in
            let start = part * per, count = Swift.min(per, extent - start)
            guard count > 0 else { return }
            if byRows {
                Scalar.gemm(transA: transA, transB: transB, m: count, n: n, k: k, alpha: alpha,
                            a: transA ? a + start : a + start * lda, lda: lda, b: b, ldb: ldb,
                            beta: beta, c: c + start * ldc, ldc: ldc)
            } else {
                Scalar.gemm(transA: transA, transB: transB, m: m, n: count, k: k, alpha: alpha,
                            a: a, lda: lda, b: transB ? b + start * ldb : b + start, ldb: ldb,
                            beta: beta, c: c + start, ldc: ldc)
            }
        }
        if !ran {
            Scalar.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                        b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }
}

extension ElementwiseKernels {
    /// Runs `body(0..<parts)` on the worker pool, one part per thread, with OpenBLAS held at one
    /// thread; returns false, having run nothing, when the pool is busy with another loop.
    @usableFromInline
    static func onPoolWithSingleThreadedBLAS(parts: Int, _ body: (Int) -> Void) -> Bool {
        OpenBLASSingleThreadedSection.enter()
        defer { OpenBLASSingleThreadedSection.leave() }
        return withoutActuallyEscaping(body) { body -> Bool in
            var task = body
            return withUnsafeMutablePointer(to: &task) { pointer in
                cvm_parallel_for(Int32(parts), parts, 1, { context, start, end in
                    let body = context!.assumingMemoryBound(to: ((Int) -> Void).self)
                    for part in start..<end { body.pointee(Int(part)) }
                }, pointer) != 0
            }
        }
    }
}
