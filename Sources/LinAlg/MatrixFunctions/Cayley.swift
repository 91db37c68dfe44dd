/// The Cayley transform `B (I − sA)⁻¹ (I + sA)` of each square matrix `A`, batched, with an
/// optional left factor `B` (the identity when `nil`).
///
/// For a skew-symmetric `A` the transform is orthogonal (the eigenvalues `iθ` of `A` go to
/// `(1 + isθ)/(1 − isθ)` on the unit circle) and `I − sA` is never singular
/// (`‖(I − sA)⁻¹‖₂ ≤ 1`), so the result is as well conditioned as `B`.
///
/// **Algorithm.** With `M = I − sA`, `M⁻¹(I + sA) = M⁻¹(2I − M) = 2M⁻¹ − I`, so
///
///     Q = B (I − sA)⁻¹ (I + sA) = 2 B M⁻¹ − B.
///
/// `M` is built in one pass and factorised in place (one LU with partial pivoting), and
/// `X = 2 B M⁻¹` is one solve from the right (`X M = 2B`, two triangular solves of the
/// `n × n` right-hand side), so the product with `B` costs nothing beyond the solve: about
/// `(2/3 + 2) n³` multiply-adds instead of `(2/3 + 2 + 2) n³` for
/// `matmul(B, solve(I − sA, I + sA))`. The result differs from that one by rounding only
/// (`‖δQ‖ ≲ ρ n ε ‖B‖`, ρ the growth factor of partial pivoting).
///
/// **Gradient.** With `Q̄` the cotangent and `Y = Q̄ M⁻ᵀ` (two triangular solves with the
/// forward's factors), `dQ = 2s B M⁻¹ dA M⁻¹`, hence
///
///     Ā = s Xᵀ Y = 2s (B M⁻¹)ᵀ Q̄ M⁻ᵀ,     B̄ = 2Y − Q̄ (from Q = B (2M⁻¹ − I)).
///
/// For `B = I`, `s = 1/2` this is `Ā = M⁻ᵀ Q̄ M⁻ᵀ`. No second factorisation is made.
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
    let layout = MatrixBatch(a.shape, operation: "cayley")
    layout.requireSquare("cayley")
    if let base, base.shape != a.shape {
        preconditionFailure("cayley: base must have the shape of a, got \(base.shape) and \(a.shape)")
    }
    try requireFinite(a, layout, operation: "cayley")
    let lu = try LUFactorization<Scalar>(shape: a.shape, operation: "cayley") { m in
        CayleyKernels.shiftedIdentity(minus: a.storage.base, scale: scale, into: m, layout)
    }
    try lu.requireNonSingular(operation: "cayley", shape: a.shape)
    let n = layout.rows, size = n * n
    // X = 2 B M⁻¹: the permuted copy of B (or of I) is the right-hand side of X M = 2B.
    let x = Tensor<Scalar>(shape: a.shape) { out in
        let px = out.baseAddress!
        for t in 0..<layout.count {
            let b = base.map { UnsafePointer($0.storage.base + t * size) }
            lu.solveFromRight(t, permuting: b, into: px + t * size, scale: 2)
        }
    }
    var q = Tensor<Scalar>(shape: a.shape) { out in
        let po = out.baseAddress!, px = x.storage.base
        if let base {
            let pb = base.storage.base
            for i in 0..<a.scalarCount { po[i] = px[i] - pb[i] }
        } else {
            po.update(from: px, count: a.scalarCount)
            for t in 0..<layout.count {
                for i in 0..<n { po[t * size + i * (n + 1)] -= 1 }
            }
        }
    }
    let tracksBase = base?.isTracked ?? false
    if let tapeID = Tensor.recordingTapeID(base.map { [a, $0] } ?? [a]) {
        let tracksA = a.isTracked
        q.record(tapeID, "cayley", base.map { [a, $0] } ?? [a]) { g in
            // Y = Q̄ M⁻ᵀ, then Ā = s Xᵀ Y and B̄ = 2Y − Q̄.
            let y = Tensor<Scalar>(shape: g.shape) { out in
                let po = out.baseAddress!
                for t in 0..<layout.count {
                    lu.solveTransposedFromRight(t, UnsafePointer(g.storage.base + t * size), into: po + t * size)
                }
            }
            var grads: [Tensor<Scalar>?] = []
            grads.append(!tracksA ? nil : Tensor<Scalar>(shape: a.shape) { out in
                let px = x.storage.base, py = y.storage.base, po = out.baseAddress!
                for t in 0..<layout.count where n > 0 {
                    Scalar.gemm(transA: true, transB: false, m: n, n: n, k: n, alpha: scale,
                                a: px + t * size, lda: n, b: py + t * size, ldb: n,
                                beta: 0, c: po + t * size, ldc: n)
                }
            })
            if base != nil {
                grads.append(tracksBase ? y * 2 - g : nil)
            }
            return grads
        }
    }
    return q
}

/// The loops of ``cayley(_:scale:base:)`` that are not BLAS calls.
@usableFromInline
enum CayleyKernels {
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
}
