/// The Cayley transform `B (I − sA)⁻¹ (I + sA)` of each square matrix `A`, batched, with an
/// optional left factor `B` (the identity when `nil`).
///
/// For a skew-symmetric `A` the transform is orthogonal (the eigenvalues `iθ` of `A` go to
/// `(1 + isθ)/(1 − isθ)` on the unit circle) and `I − sA` is never singular
/// (`‖(I − sA)⁻¹‖₂ ≤ 1`), so the result is as well conditioned as `B`.
///
/// **Algorithm.** With `M = I − sA`, `M⁻¹(I + sA) = M⁻¹(2I − M) = 2M⁻¹ − I`, so
///
///     Q = B (I − sA)⁻¹ (I + sA) = 2 X − B,   X = B W,   W = M⁻¹.
///
/// `M` is built in one pass and inverted in place (`2n³` flops): for an exactly
/// skew-symmetric `A` of order above 32 with `‖sA‖_F ≤ 64`, by recursive 2 × 2 blocks in
/// matrix products, which need no pivoting because `M`'s symmetric part is `I` (about twice
/// as fast as LU at n = 256); otherwise by LU with partial pivoting, then `getri`. And `X = B W` is one matrix product (`2n³`), about `4n³` flops in all, the
/// same as one LU solve with the `n` right-hand sides `Bᵀ`. The explicit inverse is what makes
/// the pullback cheap: it is then two matrix products instead of two triangular solves and a
/// product, and OpenBLAS's `gemm` runs about three times as fast as its `trsm` on 2 threads
/// at n = 256. `M` is well conditioned for a skew-symmetric `A` (`‖M⁻¹‖₂ ≤ 1`,
/// `κ₂(M) = (1 + s²‖A‖₂²)^½`), so the inverse costs no accuracy there; for a general `A` the
/// result differs from the solve form by about `κ(M) ε ‖B‖`, as the solve's does.
///
/// **Gradient.** With `Q̄` the cotangent, `dQ = −2 B M⁻¹ dM M⁻¹ = 2s X dA W`, hence, with
/// `Y = Q̄ Wᵀ`,
///
///     Ā = 2s Xᵀ Y = 2s (B W)ᵀ Q̄ Wᵀ,     B̄ = 2Y − Q̄ (from Q = B (2W − I)).
///
/// For `B = I`, `s = 1/2` this is `Ā = Wᵀ Q̄ Wᵀ`. Two matrix products and no factorisation;
/// `W` and `X` (one matrix when `B = I`) are the only intermediates kept.
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
        let n = layout.rows, size = n * n
        // W = (I − sA)⁻¹, kept for the pullback.
        let w = try Tensor<Scalar>(shape: a.shape) { m in
            let p = m.baseAddress!
            if skew {
                // I − sA with A skew needs no pivoting: ShiftedSkewInverse inverts it in blocks.
                let norms = shiftedIdentity(minusSkewOfLower: a.storage.base, scale: scale, into: p, layout)
                try ShiftedSkewInverse.invertBatchInPlace(p, layout, frobeniusSquared: norms,
                                                          operation: "cayley", shape: a.shape)
            } else {
                shiftedIdentity(minus: a.storage.base, scale: scale, into: p, layout)
                // An exactly skew-symmetric A (Skew's output, the padded tall Orthogonal) takes
                // the blocks too; any other matrix has an infinite "norm" here and takes LU.
                let norms = skewFrobeniusSquared(a.storage.base, scale: scale, layout)
                try ShiftedSkewInverse.invertBatchInPlace(p, layout, frobeniusSquared: norms,
                                                          operation: "cayley", shape: a.shape)
            }
        }
        // X = B W (W itself without a base), kept for the pullback.
        let x = base.map { base in
            Tensor<Scalar>(shape: a.shape) { out in
                for t in 0..<layout.count where n > 0 {
                    Scalar.gemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1,
                                a: base.storage.base + t * size, lda: n, b: w.storage.base + t * size, ldb: n,
                                beta: 0, c: out.baseAddress! + t * size, ldc: n)
                }
            }
        } ?? w
        var q = Tensor<Scalar>(shape: a.shape) { out in
            CayleyKernels.twiceMinus(x.storage.base, base.map { UnsafePointer($0.storage.base) },
                                     into: out.baseAddress!, count: layout.count, n)
        }
        let tracksBase = base?.isTracked ?? false
        if let tapeID = Tensor.recordingTapeID(base.map { [a, $0] } ?? [a]) {
            let tracksA = a.isTracked
            q.record(tapeID, "cayley", base.map { [a, $0] } ?? [a]) { g in
                // Y = Q̄ Wᵀ; then Ā = 2s Xᵀ Y and B̄ = 2Y − Q̄.
                let y = Tensor<Scalar>(shape: g.shape) { out in
                    for t in 0..<layout.count where n > 0 {
                        Scalar.gemm(transA: false, transB: true, m: n, n: n, k: n, alpha: 1,
                                    a: g.storage.base + t * size, lda: n, b: w.storage.base + t * size, ldb: n,
                                    beta: 0, c: out.baseAddress! + t * size, ldc: n)
                    }
                }
                var grads: [Tensor<Scalar>?] = []
                grads.append(!tracksA ? nil : Tensor<Scalar>(shape: a.shape) { out in
                    let px = x.storage.base, py = y.storage.base, po = out.baseAddress!
                    for t in 0..<layout.count where n > 0 {
                        Scalar.gemm(transA: true, transB: false, m: n, n: n, k: n, alpha: 2 * scale,
                                    a: px + t * size, lda: n, b: py + t * size, ldb: n,
                                    beta: 0, c: po + t * size, ldc: n)
                        if skew { projectToLowerOfSkew(po + t * size, n) }
                    }
                })
                if base != nil {
                    grads.append(!tracksBase ? nil : Tensor<Scalar>(shape: g.shape) { out in
                        CayleyKernels.twiceMinus(y.storage.base, UnsafePointer(g.storage.base),
                                                 into: out.baseAddress!, count: layout.count, n)
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
    ///
    /// - Returns: `‖s (L − Lᵀ)‖_F²` of each matrix.
    @inlinable
    static func shiftedIdentity<Scalar: TensorScalar>(minusSkewOfLower x: UnsafePointer<Scalar>, scale: Scalar,
                                                      into m: UnsafeMutablePointer<Scalar>,
                                                      _ layout: MatrixBatch) -> [Scalar] {
        let n = layout.rows
        return (0..<layout.count).map { t in
            let xs = x + t * n * n, ms = m + t * n * n
            var squares: Scalar = 0
            for i in 0..<n {
                ms[i * (n + 1)] = 1
                for j in 0..<i {
                    let v = scale * xs[i * n + j]
                    ms[i * n + j] = -v
                    ms[j * n + i] = v
                    squares += v * v
                }
            }
            return 2 * squares
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

    /// `‖sA‖_F²` of each matrix of the batch at `a` that is exactly skew-symmetric
    /// (`aᵢⱼ = −aⱼᵢ`, zero diagonal), and infinity for every other.
    @inlinable
    static func skewFrobeniusSquared<Scalar: TensorScalar>(_ a: UnsafePointer<Scalar>, scale: Scalar,
                                                           _ layout: MatrixBatch) -> [Scalar] {
        let n = layout.rows
        return (0..<layout.count).map { t in
            let m = a + t * n * n
            var squares: Scalar = 0
            for i in 0..<n {
                guard m[i * (n + 1)] == 0 else { return .infinity }
                for j in 0..<i {
                    let v = m[i * n + j]
                    guard m[j * n + i] == -v else { return .infinity }
                    squares += v * v
                }
            }
            return 2 * scale * scale * squares
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

    /// `out = 2 w − b` for a batch of `count` row-major `n × n` matrices (`b` the identity when
    /// nil).
    @inlinable
    static func twiceMinus<Scalar: TensorScalar>(_ w: UnsafePointer<Scalar>, _ b: UnsafePointer<Scalar>?,
                                                 into out: UnsafeMutablePointer<Scalar>, count: Int, _ n: Int) {
        let total = count * n * n
        if let b {
            for i in 0..<total { out[i] = 2 * w[i] - b[i] }
        } else {
            for i in 0..<total { out[i] = 2 * w[i] }
            for t in 0..<count {
                for i in 0..<n { out[t * n * n + i * (n + 1)] -= 1 }
            }
        }
    }
}
