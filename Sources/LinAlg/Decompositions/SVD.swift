/// The reduced singular value decomposition of each matrix, batched: `A = U diag(s) Vᵀ` with
/// `A` of shape `(..., m, n)`, `k = min(m, n)`, `u` `(..., m, k)` with orthonormal columns,
/// `s` `(..., k)` non-negative and descending, `vt` `(..., k, n)` with orthonormal rows.
///
/// LAPACK's divide-and-conquer driver `gesdd` runs on the row-major buffer, i.e. on the
/// column-major Aᵀ = V Σ Uᵀ: the left singular vectors it returns (column-major n × k) are, read
/// row-major, our `vt`, and its right singular vectors' transpose (column-major k × m) is, read
/// row-major, our `u`, so neither needs a transposing copy (only `a` is copied, since LAPACK
/// overwrites it). Singular values have absolute error about `ε ‖A‖₂`; a singular vector's
/// angular error is about `ε ‖A‖₂ / gap`. The signs of the pairs `(uᵢ, vᵢ)` are arbitrary.
///
/// **Gradient** (with `E_ij = s_j² − s_i²`, `skew(X) = X − Xᵀ`, `V̄ = vt̄ᵀ`):
///
///     Ā = U [ (skew(UᵀŪ)/E) S + S (skew(VᵀV̄)/E) + diag(s̄) ] Vᵀ
///         + (I − UUᵀ) Ū S⁻¹ Vᵀ + U S⁻¹ V̄ᵀ (I − VVᵀ)
///
/// (the last two terms vanish for square matrices). It needs distinct, non-zero singular
/// values whenever `u` or `vt` is used; then it is exact. A loss of `s` alone has the gradient
/// `U diag(s̄) Vᵀ`, finite for repeated singular values too. A loss of the vectors should not
/// depend on the pairs' signs (e.g. use `U diag(c) Vᵀ` or `U diag(c) Uᵀ`).
///
/// ```swift
/// let (u, s, vt) = try svd(Tensor<Double>(shape: [2, 2], scalars: [3, 0, 0, -2]))   // s = [3, 2]
/// ```
///
/// - Throws: ``LinAlgError`` when the algorithm does not converge or a matrix holds NaN or
///   infinity.
@inlinable
public func svd<Scalar>(_ a: Tensor<Scalar>) throws -> (u: Tensor<Scalar>, s: Tensor<Scalar>, vt: Tensor<Scalar>) {
    var (u, s, vt) = try SVDKernel.decompose(a, vectors: true, operation: "svd")
    if let tapeID = Tensor.recordingTapeID(a) {
        let u0 = u.detached(), s0 = s.detached(), vt0 = vt.detached()
        var outputs = [u, s, vt]
        Tensor.record(tapeID, "svd", inputs: [a], outputs: &outputs) { g in
            [SVDKernel.pullback(u: u0, s: s0, vt: vt0, uBar: g[0], sBar: g[1], vtBar: g[2])]
        }
        (u, s, vt) = (outputs[0], outputs[1], outputs[2])
    }
    return (u, s, vt)
}

/// The singular values of each matrix, descending, batched: `(..., m, n)` gives
/// `(..., min(m, n))`.
///
/// `gesdd` without vectors (on the column-major Aᵀ, which has the same singular values), about
/// a third of the cost of ``svd(_:)`` for square matrices. While a tape records it computes the
/// vectors too, for the gradient `Ā = U diag(s̄) Vᵀ`, which is exact even where singular values
/// repeat (the singular values are differentiable there only if they stay distinct; at a
/// repeated value this is one of the one-sided derivatives).
///
/// - Throws: ``LinAlgError`` when the algorithm does not converge or a matrix holds NaN or
///   infinity.
@inlinable
public func singularValues<Scalar>(_ a: Tensor<Scalar>) throws -> Tensor<Scalar> {
    guard let tapeID = Tensor.recordingTapeID(a) else {
        return try SVDKernel.decompose(a, vectors: false, operation: "singularValues").s
    }
    let (u, s0, vt) = try SVDKernel.decompose(a, vectors: true, operation: "singularValues")
    var s = s0
    s.record(tapeID, "singularValues", a) { g in
        matmul(u * g.reshaped(to: g.shape.dropLast() + [1, g.shape[g.rank - 1]]), vt)
    }
    return s
}

