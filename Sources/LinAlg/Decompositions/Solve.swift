/// The solution `X` of the linear system `A X = B`, batched, by LU with partial pivoting.
///
/// Shapes follow `torch.linalg.solve`:
/// - `a` is `(..., n, n)`;
/// - `b` is a batch of matrices `(..., n, k)`, giving `X` of the same shape, **or** a batch of
///   vectors: `b` is one-dimensional `(n)`, or has exactly the shape `a.shape.dropLast()`
///   (`(..., n)` with the same leading axes as `a`), giving `X` of shape `(..., n)`.
/// - The leading (batch) axes of `a` and `b` broadcast as in NumPy. Each distinct matrix of
///   `a` is factorised once, however many right-hand sides share it.
///
/// The result is backward stable: it solves `(A + δA) X = B` with `‖δA‖ ≲ ρ n ε ‖A‖` (ρ the
/// growth factor of partial pivoting, small in practice); the forward error is about
/// `κ(A) · ε`.
///
/// **Gradient.** With `X̄` the cotangent, `B̄ = A⁻ᵀ X̄` and `Ā = −B̄ Xᵀ`. The pullback reuses
/// the forward's LU factors (solving with Aᵀ costs two triangular solves), never a second
/// factorisation, and sums over broadcast batch axes.
///
/// ```swift
/// let a = Tensor<Double>(shape: [2, 2], scalars: [3, 1, 1, 2])
/// let x = try solve(a, Tensor([9, 8]))   // [2, 3]
/// ```
///
/// - Throws: ``LinAlgError`` when a matrix is singular (an exactly zero pivot, named in the
///   message) or holds NaN or infinity.
/// - Precondition: `a` is a batch of square matrices and `b`'s shape matches as above (the
///   message names both shapes).
@inlinable
public func solve<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) throws -> Tensor<Scalar> {
    if let message = SolveShapes.mismatch(a.shape, b.shape) { preconditionFailure(message) }
    if SolveShapes.isVectorCase(a.shape, b.shape) {
        let x = try solve(a, b.reshaped(to: b.shape + [1]))
        return x.reshaped(to: Array(x.shape.dropLast()))
    }
    let lu = try LUFactorization(a, operation: "solve")
    try lu.requireNonSingular(operation: "solve", shape: a.shape)
    let n = lu.layout.rows, k = b.shape[b.rank - 1]
    let batchB = Array(b.shape.dropLast(2))
    let batch = Shape.broadcast(lu.layout.batch, batchB, operation: "solve (batch axes)")
    var x = Tensor<Scalar>(shape: batch + [n, k]) { out in
        let pb = b.storage.base, px = out.baseAddress!
        forEachBroadcastPair(lu.layout.batch, batchB, batch) { t, ia, ib in
            (px + t * n * k).update(from: pb + ib * n * k, count: n * k)
            lu.solve(ia, px + t * n * k, columns: k, transposed: false)
        }
    }
    if let tapeID = Tensor.recordingTapeID(a, b) {
        let ta = a.isTracked, tb = b.isTracked, sa = a.shape, sb = b.shape
        let solution = x.detached()
        x.record(tapeID, "solve", a, b) { g in
            // B̄ = A⁻ᵀ X̄ for each right-hand side, with the forward's factors.
            let bBar = Tensor<Scalar>(shape: g.shape) { out in
                let pg = g.storage.base, po = out.baseAddress!
                po.update(from: pg, count: g.scalarCount)
                forEachBroadcastPair(lu.layout.batch, batchB, batch) { t, ia, _ in
                    lu.solve(ia, po + t * n * k, columns: k, transposed: true)
                }
            }
            let da = ta ? (-matmul(bBar, transposed: false, solution, transposed: true)).summed(toShape: sa) : nil
            return (da, tb ? bBar.summed(toShape: sb) : nil)
        }
    }
    return x
}

/// The shape rules of ``solve(_:_:)``, apart so that their messages can be tested.
@usableFromInline
enum SolveShapes {
    /// Whether `b` is a (batch of) vector(s), as `torch.linalg.solve` decides: `b` is
    /// one-dimensional, or its shape is `a`'s without the last axis.
    @inlinable
    static func isVectorCase(_ a: [Int], _ b: [Int]) -> Bool {
        b.count == 1 || (b.count == a.count - 1 && b == Array(a.dropLast()))
    }

    /// The precondition message for shapes that `solve` rejects, or `nil` when they fit.
    @inlinable
    static func mismatch(_ a: [Int], _ b: [Int]) -> String? {
        guard a.count >= 2, a[a.count - 1] == a[a.count - 2] else {
            return "solve: a must be a square matrix or a batch of them (..., n, n), got shape \(a)"
        }
        let n = a[a.count - 1]
        if isVectorCase(a, b) {
            return b[b.count - 1] == n ? nil
                : "solve: shapes \(a) and \(b) do not match (a vector b needs \(n) entries)"
        }
        guard b.count >= 2, b[b.count - 2] == n else {
            let vectors = a.count > 2 ? ", (\(n)) or \(Array(a.dropLast()))" : " or (\(n))"
            return "solve: shapes \(a) and \(b) do not match (b must be (..., \(n), k)\(vectors))"
        }
        let batchA = Array(a.dropLast(2)), batchB = Array(b.dropLast(2))
        let rank = Swift.max(batchA.count, batchB.count)
        for i in 0..<rank {
            let da = i < rank - batchA.count ? 1 : batchA[i - (rank - batchA.count)]
            let db = i < rank - batchB.count ? 1 : batchB[i - (rank - batchB.count)]
            if da != db && da != 1 && db != 1 {
                return "solve: shapes \(a) and \(b) do not match (batch axes \(batchA) and \(batchB) do not broadcast)"
            }
        }
        return nil
    }
}
