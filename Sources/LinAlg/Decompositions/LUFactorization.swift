/// LU factorisations with partial pivoting of a batch of square matrices, kept so that
/// ``solve(_:_:)`` and its pullback (and ``inverse(_:)``, ``determinant(_:)``) share one
/// factorisation.
///
/// **Layout.** `getrf` runs on each row-major buffer, i.e. on the column-major Aᵀ, giving
/// `Aᵀ = P L U` (L unit lower, U upper, column-major, packed in the buffer). Read back
/// row-major, the buffer `F` holds `Uᵀ` in its lower triangle and `Lᵀ` strictly above the
/// diagonal, so
///
///     A = Lr · Ur · Pᵀ,   Lr = tril(F) (non-unit lower),   Ur = I + triu(F, 1) (unit upper),
///
/// a column-pivoted LU of A. Solving with A or Aᵀ is then two row-major triangular solves
/// (`trsm`) and row interchanges of the right-hand side, with no transposing copy of anything.
/// `P = P₁ P₂ ⋯ Pₙ`, where `Pᵢ` exchanges rows `i` and `ipiv[i]` (LAPACK's 1-based pivots).
@usableFromInline
struct LUFactorization<Scalar: TensorScalar> {
    /// The packed factors, one row-major `n × n` buffer per matrix (shape of the input).
    @usableFromInline let factors: Tensor<Scalar>
    /// LAPACK's 1-based pivots, `n` per matrix.
    @usableFromInline let pivots: [Int32]
    @usableFromInline let layout: MatrixBatch
    /// For each matrix, the first (1-based) exactly zero pivot, or 0 when it is non-singular.
    @usableFromInline let singularPivot: [Int]

    /// Factorises every matrix of `a` (shape `(..., n, n)`).
    ///
    /// - Throws: ``LinAlgError`` (`nonFinite`) for NaN or infinite entries. A singular matrix
    ///   is not an error here: its factorisation completes and `singularPivot` reports it.
    @inlinable
    init(_ a: Tensor<Scalar>, operation: String) throws {
        let layout = MatrixBatch(a.shape, operation: operation)
        layout.requireSquare(operation)
        try requireFinite(a, layout, operation: operation)
        try self.init(shape: a.shape, operation: operation) { p in
            p.update(from: a.storage.base, count: a.scalarCount)
        }
    }

    /// Factorises, in place, the matrices that `fill` writes into the factors' buffer (shape
    /// `(..., n, n)`, all entries, finite): no copy of a matrix built only to be factorised.
    ///
    /// - Throws: ``LinAlgError`` only for an invalid LAPACK argument; a singular matrix is
    ///   reported by `singularPivot`.
    @inlinable
    init(shape: [Int], operation: String, fill: (UnsafeMutablePointer<Scalar>) -> Void) throws {
        let layout = MatrixBatch(shape, operation: operation)
        layout.requireSquare(operation)
        let n = layout.rows
        var pivots = [Int32](repeating: 0, count: layout.count * n)
        var singular = [Int](repeating: 0, count: layout.count)
        let factors = try Tensor<Scalar>(shape: shape) { f in
            let p = f.baseAddress!
            fill(p)
            guard n > 0 else { return }
            try pivots.withUnsafeMutableBufferPointer { ipiv in
                for b in 0..<layout.count {
                    let info = Scalar.getrf(m: Int32(n), n: Int32(n), a: p + b * n * n, lda: Int32(n),
                                            ipiv: ipiv.baseAddress! + b * n)
                    if info < 0 {
                        throw LinAlgError(operation: operation, shape: shape,
                                          cause: .lapack(routine: "getrf", info: Int(info)),
                                          batchIndex: layout.index(of: b))
                    }
                    singular[b] = Int(info)
                }
            }
        }
        self.factors = factors
        self.pivots = pivots
        self.layout = layout
        self.singularPivot = singular
    }

    /// Throws ``LinAlgError`` (`singular`) for the first singular matrix of the batch.
    @inlinable
    func requireNonSingular(operation: String, shape: [Int]) throws {
        for b in 0..<layout.count where singularPivot[b] != 0 {
            throw LinAlgError(operation: operation, shape: shape,
                              cause: .singular(pivot: singularPivot[b] - 1), batchIndex: layout.index(of: b))
        }
    }

