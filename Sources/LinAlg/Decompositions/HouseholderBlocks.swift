// The blocked (compact WY) kernel behind `householderProduct` and its pullback.
//
// Notation, for one m × n matrix of reflectors A and k ≤ n ≤ m scalars τ:
//   vᵢ  = (0, …, 0, 1, A[i+1, i], …, A[m−1, i])ᵀ,   Hᵢ = I − τᵢ vᵢ vᵢᵀ,
//   Q   = H₀ H₁ ⋯ H_{k−1} E,   E = the first n columns of the m × m identity.
// The reflectors are grouped in blocks of `nb` consecutive ones, block b covering indices
// j = b·nb ..< e = j + w. A block's product is G_b = I − V T Vᵀ (Schreiber–Van Loan), V the
// (m − j) × w matrix of its vectors from row j on (unit lower trapezoidal), T upper triangular
// with T_tt = τ_t and T[0..<t, t] = −τ_t T[0..<t, 0..<t] (Vᵀ v_t)[0..<t]. Applying G_b is two
// GEMMs, so everything below runs at level-3 BLAS speed.
//
// Forward (as LAPACK's orgqr): Q starts as E; for b from last to first, G_b is applied to the
// trailing block Q[j:, j:], which at that moment is diag(I_w, W_b) with
// W_b = (G_{b+1} ⋯ G_{K−1} E)[e:, e:]. When the gradient is needed the W_b are saved.
//
// Backward. With Q̄ the cotangent, for one reflector Hᵢ inside Q = P Hᵢ S:
//   H̄ᵢ = Pᵀ Q̄ Sᵀ,   τ̄ᵢ = −vᵢᵀ H̄ᵢ vᵢ,   v̄ᵢ = −τᵢ (H̄ᵢ + H̄ᵢᵀ) vᵢ   (restricted to rows > i).
// PyTorch's householder_product_backward updates an m × m (or m × n) matrix reflector by
// reflector: O(k m²) work in matrix–vector operations. Here the reflectors of a block are
// handled together. With Â_b = (G₀ ⋯ G_{b−1})ᵀ Q̄ and S_b = G_{b+1} ⋯ G_{K−1} E, the block's
// Ḡ = Â_b S_bᵀ (never formed) acts on the block only through
//   X = Ḡ V = Â_b (S_bᵀ V),   Y = Ḡᵀ V = S_b (Â_bᵀ V)          (four GEMMs),
// because, inside the block, Hᵢ's prefix p and suffix s are products of the block's own
// reflectors: sᵀ vᵢ = V α, H̄ᵢ vᵢ = pᵀ Ḡ V α = X α + V β, and p vᵢ = V γ,
// H̄ᵢᵀ vᵢ = s Ḡᵀ V γ = Y γ + V δ, where the w-vectors α, β, γ, δ follow from w × w recurrences
// with C = VᵀV, VᵀX, VᵀY (O(w³) per block). Then, for the whole block at once,
//   V̄ = −(X A + Y Γ + V (B + Δ)) diag(τ),   τ̄_t = −(VᵀX α_t + C β_t)_t,
// (three small GEMMs) and Â_{b+1} = G_bᵀ Â_b updates only the trailing part that later blocks
// read. S_b enters only through the saved W_b (S_b[j:, j:] = diag(I_w, W_b)), and only rows
// and columns ≥ j of everything matter, so each block costs about 10 (m − j)(n − j) w flops:
// about 2.5 times the forward (3.3 n³ against 1.3 n³ for square matrices), all in GEMMs.
// No inverse of any Hᵢ is used, so any τ (not only those of a QR factorisation) is handled.

/// The block structure of one `m × n` matrix of `k` reflectors.
@usableFromInline
struct HouseholderBlocks {
    @usableFromInline let m: Int
    @usableFromInline let n: Int
    @usableFromInline let k: Int
    @usableFromInline let nb: Int

    @inlinable
    init(m: Int, n: Int, k: Int) {
        self.m = m
        self.n = n
        self.k = k
        // Wide enough for GEMM efficiency, narrow enough that the O(m w²) parts stay small.
        self.nb = n >= 512 ? 64 : 32
    }

    @inlinable var count: Int { (k + nb - 1) / nb }
    @inlinable func start(_ b: Int) -> Int { b * nb }
    @inlinable func width(_ b: Int) -> Int { Swift.min(nb, k - b * nb) }

    /// Scalars of the saved state W_b, `(m − e) × (n − e)`.
    @inlinable func stateSize(_ b: Int) -> Int {
        let e = start(b) + width(b)
        return (m - e) * (n - e)
    }

