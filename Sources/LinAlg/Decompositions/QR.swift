/// The reduced QR factorisation of each matrix, batched: `A = Q R` with `A` of shape
/// `(..., m, n)`, `k = min(m, n)`, `q` `(..., m, k)` with orthonormal columns and `r`
/// `(..., k, n)` upper triangular (upper trapezoidal when `m < n`).
///
/// Householder QR (`geqrf`, then `orgqr` for Q), as NumPy, SciPy and PyTorch, so the signs of
/// R's diagonal (and of Q's columns) are LAPACK's, which can be negative. Backward stable:
/// `Q R = A + δA` with `‖δA‖ ≲ m n ε ‖A‖`, and Q orthonormal to about `m n ε`
/// (Higham, Thm. 19.4). LAPACK works on column-major copies here (the column-major view of our
/// buffer is Aᵀ, whose QR is not A's); the two transposing copies cost O(mn) beside the
/// O(mn²) factorisation.
///
/// **Gradient** (for `m ≥ n`): `Ā = [Q̄ + Q copyltu(M)] R⁻ᵀ` with `M = R R̄ᵀ − Q̄ᵀ Q` and
/// `copyltu(M)` the symmetric matrix with M's lower triangle; `R⁻ᵀ` is applied by a triangular
/// solve. For `m < n`, writing `A = [X | Y]` and `R = [R₁ | R₂]` with X square, `X = Q R₁`
/// and `R₂ = Qᵀ Y`, so `Ȳ = Q R̄₂` and X̄ is the square formula with `Q̄ + Y R̄₂ᵀ` for `Q̄`.
/// The factorisation is differentiable where R's leading `k × k` block is invertible (A, or
/// its first m columns when wide, has full rank); at a rank-deficient matrix the gradient is
/// not finite.
///
/// ```swift
/// let (q, r) = try qr(Tensor<Double>.randomNormal([5, 3], seed: 1))   // q [5, 3], r [3, 3]
/// ```
///
/// - Throws: ``LinAlgError`` when a matrix holds NaN or infinity.
@inlinable
public func qr<Scalar>(_ a: Tensor<Scalar>) throws -> (q: Tensor<Scalar>, r: Tensor<Scalar>) {
    try qr(a, nonNegativeDiagonal: false)
}

/// The reduced QR factorisation of each matrix, with R's diagonal made non-negative when
/// `nonNegativeDiagonal` is true.
///
/// With `D = diag(sign(rᵢᵢ))` (sign(0) = 1) the result is `(Q D, D R)`: the same product, and
/// for a matrix of full column rank the unique QR factorisation with a positive diagonal
/// (what a right inverse onto the orthogonal group needs). The gradient is that of
/// ``qr(_:)`` applied to these factors (D is locally constant).
@inlinable
public func qr<Scalar>(_ a: Tensor<Scalar>, nonNegativeDiagonal: Bool) throws -> (q: Tensor<Scalar>, r: Tensor<Scalar>) {
    let layout = MatrixBatch(a.shape, operation: "qr")
    try requireFinite(a, layout, operation: "qr")
    let m = layout.rows, n = layout.columns, k = Swift.min(m, n)
    var q = Tensor<Scalar>(shape: layout.batch + [m, k], repeating: 0)
    var r = Tensor<Scalar>(shape: layout.batch + [k, n], repeating: 0)
    if k > 0 {
        var work = [Scalar](repeating: 0, count: m * n)
        var tau = [Scalar](repeating: 0, count: k)
        // The fresh tensors' storages are ours to write.
        let pq = q.storage.base, pr = r.storage.base
        try work.withUnsafeMutableBufferPointer { w in
            try tau.withUnsafeMutableBufferPointer { t in
                let pw = w.baseAddress!, pt = t.baseAddress!
                for b in 0..<layout.count {
                    // Column-major A (m × n, ld m) is the row-major Aᵀ.
                    transposeMatrix(a.storage.base + b * m * n, rows: m, columns: n, into: pw)
                    var info = Scalar.geqrf(m: Int32(m), n: Int32(n), a: pw, lda: Int32(m), tau: pt)
                    let rb = pr + b * k * n
                    for i in 0..<k {
                        for j in i..<n { rb[i * n + j] = pw[j * m + i] }
                    }
                    if info == 0 {
                        info = Scalar.orgqr(m: Int32(m), n: Int32(k), k: Int32(k), a: pw, lda: Int32(m), tau: pt)
                    }
                    if info != 0 {
                        throw LinAlgError(operation: "qr", shape: a.shape,
                                          cause: .lapack(routine: "geqrf/orgqr", info: Int(info)),
                                          batchIndex: layout.index(of: b))
                    }
                    let qb = pq + b * m * k
                    transposeMatrix(pw, rows: k, columns: m, into: qb)
                    if nonNegativeDiagonal {
                        for i in 0..<k where rb[i * n + i] < 0 {
                            for j in i..<n { rb[i * n + j] = -rb[i * n + j] }
                            for row in 0..<m { qb[row * k + i] = -qb[row * k + i] }
                        }
                    }
                }
            }
        }
    }
    if let tapeID = Tensor.recordingTapeID(a) {
        let q0 = q.detached(), r0 = r.detached(), a0 = a.detached()
        var outputs = [q, r]
        Tensor.record(tapeID, "qr", inputs: [a], outputs: &outputs) { g in
            [QRGradient.pullback(a: a0, q: q0, r: r0, qBar: g[0], rBar: g[1])]
        }
        (q, r) = (outputs[0], outputs[1])
    }
    return (q, r)
}

