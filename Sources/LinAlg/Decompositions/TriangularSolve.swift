/// The solution `X` of a triangular system, batched: `op(A) X = B` (`left`, the default) or
/// `X op(A) = B`, where `op(A)` is `A` or, when `transposed`, `Aᵀ`.
///
/// Only the triangle of `a` named by `upper` is read, and not its diagonal when
/// `unitDiagonal` (then taken as ones). `a` is `(..., n, n)`; `b` is `(..., n, k)` when `left`,
/// `(..., k, n)` otherwise; batch axes broadcast. One BLAS `trsm` per matrix on a copy of `b`
/// (row-major CBLAS, so no transposing copies). Backward stable: each column solves
/// `(T + δT) x = b` with `|δT| ≤ n ε |T|` (Higham, Thm. 8.5); the forward error can still be
/// large when `T` is ill-conditioned.
///
/// **Gradient.** For `left`, `B̄ = op(A)⁻ᵀ X̄` and `op(A)‾ = −B̄ Xᵀ`; otherwise
/// `B̄ = X̄ op(A)⁻ᵀ` and `op(A)‾ = −Xᵀ B̄`. `Ā` is that (transposed back when `transposed`)
/// restricted to the triangle that was read.
///
/// ```swift
/// let r = Tensor<Double>(shape: [2, 2], scalars: [2, 1, 0, 4])
/// let x = try triangularSolve(r, Tensor(shape: [2, 1], scalars: [4, 8]), upper: true)   // [[1], [2]]
/// ```
///
/// - Throws: ``LinAlgError`` when a diagonal entry is exactly zero (and `unitDiagonal` is
///   false), naming it, or when `a` or `b` holds NaN or infinity.
/// - Precondition: `a` is square and the shapes match as above (the message names both).
@inlinable
public func triangularSolve<Scalar>(
    _ a: Tensor<Scalar>, _ b: Tensor<Scalar>, upper: Bool, transposed: Bool = false,
    unitDiagonal: Bool = false, left: Bool = true
) throws -> Tensor<Scalar> {
    let la = MatrixBatch(a.shape, operation: "triangularSolve")
    let lb = MatrixBatch(b.shape, operation: "triangularSolve")
    let n = la.rows
    precondition(la.columns == n && (left ? lb.rows : lb.columns) == n,
                 "triangularSolve: shapes \(a.shape) and \(b.shape) do not match (a must be (..., n, n) and b \(left ? "(..., n, k)" : "(..., k, n)"))")
    let batch = Shape.broadcast(la.batch, lb.batch, operation: "triangularSolve: shapes \(a.shape) and \(b.shape) (batch axes)")
    let diagonal = unitDiagonal ? 1 : 0
    try requireFinite(a, la, operation: "triangularSolve",
                      lower: upper ? diagonal : -n, upper: upper ? n : -diagonal)
    try requireFinite(b, lb, operation: "triangularSolve")
    if !unitDiagonal {
        for m in 0..<la.count {
            for i in 0..<n where a.storage.base[m * n * n + i * (n + 1)] == 0 {
                throw LinAlgError(operation: "triangularSolve", shape: a.shape,
                                  cause: .singular(pivot: i), batchIndex: la.index(of: m))
            }
        }
    }
    var x = TriangularSolver.solve(a, b, batch: batch, upper: upper, transposed: transposed,
                                   unitDiagonal: unitDiagonal, left: left)
    if let tapeID = Tensor.recordingTapeID(a, b) {
        let ta = a.isTracked, tb = b.isTracked, sa = a.shape, sb = b.shape
        let solution = x.detached(), factor = a.detached()
        x.record(tapeID, "triangularSolve", a, b) { g in
            let bBar = TriangularSolver.solve(factor, g, batch: batch, upper: upper, transposed: !transposed,
                                              unitDiagonal: unitDiagonal, left: left)
            var da: Tensor<Scalar>? = nil
            if ta {
                // op(A)‾ = −B̄ Xᵀ (left) or −Xᵀ B̄ (right); Ā is its transpose when `transposed`.
                let opBar: Tensor<Scalar>
                switch (left, transposed) {
                case (true, false): opBar = matmul(bBar, transposed: false, solution, transposed: true)
                case (true, true): opBar = matmul(solution, transposed: false, bBar, transposed: true)
                case (false, false): opBar = matmul(solution, transposed: true, bBar, transposed: false)
                case (false, true): opBar = matmul(bBar, transposed: true, solution, transposed: false)
                }
                let masked = upper ? opBar.triu(unitDiagonal ? 1 : 0) : opBar.tril(unitDiagonal ? -1 : 0)
                da = (-masked).summed(toShape: sa)
            }
            return (da, tb ? bBar.summed(toShape: sb) : nil)
        }
    }
    return x
}

@usableFromInline
enum TriangularSolver {
    /// `op(A)⁻¹ B` or `B op(A)⁻¹` for the broadcast batch, without recording.
    @inlinable
    static func solve<Scalar: TensorScalar>(
        _ a: Tensor<Scalar>, _ b: Tensor<Scalar>, batch: [Int], upper: Bool, transposed: Bool,
        unitDiagonal: Bool, left: Bool
    ) -> Tensor<Scalar> {
        let n = a.shape[a.rank - 1]
        let rows = b.shape[b.rank - 2], columns = b.shape[b.rank - 1]
        let size = rows * columns
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        return Tensor(shape: batch + [rows, columns]) { out in
            let pa = a.storage.base, pb = b.storage.base, px = out.baseAddress!
            forEachBroadcastPair(batchA, batchB, batch) { t, ia, ib in
                (px + t * size).update(from: pb + ib * size, count: size)
                guard size > 0 else { return }
                Scalar.trsm(left: left, upper: upper, transA: transposed, unitDiagonal: unitDiagonal,
                            m: rows, n: columns, alpha: 1, a: pa + ia * n * n, lda: n,
                            b: px + t * size, ldb: columns)
            }
        }
    }
}
