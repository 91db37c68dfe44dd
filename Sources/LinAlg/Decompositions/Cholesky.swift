/// The lower triangular Cholesky factor `L` of each symmetric positive definite matrix,
/// `A = L Lᵀ` with a positive diagonal, batched: shape `(..., n, n)`.
///
/// Only the lower triangle of `a` is read (as `torch.linalg.cholesky`). `potrf` with `uplo = U`
/// runs on the row-major buffer, i.e. on the column-major Aᵀ = A, whose upper triangle is our
/// lower one; it computes `A = Uᵀ U`, and U (column-major upper) read row-major is `Uᵀ = L`
/// in place, so the factor needs no transposing copy. Backward stable: `L Lᵀ = A + δA` with
/// `|δA| ≤ (n + 1) ε |L| |Lᵀ|` (Higham, Thm. 10.3).
///
/// **Gradient** (Murray 2016, arXiv:1602.07527): `Ā = ½ (S + Sᵀ)` with
/// `S = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹`, where `Φ` keeps the lower triangle and halves the diagonal. Both
/// inverses are applied by triangular solves with `L` (no inverse is formed). The gradient is
/// the symmetric one, i.e. with respect to symmetric perturbations of `A` (as PyTorch).
///
/// ```swift
/// let l = try cholesky(Tensor<Double>(shape: [2, 2], scalars: [4, 2, 2, 5]))   // [[2, 0], [1, 2]]
/// ```
///
/// - Throws: ``LinAlgError`` naming the order of the first leading minor that is not positive
///   definite, or when a matrix holds NaN or infinity.
/// - Precondition: the last two axes are equal.
@inlinable
public func cholesky<Scalar>(_ a: Tensor<Scalar>) throws -> Tensor<Scalar> {
    let layout = MatrixBatch(a.shape, operation: "cholesky")
    layout.requireSquare("cholesky")
    try requireFinite(a, layout, operation: "cholesky", lower: -layout.rows, upper: 0)
    let n = layout.rows
    var l = try Tensor<Scalar>(shape: a.shape) { out in
        let p = out.baseAddress!
        p.update(from: a.storage.base, count: a.scalarCount)
        guard n > 0 else { return }
        for b in 0..<layout.count {
            let info = Scalar.potrf(uplo: UInt8(ascii: "U"), n: Int32(n), a: p + b * n * n, lda: Int32(n))
            if info > 0 {
                throw LinAlgError(operation: "cholesky", shape: a.shape,
                                  cause: .notPositiveDefinite(minor: Int(info)), batchIndex: layout.index(of: b))
            }
            if info < 0 {
                throw LinAlgError(operation: "cholesky", shape: a.shape,
                                  cause: .lapack(routine: "potrf", info: Int(info)), batchIndex: layout.index(of: b))
            }
        }
        // The strictly upper part still holds A's entries.
        zeroOutsideBand(p, count: layout.count, rows: n, columns: n, lower: -n, upper: 0)
    }
    if let tapeID = Tensor.recordingTapeID(a) {
        let factor = l.detached()
        l.record(tapeID, "cholesky", a) { g in
            // Φ(Lᵀ L̄): the product, then the lower triangle with a halved diagonal.
            var s = matmul(factor, transposed: true, g, transposed: false)
            s.withUnsafeMutableBufferPointer { q in
                let p = q.baseAddress!
                zeroOutsideBand(p, count: layout.count, rows: n, columns: n, lower: -n, upper: 0)
                for b in 0..<layout.count {
                    for i in 0..<n { p[b * n * n + i * (n + 1)] *= 0.5 }
                    // S ← Φ L⁻¹ (solve S L = Φ), then S ← L⁻ᵀ S (solve Lᵀ S' = S).
                    let f = UnsafePointer(factor.storage.base + b * n * n)
                    Scalar.trsm(left: false, upper: false, transA: false, unitDiagonal: false, m: n, n: n,
                                alpha: 1, a: f, lda: n, b: p + b * n * n, ldb: n)
                    Scalar.trsm(left: true, upper: false, transA: true, unitDiagonal: false, m: n, n: n,
                                alpha: 1, a: f, lda: n, b: p + b * n * n, ldb: n)
                }
            }
            return symmetrized(s)
        }
    }
    return l
}

/// `½ (X + Xᵀ)` for each matrix of a batch of square matrices.
@inlinable
func symmetrized<Scalar: TensorScalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    let n = x.shape[x.rank - 1]
    let count = n == 0 ? 0 : x.scalarCount / (n * n)
    return Tensor(shape: x.shape) { out in
        let p = x.storage.base, q = out.baseAddress!
        for b in 0..<count {
            let src = p + b * n * n, dst = q + b * n * n
            for i in 0..<n {
                dst[i * (n + 1)] = src[i * (n + 1)]
                for j in (i + 1)..<Swift.max(n, i + 1) {
                    let v = (src[i * n + j] + src[j * n + i]) / 2
                    dst[i * n + j] = v
                    dst[j * n + i] = v
                }
            }
        }
    }
}
