/// The matrix product, batched and broadcast over leading axes (GEMM).
///
/// Shapes `(..., m, k)` and `(..., k, n)` give `(..., m, n)`; the leading (batch) axes
/// broadcast as in NumPy. A one-dimensional left operand is a row vector and a
/// one-dimensional right operand a column vector; the added axis is removed from the result.
///
/// ```swift
/// let y = matmul(x, w)   // [batch, in] · [in, out] → [batch, out]
/// ```
@inlinable
public func matmul<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    matmul(a, transposed: false, b, transposed: false)
}

/// The matrix product `op(a) · op(b)` where `op` transposes the last two axes when asked,
/// without materialising the transpose.
@inlinable
public func matmul<Scalar>(_ a: Tensor<Scalar>, transposed transA: Bool,
                           _ b: Tensor<Scalar>, transposed transB: Bool) -> Tensor<Scalar> {
    precondition(a.rank >= 1 && b.rank >= 1,
                 "matmul: operands need at least one axis, got shapes \(a.shape) and \(b.shape)")
    if a.rank == 1 {
        let r = matmul(a.reshaped(to: [1, a.shape[0]]), transposed: false, b, transposed: transB)
        var s = r.shape; s.remove(at: s.count - 2)
        return r.reshaped(to: s)
    }
    if b.rank == 1 {
        let r = matmul(a, transposed: transA, b.reshaped(to: [b.shape[0], 1]), transposed: false)
        return r.reshaped(to: Array(r.shape.dropLast()))
    }
    return MatmulKernel.product(a, transA, b, transB)
}

@usableFromInline
enum MatmulKernel {
    /// The product of two tensors of rank ≥ 2, with its pullback.
    @inlinable
    static func product<Scalar>(_ a: Tensor<Scalar>, _ transA: Bool,
                                _ b: Tensor<Scalar>, _ transB: Bool) -> Tensor<Scalar> {
        let ra = a.rank, rb = b.rank
        let m = transA ? a.shape[ra - 1] : a.shape[ra - 2]
        let k = transA ? a.shape[ra - 2] : a.shape[ra - 1]
        let kb = transB ? b.shape[rb - 1] : b.shape[rb - 2]
        let n = transB ? b.shape[rb - 2] : b.shape[rb - 1]
        precondition(k == kb, "matmul: shapes \(a.shape)\(transA ? "ᵀ" : "") and \(b.shape)\(transB ? "ᵀ" : "") do not align (\(k) ≠ \(kb))")
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        let batch = Shape.broadcast(batchA, batchB, operation: "matmul (batch axes)")
        let batchCount = Shape.count(of: batch)
        var out = Tensor<Scalar>(shape: batch + [m, n]) { c in
            let pa = a.storage.base, pb = b.storage.base, pc = c.baseAddress!
            let lda = a.shape[ra - 1], ldb = b.shape[rb - 1]
            if m == 0 || n == 0 { return }
            if k == 0 { c.initialize(repeating: 0); return }
            if Shape.count(of: batchB) == 1 && !transA {
                // The batch of `a` folds into its rows: one GEMM for all of it.
                Scalar.gemm(transA: false, transB: transB, m: m * Shape.count(of: batchA), n: n, k: k,
                            alpha: 1, a: pa, lda: lda, b: pb, ldb: ldb, beta: 0, c: pc, ldc: n)
                return
            }
            let sa = Shape.broadcastStrides(of: batchA, to: batch)
            let sb = Shape.broadcastStrides(of: batchB, to: batch)
            let strideA = a.shape[ra - 2] * a.shape[ra - 1], strideB = b.shape[rb - 2] * b.shape[rb - 1]
            var index = [Int](repeating: 0, count: batch.count)
            for t in 0..<batchCount {
                var oa = 0, ob = 0
                for axis in 0..<batch.count { oa += index[axis] * sa[axis]; ob += index[axis] * sb[axis] }
                Scalar.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
                            a: pa + oa * strideA, lda: lda, b: pb + ob * strideB, ldb: ldb,
                            beta: 0, c: pc + t * m * n, ldc: n)
                var axis = batch.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    if index[axis] < batch[axis] { break }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        if let tapeID = Tensor.recordingTapeID(a, b) {
            let ta = a.isTracked, tb = b.isTracked
            let sa = a.shape, sb = b.shape
            out.record(tapeID, "matmul", a, b) { g in
                var da: Tensor<Scalar>? = nil, db: Tensor<Scalar>? = nil
                if ta {
                    da = transA ? product(b, transB, g, true) : product(g, false, b, !transB)
                    da = da!.summed(toShape: sa)
                }
                if tb {
                    db = transB ? product(g, true, a, transA) : product(a, !transA, g, false)
                    db = db!.summed(toShape: sb)
                }
                return (da, db)
            }
        }
        return out
    }
}