@usableFromInline
enum QRGradient {
    /// Ā for `A = Q R` (see ``qr(_:)``), batched.
    @inlinable
    static func pullback<Scalar: TensorScalar>(
        a: Tensor<Scalar>, q: Tensor<Scalar>, r: Tensor<Scalar>, qBar: Tensor<Scalar>, rBar: Tensor<Scalar>
    ) -> Tensor<Scalar> {
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1]
        if m >= n { return square(q: q, r: r, qBar: qBar, rBar: rBar) }
        // Wide: A = [X | Y], R = [R₁ | R₂].
        let r1 = columns(r, 0..<m)
        let rBar1 = columns(rBar, 0..<m), rBar2 = columns(rBar, m..<n)
        let y = columns(a, m..<n)
        let xBar = square(q: q, r: r1, qBar: qBar + matmul(y, transposed: false, rBar2, transposed: true),
                          rBar: rBar1)
        let yBar = matmul(q, rBar2)
        return concatenatedColumns(xBar, yBar)
    }

    /// `[Q̄ + Q copyltu(R R̄ᵀ − Q̄ᵀ Q)] R⁻ᵀ` for square R.
    @inlinable
    static func square<Scalar: TensorScalar>(
        q: Tensor<Scalar>, r: Tensor<Scalar>, qBar: Tensor<Scalar>, rBar: Tensor<Scalar>
    ) -> Tensor<Scalar> {
        let k = r.shape[r.rank - 1]
        var m = matmul(r, transposed: false, rBar, transposed: true) - matmul(qBar, transposed: true, q, transposed: false)
        let count = k == 0 ? 0 : m.scalarCount / (k * k)
        m.withUnsafeMutableBufferPointer { p in
            for b in 0..<count {
                let x = p.baseAddress! + b * k * k
                for i in 0..<k {
                    for j in (i + 1)..<Swift.max(k, i + 1) { x[i * k + j] = x[j * k + i] }
                }
            }
        }
        let lhs = qBar + matmul(q, m)
        let batch = Array(lhs.shape.dropLast(2))
        return TriangularSolver.solve(r, lhs, batch: batch, upper: true, transposed: true,
                                      unitDiagonal: false, left: false)
    }

    /// Columns `range` of each matrix.
    @inlinable
    static func columns<Scalar: TensorScalar>(_ x: Tensor<Scalar>, _ range: Range<Int>) -> Tensor<Scalar> {
        let rows = x.shape[x.rank - 2], n = x.shape[x.rank - 1], w = range.count
        let count = rows * n == 0 ? 0 : x.scalarCount / (rows * n)
        return Tensor(shape: Array(x.shape.dropLast()) + [w]) { out in
            for b in 0..<count {
                for i in 0..<rows {
                    (out.baseAddress! + (b * rows + i) * w)
                        .update(from: x.storage.base + (b * rows + i) * n + range.lowerBound, count: w)
                }
            }
        }
    }

    /// `[x | y]` for each pair of matrices with equal row counts.
    @inlinable
    static func concatenatedColumns<Scalar: TensorScalar>(_ x: Tensor<Scalar>, _ y: Tensor<Scalar>) -> Tensor<Scalar> {
        let rows = x.shape[x.rank - 2], nx = x.shape[x.rank - 1], ny = y.shape[y.rank - 1], n = nx + ny
        let count = rows == 0 ? 0 : x.scalarCount / Swift.max(rows * nx, 1)
        return Tensor(shape: Array(x.shape.dropLast()) + [n]) { out in
            for b in 0..<count {
                for i in 0..<rows {
                    let o = out.baseAddress! + (b * rows + i) * n
                    o.update(from: x.storage.base + (b * rows + i) * nx, count: nx)
                    (o + nx).update(from: y.storage.base + (b * rows + i) * ny, count: ny)
                }
            }
        }
    }
}
