/// The Cayley transform `B (I − sA)⁻¹ (I + sA)` of each square matrix `A`, batched, with an
/// optional left factor `B` (the identity when `nil`).
///
/// For a skew-symmetric `A` the transform is orthogonal (the eigenvalues `iθ` of `A` go to
/// `(1 + isθ)/(1 − isθ)` on the unit circle) and `I − sA` is never singular
/// (`‖(I − sA)⁻¹‖₂ ≤ 1`), so the result is as well conditioned as `B`.
///
/// **Algorithm.** With `M = I − sA`, `M⁻¹(I + sA) = M⁻¹(2I − M) = 2M⁻¹ − I`, so
///
///     Q = B (I − sA)⁻¹ (I + sA) = 2 X − B,   X = B M⁻¹.
///
/// `M` is built in one pass and factorised in place (one LU with partial pivoting), and
/// `Xᵀ = M⁻ᵀ Bᵀ` is one solve with the transposed factors (two triangular solves of the
/// `n × n` right-hand side `Bᵀ`), so the product with `B` costs nothing beyond the solve:
/// about `(2/3 + 2) n³` multiply-adds instead of `(2/3 + 2 + 2) n³` for
/// `matmul(B, solve(I − sA, I + sA))`. Solving for `Xᵀ` from the left rather than for `X`
/// from the right keeps OpenBLAS on its faster triangular kernels (measured on AVX-512); the
/// transposes are folded into the copies that are made anyway. The result differs from the
/// product form by rounding only (`‖δQ‖ ≲ ρ n ε ‖B‖`, ρ the growth factor of pivoting).
///
/// **Gradient.** With `Q̄` the cotangent, `dQ = −2 B M⁻¹ dM M⁻¹ = 2s X dA M⁻¹`, hence, with
/// `Y = Q̄ M⁻ᵀ` (`Yᵀ = M⁻¹ Q̄ᵀ`: two triangular solves with the forward's factors),
///
///     Ā = 2s Xᵀ Y = 2s (B M⁻¹)ᵀ Q̄ M⁻ᵀ,     B̄ = 2Y − Q̄ (from Q = B (2M⁻¹ − I)).
///
/// For `B = I`, `s = 1/2` this is `Ā = M⁻ᵀ Q̄ M⁻ᵀ`. One matrix product and no second
/// factorisation; the stored `Xᵀ` is the only intermediate kept.
///
/// ```swift
/// let a = Tensor<Double>(shape: [2, 2], scalars: [0, 1, -1, 0])
/// let q = try cayley(a)                       // (I − A)⁻¹ (I + A) = [[0, 1], [−1, 0]]
/// let r = try cayley(a, scale: 0.5, base: q)  // q · (I − A/2)⁻¹ (I + A/2)
/// ```
///
/// - Parameters:
///   - a: square matrices `(..., n, n)`.
///   - scale: the factor `s` of `A`.
///   - base: the left factor `B`, of `a`'s shape; `nil` for the identity.
/// - Throws: ``LinAlgError`` when `I − sA` is singular (an exactly zero pivot; never for a
///   skew-symmetric `A`) or `a` holds NaN or infinity.
/// - Precondition: `a` is a batch of square matrices and `base`, when given, has its shape.
@inlinable
public func cayley<Scalar>(_ a: Tensor<Scalar>, scale: Scalar = 1, base: Tensor<Scalar>? = nil) throws -> Tensor<Scalar> {
    try CayleyKernels.transform(a, scale: scale, base: base, skewOfLowerTriangle: false)
}

