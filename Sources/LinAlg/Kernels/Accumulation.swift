// Accumulating forms of a product and a sum, for pullbacks that add into the cotangent an
// input has received so far (`Tensor.record(_:_:_:accumulating:)`) instead of returning a
// fresh one for the tape to add.

/// Adds the product `op(a) · op(b)` of two matrices into `sum`, or stores it there when `sum`
/// is nil: `sum ← sum + op(a) op(b)`.
///
/// One GEMM with `β = 1` into `sum`'s storage (copied first only when it is shared), where
/// `sum + matmul(…)` would write the product to a new buffer, zero-filled by GEMM's `β = 0`,
/// and then read both to add them.
///
/// - Precondition: `a` and `b` are matrices whose product has `sum`'s shape.
@inlinable
public func addMatmul<Scalar>(_ a: Tensor<Scalar>, transposed transA: Bool,
                              _ b: Tensor<Scalar>, transposed transB: Bool,
                              into sum: inout Tensor<Scalar>?) {
    guard sum != nil else {
        sum = matmul(a, transposed: transA, b, transposed: transB)
        return
    }
    precondition(a.rank == 2 && b.rank == 2,
                 "addMatmul: operands must be matrices, got shapes \(a.shape) and \(b.shape)")
    let m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1]
    let kb = transB ? b.shape[1] : b.shape[0], n = transB ? b.shape[0] : b.shape[1]
    precondition(k == kb && sum!.shape == [m, n],
                 "addMatmul: \(a.shape)\(transA ? "ᵀ" : "") · \(b.shape)\(transB ? "ᵀ" : "") does not give the sum's shape \(sum!.shape)")
    if m == 0 || n == 0 || k == 0 { return }
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            sum!.withUnsafeMutableBufferPointer { pc in
                Scalar.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
                            a: pa.baseAddress!, lda: a.shape[1], b: pb.baseAddress!, ldb: b.shape[1],
                            beta: 1, c: pc.baseAddress!, ldc: n)
            }
        }
    }
}

/// Adds `x` into `sum`, or stores it there when `sum` is nil: `sum ← sum + x` (BLAS axpy into
/// `sum`'s storage, copied first only when it is shared).
///
/// - Precondition: `x` has `sum`'s shape.
@inlinable
public func add<Scalar>(_ x: Tensor<Scalar>, into sum: inout Tensor<Scalar>?) {
    guard sum != nil else {
        sum = x
        return
    }
    precondition(sum!.shape == x.shape, "add(_:into:): shape \(x.shape) does not match the sum's \(sum!.shape)")
    x.withUnsafeBufferPointer { px in
        sum!.withUnsafeMutableBufferPointer { ps in
            guard ps.count > 0 else { return }
            Scalar.axpy(n: ps.count, alpha: 1, x: px.baseAddress!, y: ps.baseAddress!)
        }
    }
}