    /// Scalars of all saved states of one matrix.
    @inlinable var totalStateSize: Int {
        var total = 0
        for b in 0..<count { total += stateSize(b) }
        return total
    }
}

@usableFromInline
enum HouseholderKernel {
    /// Writes block `b`'s vectors, rows `j..<m`, as a row-major `(m − j) × w` matrix.
    @inlinable
    static func loadBlock<Scalar: TensorScalar>(_ a: UnsafePointer<Scalar>, _ s: HouseholderBlocks, _ b: Int,
                                                into v: UnsafeMutablePointer<Scalar>) {
        let j = s.start(b), w = s.width(b), n = s.n
        for i in 0..<(s.m - j) {
            let row = v + i * w, source = a + (j + i) * n + j
            for t in 0..<w {
                row[t] = i > t ? source[t] : (i == t ? 1 : 0)
            }
        }
    }

    /// The triangular factor T of block `b` (row-major `w × w`), from `c = VᵀV`.
    @inlinable
    static func triangularFactor<Scalar: TensorScalar>(
        _ c: UnsafePointer<Scalar>, tau: UnsafePointer<Scalar>, w: Int, into t: UnsafeMutablePointer<Scalar>
    ) {
        t.initialize(repeating: 0, count: w * w)
        for col in 0..<w {
            t[col * w + col] = tau[col]
            for i in 0..<col {
                var acc: Scalar = 0
                for l in i..<col { acc += t[i * w + l] * c[l * w + col] }
                t[i * w + col] = -tau[col] * acc
            }
        }
    }

    /// Scratch sizes shared by forward and backward for one matrix.
    @inlinable
    static func scratchSize(_ s: HouseholderBlocks) -> Int {
        let w = s.nb, rows = s.m, columns = s.n
        // V, T, C, and one w × n panel (forward); backward adds more (see `backward`).
        return rows * w + 3 * w * w + w * columns
    }

    /// Q for one matrix, into the row-major `m × n` buffer `q`; saves the states when `states`
    /// is given (`totalStateSize` scalars).
    @inlinable
    static func forward<Scalar: TensorScalar>(
        _ a: UnsafePointer<Scalar>, tau: UnsafePointer<Scalar>, _ s: HouseholderBlocks,
        q: UnsafeMutablePointer<Scalar>, states: UnsafeMutablePointer<Scalar>?,
        scratch: UnsafeMutablePointer<Scalar>
    ) {
        let m = s.m, n = s.n
        q.initialize(repeating: 0, count: m * n)
        for i in 0..<n { q[i * n + i] = 1 }
        let v = scratch, t = v + m * s.nb, c = t + s.nb * s.nb, panel = c + s.nb * s.nb + s.nb * s.nb
        var stateOffset = s.totalStateSize
        for b in stride(from: s.count - 1, through: 0, by: -1) {
            let j = s.start(b), w = s.width(b), e = j + w
            if let states {
                stateOffset -= s.stateSize(b)
                var o = stateOffset
                for i in e..<m {
                    (states + o).update(from: q + i * n + e, count: n - e)
                    o += n - e
                }
            }
            loadBlock(a, s, b, into: v)
            let rows = m - j, columns = n - j
            Scalar.gemm(transA: true, transB: false, m: w, n: w, k: rows, alpha: 1, a: v, lda: w,
                        b: v, ldb: w, beta: 0, c: c, ldc: w)
            triangularFactor(c, tau: tau + j, w: w, into: t)
            // Q[j:, j:] ← Q[j:, j:] − V (T (Vᵀ Q[j:, j:])).
            let block = q + j * n + j
            Scalar.gemm(transA: true, transB: false, m: w, n: columns, k: rows, alpha: 1, a: v, lda: w,
                        b: block, ldb: n, beta: 0, c: panel, ldc: columns)
            triangularMultiply(t, w: w, panel, columns: columns)
            Scalar.gemm(transA: false, transB: false, m: rows, n: columns, k: w, alpha: -1, a: v, lda: w,
                        b: panel, ldb: columns, beta: 1, c: block, ldc: n)
        }
    }

    /// `panel ← T · panel` for upper triangular `w × w` T and a `w × columns` panel, in place
    /// (row i only needs rows ≥ i, so top to bottom is safe).
    @inlinable
    static func triangularMultiply<Scalar: TensorScalar>(
        _ t: UnsafePointer<Scalar>, w: Int, _ panel: UnsafeMutablePointer<Scalar>, columns: Int
    ) {
        for i in 0..<w {
            let row = panel + i * columns
            let d = t[i * w + i]
            for col in 0..<columns { row[col] *= d }
            for l in (i + 1)..<Swift.max(w, i + 1) {
                let f = t[i * w + l]
                if f == 0 { continue }
                let other = panel + l * columns
                for col in 0..<columns { row[col] += f * other[col] }
            }
        }
    }