/// The Cayley transform ``cayley(_:scale:base:)`` of the skew-symmetric `A = L − Lᵀ`,
/// `L = tril(X)`, without forming `A`: `B (I − sA)⁻¹ (I + sA)`.
///
/// The same value as `cayley(x.tril() − x.tril().transposed(), scale: s, base: b)` (to
/// rounding), with `I − sA` written straight from `X`'s lower triangle and the gradient
/// projected in place, `X̄ = tril(Ā − Āᵀ, −1)`: no intermediate `n × n` tensors for `L`, `Lᵀ`
/// and `A` or their cotangents. The diagonal cancels in `L − Lᵀ`, so its gradient is exactly
/// zero; the strictly upper triangle is never read. The map of `Orthogonal(map: .cayley)` on
/// a square original (`s = 1/2`, PyTorch's convention).
///
/// ```swift
/// let x = Tensor<Double>.randomNormal([4, 4], seed: 1)
/// let q = try cayley(skewOfLowerTriangle: x, scale: 0.5)   // orthogonal
/// ```
///
/// - Throws: ``LinAlgError`` when the lower triangle (diagonal included) holds NaN or infinity.
/// - Precondition: `x` is a batch of square matrices and `base`, when given, has its shape.
@inlinable
public func cayley<Scalar>(skewOfLowerTriangle x: Tensor<Scalar>, scale: Scalar = 1,
                           base: Tensor<Scalar>? = nil) throws -> Tensor<Scalar> {
    try CayleyKernels.transform(x, scale: scale, base: base, skewOfLowerTriangle: true)
}

extension CayleyKernels {
    /// Both forms of the Cayley transform: `A` given (`skew` false) or `A = tril(X) − tril(X)ᵀ`.
    @inlinable
    static func transform<Scalar>(_ a: Tensor<Scalar>, scale: Scalar, base: Tensor<Scalar>?,
                                  skewOfLowerTriangle skew: Bool) throws -> Tensor<Scalar> {
        let layout = MatrixBatch(a.shape, operation: "cayley")
        layout.requireSquare("cayley")
        if let base, base.shape != a.shape {
            preconditionFailure("cayley: base must have the shape of the matrices, got \(base.shape) and \(a.shape)")
        }
        if skew {
            try requireFinite(a, layout, operation: "cayley", upper: 0)
        } else {
            try requireFinite(a, layout, operation: "cayley")
        }
        let lu = try LUFactorization<Scalar>(shape: a.shape, operation: "cayley") { m in
            if skew {
                shiftedIdentity(minusSkewOfLower: a.storage.base, scale: scale, into: m, layout)
            } else {
                shiftedIdentity(minus: a.storage.base, scale: scale, into: m, layout)
            }
        }
        try lu.requireNonSingular(operation: "cayley", shape: a.shape)
        let n = layout.rows, size = n * n
        // Xᵀ = M⁻ᵀ Bᵀ (or M⁻ᵀ), kept for the pullback.
        let xT = Tensor<Scalar>(shape: a.shape) { out in
            let pw = out.baseAddress!
            for t in 0..<layout.count {
                let w = pw + t * size
                if let base {
                    transposeMatrix(base.storage.base + t * size, rows: n, columns: n, into: w)
                } else {
                    CayleyKernels.writeIdentity(w, n)
                }
                lu.solve(t, w, columns: n, transposed: true)
            }
        }
        var q = Tensor<Scalar>(shape: a.shape) { out in
            for t in 0..<layout.count {
                CayleyKernels.twiceTransposedMinus(xT.storage.base + t * size, base.map { UnsafePointer($0.storage.base + t * size) },
                                                   into: out.baseAddress! + t * size, n)
            }
        }
        let tracksBase = base?.isTracked ?? false
        if let tapeID = Tensor.recordingTapeID(base.map { [a, $0] } ?? [a]) {
            let tracksA = a.isTracked
            q.record(tapeID, "cayley", base.map { [a, $0] } ?? [a]) { g in
                // Yᵀ = M⁻¹ Q̄ᵀ with Y = Q̄ M⁻ᵀ; then Ā = 2s Xᵀ Y = 2s · Xᵀ (Yᵀ)ᵀ and B̄ = 2Y − Q̄.
                let yT = Tensor<Scalar>(shape: g.shape) { out in
                    let po = out.baseAddress!
                    for t in 0..<layout.count {
                        transposeMatrix(g.storage.base + t * size, rows: n, columns: n, into: po + t * size)
                        lu.solve(t, po + t * size, columns: n, transposed: false)
                    }
                }
                var grads: [Tensor<Scalar>?] = []
                grads.append(!tracksA ? nil : Tensor<Scalar>(shape: a.shape) { out in
                    let px = xT.storage.base, py = yT.storage.base, po = out.baseAddress!
                    for t in 0..<layout.count where n > 0 {
                        Scalar.gemm(transA: false, transB: true, m: n, n: n, k: n, alpha: 2 * scale,
                                    a: px + t * size, lda: n, b: py + t * size, ldb: n,
                                    beta: 0, c: po + t * size, ldc: n)
                        if skew { projectToLowerOfSkew(po + t * size, n) }
                    }
                })
                if base != nil {
                    grads.append(!tracksBase ? nil : Tensor<Scalar>(shape: g.shape) { out in
                        for t in 0..<layout.count {
                            CayleyKernels.twiceTransposedMinus(yT.storage.base + t * size, UnsafePointer(g.storage.base + t * size),
                                                               into: out.baseAddress! + t * size, n)
                        }
                    })
                }
                return grads
            }
        }
        return q
    }
}

