// Small building blocks of the matrix functions, on n × n row-major buffers: products (GEMM),
// linear combinations of matrices, scaling by powers of two, and solving with an LU
// factorisation without any transposing copy.

@usableFromInline
enum SquareMatrix<Scalar: TensorScalar> {
    /// A new uninitialised n × n buffer (64-byte aligned, freed with its last reference).
    @inlinable
    static func allocate(_ n: Int) -> TensorStorage<Scalar> {
        TensorStorage(uninitializedCount: n * n)
    }

    /// `c ← op(a) · op(b) + beta · c`, where `op` transposes when its flag is set.
    @inlinable
    static func multiply(_ c: UnsafeMutablePointer<Scalar>,
                         _ a: UnsafePointer<Scalar>, _ transA: Bool,
                         _ b: UnsafePointer<Scalar>, _ transB: Bool,
                         n: Int, beta: Scalar = 0) {
        Scalar.gemm(transA: transA, transB: transB, m: n, n: n, k: n, alpha: 1,
                    a: a, lda: n, b: b, ldb: n, beta: beta, c: c, ldc: n)
    }

    /// `c ← alpha · a aᵀ`, exactly symmetric: one `syrk` for the lower triangle, mirrored.
    @inlinable
    static func gram(_ c: UnsafeMutablePointer<Scalar>, _ a: UnsafePointer<Scalar>, n: Int, alpha: Scalar) {
        Scalar.syrk(upper: false, transA: false, n: n, k: n, alpha: alpha, a: a, lda: n, beta: 0, c: c, ldc: n)
        for i in 0..<n {
            for j in (i + 1)..<Swift.max(n, i + 1) { c[i * n + j] = c[j * n + i] }
        }
    }

    /// Whether a matrix equals its transpose or its negated transpose, entry for entry.
    @usableFromInline
    enum Symmetry { case none, symmetric, skew }

    /// The exact symmetry of a row-major n × n matrix (`.symmetric` for a zero or 1 × 1 diagonal
    /// one, which is both).
    @inlinable
    static func symmetry(_ a: UnsafePointer<Scalar>, n: Int) -> Symmetry {
        var symmetric = true, skew = true
        for i in 0..<n {
            if a[i * (n + 1)] != 0 { skew = false }
            for j in (i + 1)..<Swift.max(n, i + 1) {
                let upper = a[i * n + j], lower = a[j * n + i]
                if upper != lower { symmetric = false }
                if upper != -lower { skew = false }
            }
            if !symmetric && !skew { return .none }
        }
        return symmetric ? .symmetric : .skew
    }

    /// `dst ← Σ coefficients[k] · terms[k] + identity · I` for up to four terms.
    ///
    /// One fused, vectorisable pass (no BLAS: AXPY would spread each O(n²) pass over
    /// threads); the identity touches the diagonal only.
    @inlinable
    static func combine(into dst: UnsafeMutablePointer<Scalar>, n: Int,
                        _ coefficients: [Scalar], _ terms: [UnsafePointer<Scalar>],
                        identity: Scalar = 0) {
        let count = n * n
        switch terms.count {
        case 0:
            dst.initialize(repeating: 0, count: count)
        case 1:
            let (c0, p0) = (coefficients[0], terms[0])
            for i in 0..<count { dst[i] = c0 * p0[i] }
        case 2:
            let (c0, p0, c1, p1) = (coefficients[0], terms[0], coefficients[1], terms[1])
            for i in 0..<count { dst[i] = c0 * p0[i] + c1 * p1[i] }
        case 3:
            let (c0, p0, c1, p1) = (coefficients[0], terms[0], coefficients[1], terms[1])
            let (c2, p2) = (coefficients[2], terms[2])
            for i in 0..<count { dst[i] = c0 * p0[i] + c1 * p1[i] + c2 * p2[i] }
        case 4:
            let (c0, p0, c1, p1) = (coefficients[0], terms[0], coefficients[1], terms[1])
            let (c2, p2, c3, p3) = (coefficients[2], terms[2], coefficients[3], terms[3])
            for i in 0..<count { dst[i] = c0 * p0[i] + c1 * p1[i] + c2 * p2[i] + c3 * p3[i] }
        default:
            preconditionFailure("SquareMatrix.combine: at most four terms, got \(terms.count)")
        }
        if identity != 0 {
            for i in 0..<n { dst[i * (n + 1)] += identity }
        }
    }

    /// `x ← 2^k · x`, exactly (a power of two changes only the exponent) unless the result
    /// leaves the normal range. Returns `false`, leaving `x` untouched, when `2^k` itself is
    /// not a normal number of the type (the caller then recomputes instead of scaling).
    @inlinable
    static func scale(_ x: UnsafeMutablePointer<Scalar>, count: Int, byPowerOfTwo k: Int) -> Bool {
        if k == 0 { return true }
        let factor = Scalar(sign: .plus, exponent: Scalar.Exponent(k), significand: 1)
        guard factor.isNormal else { return false }
        for i in 0..<count { x[i] *= factor }
        return true
    }