@usableFromInline
enum SVDKernel {
    /// `gesdd` on each matrix; `u` and `vt` are empty tensors when `vectors` is false.
    @inlinable
    static func decompose<Scalar: TensorScalar>(_ a: Tensor<Scalar>, vectors: Bool, operation: String) throws
        -> (u: Tensor<Scalar>, s: Tensor<Scalar>, vt: Tensor<Scalar>) {
        let layout = MatrixBatch(a.shape, operation: operation)
        try requireFinite(a, layout, operation: operation)
        let m = layout.rows, n = layout.columns, k = Swift.min(m, n)
        var work = a.scalars
        let s = Tensor<Scalar>(shape: layout.batch + [k], repeating: 0)
        let u = Tensor<Scalar>(shape: vectors ? layout.batch + [m, k] : [0], repeating: 0)
        let vt = Tensor<Scalar>(shape: vectors ? layout.batch + [k, n] : [0], repeating: 0)
        guard k > 0 else { return (u, s, vt) }
        // The fresh tensors' storages are ours to write.
        let ps = s.storage.base, pu = u.storage.base, pvt = vt.storage.base
        try work.withUnsafeMutableBufferPointer { w in
            for b in 0..<layout.count {
                // Column-major Aᵀ (n × m): its U (n × k, ld n) is our vt; its Vᵀ (k × m, ld k) our u.
                let info = Scalar.gesdd(
                    jobz: UInt8(ascii: vectors ? "S" : "N"), m: Int32(n), n: Int32(m),
                    a: w.baseAddress! + b * m * n, lda: Int32(n), s: ps + b * k,
                    u: vectors ? pvt + b * k * n : nil, ldu: Int32(n),
                    vt: vectors ? pu + b * m * k : nil, ldvt: Int32(k))
                if info != 0 {
                    throw LinAlgError(operation: operation, shape: a.shape,
                                      cause: info > 0
                                        ? .noConvergence(detail: "gesdd: the bidiagonal SVD did not converge (info = \(info))")
                                        : .lapack(routine: "gesdd", info: Int(info)),
                                      batchIndex: layout.index(of: b))
                }
            }
        }
        return (u, s, vt)
    }

    /// The SVD pullback (see ``svd(_:)``), batched, as
    /// `Ā = U (M Vᵀ + [n > k] S⁻¹ V̄ᵀ) + [m > k] (Ū S⁻¹) Vᵀ` with the k × k matrix
    /// `M = skew(UᵀŪ)/E · S + S · skew(VᵀV̄)/E + diag(s̄) − [n > k] S⁻¹ V̄ᵀV − [m > k] UᵀŪ S⁻¹`,
    /// which folds the two projections `(I − UUᵀ)`, `(I − VVᵀ)` into the k × k factor.
    @inlinable
    static func pullback<Scalar: TensorScalar>(
        u: Tensor<Scalar>, s: Tensor<Scalar>, vt: Tensor<Scalar>,
        uBar: Tensor<Scalar>, sBar: Tensor<Scalar>, vtBar: Tensor<Scalar>
    ) -> Tensor<Scalar> {
        let m = u.shape[u.rank - 2], k = s.shape[s.rank - 1], n = vt.shape[vt.rank - 1]
        let count = k == 0 ? 0 : s.scalarCount / k
        let useU = !isAllZero(uBar), useV = !isAllZero(vtBar)
        let tall = useU && m > k, wide = useV && n > k
        let uu = useU ? matmul(u, transposed: true, uBar, transposed: false) : nil   // UᵀŪ
        let vv = useV ? matmul(vt, transposed: false, vtBar, transposed: true) : nil // VᵀV̄ = Vᵀ·vt̄ᵀ
        let inner = Tensor<Scalar>(shape: Array(s.shape.dropLast()) + [k, k]) { out in
            let ps = s.storage.base, psBar = sBar.storage.base, q = out.baseAddress!
            let pu = uu?.storage.base, pv = vv?.storage.base
            for b in 0..<count {
                let sv = ps + b * k, o = q + b * k * k
                for i in 0..<k {
                    for j in 0..<k {
                        var value: Scalar = 0
                        if i == j {
                            value = psBar[b * k + i]
                        } else {
                            let e = sv[j] * sv[j] - sv[i] * sv[i]
                            if let pu {
                                let x = pu + b * k * k
                                value += (x[i * k + j] - x[j * k + i]) / e * sv[j]
                            }
                            if let pv {
                                let x = pv + b * k * k
                                value += sv[i] * (x[i * k + j] - x[j * k + i]) / e
                            }
                        }
                        if wide, let pv { value -= pv[b * k * k + j * k + i] / sv[i] }
                        if tall, let pu { value -= pu[b * k * k + i * k + j] / sv[j] }
                        o[i * k + j] = value
                    }
                }
            }
        }
        var right = matmul(inner, vt)
        if wide {
            let reciprocal = (1 / s).reshaped(to: s.shape + [1])   // scales rows
            right = right + vtBar * reciprocal
        }
        var result = matmul(u, right)
        if tall {
            let reciprocal = (1 / s).reshaped(to: Array(s.shape.dropLast()) + [1, k])   // scales columns
            result = result + matmul(uBar * reciprocal, vt)
        }
        return result
    }
}