/// The loops of ``cayley(_:scale:base:)`` that are not BLAS calls.
@usableFromInline
enum CayleyKernels {
    /// Writes `I − s (L − Lᵀ)`, `L = tril(X)`, for every matrix of the batch at `x` into `m`.
    @inlinable
    static func shiftedIdentity<Scalar: TensorScalar>(minusSkewOfLower x: UnsafePointer<Scalar>, scale: Scalar,
                                                      into m: UnsafeMutablePointer<Scalar>, _ layout: MatrixBatch) {
        let n = layout.rows
        for t in 0..<layout.count {
            let xs = x + t * n * n, ms = m + t * n * n
            for i in 0..<n {
                ms[i * (n + 1)] = 1
                for j in 0..<i {
                    let v = scale * xs[i * n + j]
                    ms[i * n + j] = -v
                    ms[j * n + i] = v
                }
            }
        }
    }

    /// Overwrites the row-major `n × n` cotangent `Ā` of `A = L − Lᵀ` with that of `X`
    /// (`L = tril(X)`): `tril(Ā − Āᵀ, −1)`, zero on and above the diagonal.
    @inlinable
    static func projectToLowerOfSkew<Scalar: TensorScalar>(_ g: UnsafeMutablePointer<Scalar>, _ n: Int) {
        for i in 0..<n {
            g[i * (n + 1)] = 0
            for j in 0..<i {
                g[i * n + j] -= g[j * n + i]
                g[j * n + i] = 0
            }
        }
    }

    /// Writes `I − s A` for every matrix of the batch at `a` into `m`.
    @inlinable
    static func shiftedIdentity<Scalar: TensorScalar>(minus a: UnsafePointer<Scalar>, scale: Scalar,
                                                      into m: UnsafeMutablePointer<Scalar>, _ layout: MatrixBatch) {
        let n = layout.rows, total = layout.count * n * n
        let negated = -scale
        for i in 0..<total { m[i] = negated * a[i] }
        for t in 0..<layout.count {
            for i in 0..<n { m[t * n * n + i * (n + 1)] += 1 }
        }
    }

    /// Writes the `n × n` identity to `w`.
    @inlinable
    static func writeIdentity<Scalar: TensorScalar>(_ w: UnsafeMutablePointer<Scalar>, _ n: Int) {
        w.initialize(repeating: 0, count: n * n)
        for i in 0..<n { w[i * (n + 1)] = 1 }
    }

    /// `out = 2 wᵀ − b` for row-major `n × n` matrices (`b` the identity when nil), in
    /// cache-sized blocks so that the transposed read stays in cache.
    @inlinable
    static func twiceTransposedMinus<Scalar: TensorScalar>(_ w: UnsafePointer<Scalar>, _ b: UnsafePointer<Scalar>?,
                                                           into out: UnsafeMutablePointer<Scalar>, _ n: Int) {
        let block = 32
        var i0 = 0
        while i0 < n {
            let i1 = Swift.min(i0 + block, n)
            var j0 = 0
            while j0 < n {
                let j1 = Swift.min(j0 + block, n)
                if let b {
                    for i in i0..<i1 {
                        for j in j0..<j1 { out[i * n + j] = 2 * w[j * n + i] - b[i * n + j] }
                    }
                } else {
                    for i in i0..<i1 {
                        for j in j0..<j1 { out[i * n + j] = 2 * w[j * n + i] - (i == j ? 1 : 0) }
                    }
                }
                j0 = j1
            }
            i0 = i1
        }
    }
}