    /// The squaring phase of scaling and squaring: `R_{k+1} = R_k²` for k < `s`, the last into
    /// `out`. Returns `R_0 … R_{s−1}` (or `[R_0]`) when `keeping`, which a Fréchet derivative
    /// needs; otherwise two buffers alternate.
    @inlinable
    static func squarings(of r0: TensorStorage<Scalar>, _ s: Int, n: Int, into out: UnsafeMutablePointer<Scalar>,
                       keeping: Bool) -> [TensorStorage<Scalar>] {
        var squares = [r0]
        var current = r0
        var spare: TensorStorage<Scalar>? = nil
        for k in 0..<s {
            if k == s - 1 {
                multiply(out, current.base, false, current.base, false, n: n)
                break
            }
            let next = keeping ? allocate(n) : (spare ?? allocate(n))
            multiply(next.base, current.base, false, current.base, false, n: n)
            if keeping { squares.append(next) } else { spare = current }
            current = next
        }
        if s == 0 { out.update(from: r0.base, count: n * n) }
        return squares
    }

    /// `x ← 2^k x` in steps whose factors are normal numbers; `false` if the scaling
    /// overflowed.
    @inlinable
    static func scaleInSteps(_ x: UnsafeMutablePointer<Scalar>, count: Int, byPowerOfTwo k: Int) -> Bool {
        var remaining = k
        while remaining != 0 {
            let step = remaining > 0 ? Swift.min(remaining, 64) : Swift.max(remaining, -64)
            guard scale(x, count: count, byPowerOfTwo: step) else { return false }
            remaining -= step
        }
        for i in 0..<count where !x[i].isFinite { return false }
        return true
    }

    /// The 1-norm (largest absolute column sum) of a row-major n × n matrix, in `Double`.
    @inlinable
    static func oneNorm(_ a: UnsafePointer<Scalar>, n: Int) -> Double {
        if n == 0 { return 0 }
        var sums = [Scalar](repeating: 0, count: n)
        sums.withUnsafeMutableBufferPointer { s in
            for i in 0..<n {
                let row = a + i * n
                for j in 0..<n { s[j] += Swift.abs(row[j]) }
            }
        }
        var best: Scalar = 0
        for v in sums {
            if v.isNaN { return .nan }
            best = Swift.max(best, v)
        }
        return Double(best)
    }

    /// Solves `op(Q) X = B` in place on the row-major `b`, given `lu` and `pivots` from
    /// `getrf` applied to the row-major buffer of `Q`.
    ///
    /// LAPACK reads a row-major buffer as its column-major transpose, so `getrf` factored
    /// `F = Qᵀ = P L U`, and read row-major the buffer shows `Lᵀ` (unit, strictly above the
    /// diagonal) and `Uᵀ` (on and below it). Hence, with row-major TRSM and row swaps:
    /// - `Q⁻¹ B = P L⁻ᵀ U⁻ᵀ B`: solve with the lower part (`Uᵀ`), then the unit upper part
    ///   (`Lᵀ`), then apply the interchanges last to first;
    /// - `Q⁻ᵀ B = F⁻¹ B = U⁻¹ L⁻¹ Pᵀ B`: interchanges first to last, then the transposed
    ///   triangles.
    /// Both cost what `getrs` costs (2n³ flops) and copy nothing.
    @inlinable
    static func solve(lu: UnsafePointer<Scalar>, pivots: UnsafePointer<Int32>,
                      _ b: UnsafeMutablePointer<Scalar>, n: Int, transposed: Bool) {
        func swapRows(_ i: Int, _ j: Int) {
            if i == j { return }
            let ri = b + i * n, rj = b + j * n
            for k in 0..<n { let t = ri[k]; ri[k] = rj[k]; rj[k] = t }
        }
        if transposed {
            for i in 0..<n { swapRows(i, Int(pivots[i]) - 1) }
            Scalar.trsm(left: true, upper: true, transA: true, unitDiagonal: true, m: n, n: n,
                        alpha: 1, a: lu, lda: n, b: b, ldb: n)
            Scalar.trsm(left: true, upper: false, transA: true, unitDiagonal: false, m: n, n: n,
                        alpha: 1, a: lu, lda: n, b: b, ldb: n)
        } else {
            Scalar.trsm(left: true, upper: false, transA: false, unitDiagonal: false, m: n, n: n,
                        alpha: 1, a: lu, lda: n, b: b, ldb: n)
            Scalar.trsm(left: true, upper: true, transA: false, unitDiagonal: true, m: n, n: n,
                        alpha: 1, a: lu, lda: n, b: b, ldb: n)
            for i in stride(from: n - 1, through: 0, by: -1) { swapRows(i, Int(pivots[i]) - 1) }
        }
    }
}