    /// Overwrites the row-major `n × k` matrix at `x` with `A⁻¹ x` (or `A⁻ᵀ x` when
    /// `transposed`), `A` being matrix `index` of the batch.
    ///
    /// `A x' = x`: `Lr Ur Pᵀ x' = x`, so x ← Lr⁻¹ x, x ← Ur⁻¹ x, then x' = P x (interchanges
    /// applied last to first). `Aᵀ x' = x`: `P Urᵀ Lrᵀ x' = x`, so x ← Pᵀ x (first to last),
    /// x ← Ur⁻ᵀ x, x ← Lr⁻ᵀ x. Backward stable as LAPACK's `getrs` (it is the same
    /// arithmetic).
    @inlinable
    func solve(_ index: Int, _ x: UnsafeMutablePointer<Scalar>, columns k: Int, transposed: Bool) {
        let n = layout.rows
        guard n > 0 && k > 0 else { return }
        let f = UnsafePointer(factors.storage.base + index * n * n)
        pivots.withUnsafeBufferPointer { ipiv in
            let piv = ipiv.baseAddress! + index * n
            if !transposed {
                Scalar.trsm(left: true, upper: false, transA: false, unitDiagonal: false, m: n, n: k,
                            alpha: 1, a: f, lda: n, b: x, ldb: k)
                Scalar.trsm(left: true, upper: true, transA: false, unitDiagonal: true, m: n, n: k,
                            alpha: 1, a: f, lda: n, b: x, ldb: k)
                for i in stride(from: n - 1, through: 0, by: -1) {
                    swapRows(x, i, Int(piv[i]) - 1, k)
                }
            } else {
                for i in 0..<n { swapRows(x, i, Int(piv[i]) - 1, k) }
                Scalar.trsm(left: true, upper: true, transA: true, unitDiagonal: true, m: n, n: k,
                            alpha: 1, a: f, lda: n, b: x, ldb: k)
                Scalar.trsm(left: true, upper: false, transA: true, unitDiagonal: false, m: n, n: k,
                            alpha: 1, a: f, lda: n, b: x, ldb: k)
            }
        }
    }

    @inlinable
    func swapRows(_ x: UnsafeMutablePointer<Scalar>, _ i: Int, _ j: Int, _ k: Int) {
        guard i != j else { return }
        let a = x + i * k, b = x + j * k
        for c in 0..<k { let t = a[c]; a[c] = b[c]; b[c] = t }
    }

    /// The determinant of matrix `index` as `(sign, log |det|)`: `det Aᵀ = det A`, the product
    /// of U's diagonal times the parity of the interchanges. Summing logarithms cannot overflow
    /// where the plain product of the pivots would.
    @inlinable
    func logDeterminant(_ index: Int) -> (sign: Scalar, logAbs: Scalar) {
        let n = layout.rows
        if singularPivot[index] != 0 { return (0, -Scalar.infinity) }
        let f = factors.storage.base + index * n * n
        var sign: Scalar = 1, logAbs: Scalar = 0
        pivots.withUnsafeBufferPointer { ipiv in
            for i in 0..<n {
                let u = f[i * (n + 1)]
                if u < 0 { sign = -sign }
                if Int(ipiv[index * n + i]) - 1 != i { sign = -sign }
                logAbs += Scalar.log(Swift.abs(u))
            }
        }
        return (sign, logAbs)
    }

    /// The determinant of matrix `index`: the product of the pivots with the parity's sign
    /// (as LAPACK users and NumPy compute it; it over- or underflows only where the
    /// determinant itself is out of range, up to a factor of the pivots' spread).
    @inlinable
    func determinant(_ index: Int) -> Scalar {
        let n = layout.rows
        let f = factors.storage.base + index * n * n
        var det: Scalar = 1
        pivots.withUnsafeBufferPointer { ipiv in
            for i in 0..<n {
                det *= f[i * (n + 1)]
                if Int(ipiv[index * n + i]) - 1 != i { det = -det }
            }
        }
        return det
    }

    /// `A⁻ᵀ` for every matrix, from the factors: `getri` on the column-major view inverts Aᵀ,
    /// which read row-major is `A⁻¹`; its column-major view, the transpose, is `A⁻ᵀ`, so one
    /// transposing copy gives it. Only for non-singular matrices.
    @inlinable
    func inverseTransposed() -> Tensor<Scalar> {
        let n = layout.rows
        var work = factors.scalars
        return Tensor(shape: factors.shape) { out in
            guard n > 0 else { return }
            pivots.withUnsafeBufferPointer { ipiv in
                work.withUnsafeMutableBufferPointer { w in
                    for b in 0..<layout.count {
                        let p = w.baseAddress! + b * n * n
                        if singularPivot[b] != 0 {
                            // No inverse: the caller documents the non-finite result.
                            (out.baseAddress! + b * n * n).initialize(repeating: .nan, count: n * n)
                            continue
                        }
                        _ = Scalar.getri(n: Int32(n), a: p, lda: Int32(n), ipiv: ipiv.baseAddress! + b * n)
                        transposeMatrix(p, rows: n, columns: n, into: out.baseAddress! + b * n * n)
                    }
                }
            }
        }
    }
}