    /// Scratch needed by `backward` for one matrix.
    @inlinable
    static func backwardScratchSize(_ s: HouseholderBlocks) -> Int {
        let w = s.nb, m = s.m, n = s.n
        // V, X, Y, V̄ (m × w each); BV, AV (n × w); T, C, VX, VY, A, B, Γ, Δ (w × w);
        // Z (w × n); a w-vector.
        return 4 * m * w + 2 * n * w + 8 * w * w + w * n + w
    }

    /// The pullback for one matrix: `vBar` (m × n, zeroed here) and `tauBar` (k) from `qBar`,
    /// given the states saved by `forward`. `work` holds Â (m × n).
    @inlinable
    static func backward<Scalar: TensorScalar>(
        _ a: UnsafePointer<Scalar>, tau: UnsafePointer<Scalar>, _ s: HouseholderBlocks,
        states: UnsafePointer<Scalar>, qBar: UnsafePointer<Scalar>,
        vBar: UnsafeMutablePointer<Scalar>, tauBar: UnsafeMutablePointer<Scalar>,
        work: UnsafeMutablePointer<Scalar>, scratch: UnsafeMutablePointer<Scalar>
    ) {
        let m = s.m, n = s.n, nb = s.nb
        let aHat = work
        aHat.update(from: qBar, count: m * n)
        vBar.initialize(repeating: 0, count: m * n)
        let v = scratch, x = v + m * nb, y = x + m * nb, vb = y + m * nb
        let bv = vb + m * nb, av = bv + n * nb
        let t = av + n * nb, c = t + nb * nb, vx = c + nb * nb, vy = vx + nb * nb
        let al = vy + nb * nb, be = al + nb * nb, ga = be + nb * nb, de = ga + nb * nb
        let z = de + nb * nb, vec = z + nb * n
        var stateOffset = 0
        for b in 0..<s.count {
            let j = s.start(b), w = s.width(b), e = j + w
            let rows = m - j, columns = n - j, tailRows = m - e, tailColumns = n - e
            let state = states + stateOffset
            stateOffset += s.stateSize(b)
            let tauBlock = tau + j
            loadBlock(a, s, b, into: v)
            let vTail = v + w * w   // rows e..<m of the block's vectors
            let aBlock = aHat + j * n + j

            // BV = M_bᵀ V with M_b = diag(I_w, W_b): [V_top; W_bᵀ V_tail].
            bv.update(from: v, count: w * w)
            if tailRows > 0 && tailColumns > 0 {
                Scalar.gemm(transA: true, transB: false, m: tailColumns, n: w, k: tailRows, alpha: 1,
                            a: state, lda: tailColumns, b: vTail, ldb: w, beta: 0, c: bv + w * w, ldc: w)
            } else if tailColumns > 0 {
                (bv + w * w).initialize(repeating: 0, count: tailColumns * w)
            }
            // AV = Â[j:, j:]ᵀ V;  X = Â[j:, j:] BV.
            Scalar.gemm(transA: true, transB: false, m: columns, n: w, k: rows, alpha: 1,
                        a: aBlock, lda: n, b: v, ldb: w, beta: 0, c: av, ldc: w)
            Scalar.gemm(transA: false, transB: false, m: rows, n: w, k: columns, alpha: 1,
                        a: aBlock, lda: n, b: bv, ldb: w, beta: 0, c: x, ldc: w)
            // Y = M_b AV = [AV_top; W_b AV_tail].
            y.update(from: av, count: w * w)
            if tailRows > 0 {
                if tailColumns > 0 {
                    Scalar.gemm(transA: false, transB: false, m: tailRows, n: w, k: tailColumns, alpha: 1,
                                a: state, lda: tailColumns, b: av + w * w, ldb: w, beta: 0, c: y + w * w, ldc: w)
                } else {
                    (y + w * w).initialize(repeating: 0, count: tailRows * w)
                }
            }
            // C = VᵀV, VX = VᵀX, VY = VᵀY.
            Scalar.gemm(transA: true, transB: false, m: w, n: w, k: rows, alpha: 1, a: v, lda: w,
                        b: v, ldb: w, beta: 0, c: c, ldc: w)
            Scalar.gemm(transA: true, transB: false, m: w, n: w, k: rows, alpha: 1, a: v, lda: w,
                        b: x, ldb: w, beta: 0, c: vx, ldc: w)
            Scalar.gemm(transA: true, transB: false, m: w, n: w, k: rows, alpha: 1, a: v, lda: w,
                        b: y, ldb: w, beta: 0, c: vy, ldc: w)
            triangularFactor(c, tau: tauBlock, w: w, into: t)

            // The w-vector recurrences; column `i` of A, B, Γ, Δ (row-major w × w) is α, β, γ, δ
            // for reflector i of the block.
            for i in 0..<w {
                // α: sᵀ vᵢ = h_{w−1} ⋯ h_{i+1} vᵢ = V α.
                for r in 0..<w { vec[r] = r == i ? 1 : 0 }
                for r in (i + 1)..<Swift.max(w, i + 1) {
                    var dot: Scalar = 0
                    for l in i..<r { dot += c[r * w + l] * vec[l] }
                    vec[r] -= tauBlock[r] * dot
                }
                for r in 0..<w { al[r * w + i] = vec[r] }
                // β: pᵀ (X α) = h_{i−1} ⋯ h₀ (X α) = X α + V β.
                for r in 0..<w { be[r * w + i] = 0 }
                for r in 0..<i {
                    var dot: Scalar = 0
                    for l in i..<w { dot += vx[r * w + l] * al[l * w + i] }
                    for l in 0..<r { dot += c[r * w + l] * be[l * w + i] }
                    be[r * w + i] = -tauBlock[r] * dot
                }
                var tauDot: Scalar = 0
                for l in i..<w { tauDot += vx[i * w + l] * al[l * w + i] }
                for l in 0..<i { tauDot += c[i * w + l] * be[l * w + i] }
                tauBar[j + i] = -tauDot
                // γ: p vᵢ = h₀ ⋯ h_{i−1} vᵢ = V γ (h_{i−1} first).
                for r in 0..<w { ga[r * w + i] = r == i ? 1 : 0 }
                for r in stride(from: i - 1, through: 0, by: -1) {
                    var dot: Scalar = 0
                    for l in r...i { dot += c[r * w + l] * ga[l * w + i] }
                    ga[r * w + i] -= tauBlock[r] * dot
                }
                // δ: s (Y γ) = h_{i+1} ⋯ h_{w−1} (Y γ) = Y γ + V δ (h_{w−1} first).
                for r in 0..<w { de[r * w + i] = 0 }
                for r in stride(from: w - 1, through: i + 1, by: -1) {
                    var dot: Scalar = 0
                    for l in 0...i { dot += vy[r * w + l] * ga[l * w + i] }
                    for l in (r + 1)..<Swift.max(w, r + 1) { dot += c[r * w + l] * de[l * w + i] }
                    de[r * w + i] = -tauBlock[r] * dot
                }
            }
            // V̄_block = −(X A + Y Γ + V (B + Δ)) diag(τ).
            for r in 0..<(w * w) { be[r] += de[r] }
            Scalar.gemm(transA: false, transB: false, m: rows, n: w, k: w, alpha: 1, a: x, lda: w,
                        b: al, ldb: w, beta: 0, c: vb, ldc: w)
            Scalar.gemm(transA: false, transB: false, m: rows, n: w, k: w, alpha: 1, a: y, lda: w,
                        b: ga, ldb: w, beta: 1, c: vb, ldc: w)
            Scalar.gemm(transA: false, transB: false, m: rows, n: w, k: w, alpha: 1, a: v, lda: w,
                        b: be, ldb: w, beta: 1, c: vb, ldc: w)
            for i in 0..<rows {
                let target = vBar + (j + i) * n + j, source = vb + i * w
                for col in 0..<Swift.min(i, w) { target[col] = -tauBlock[col] * source[col] }
            }
            // Â[e:, e:] ← Â[e:, e:] − V_tail (Tᵀ AV_tailᵀ): G_bᵀ on the part later blocks read.
            if tailRows > 0 && tailColumns > 0 {
                Scalar.gemm(transA: true, transB: true, m: w, n: tailColumns, k: w, alpha: 1, a: t, lda: w,
                            b: av + w * w, ldb: w, beta: 0, c: z, ldc: tailColumns)
                Scalar.gemm(transA: false, transB: false, m: tailRows, n: tailColumns, k: w, alpha: -1,
                            a: vTail, lda: w, b: z, ldb: tailColumns, beta: 1, c: aHat + e * n + e, ldc: n)
            }
        }
    }
}
