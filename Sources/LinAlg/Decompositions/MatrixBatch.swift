// Shared plumbing of the LAPACK-backed operations: batches of matrices, broadcasting of batch
// axes, input validation and the copies that the column-major trick cannot avoid.
//
// The column-major trick: LAPACK is column-major and our storage row-major, so the buffer of a
// row-major m × n matrix A *is* the column-major n × m matrix Aᵀ. Each operation is phrased on
// Aᵀ wherever that gives the wanted result without a transposing copy (LU of Aᵀ solves with A,
// the SVD of Aᵀ is the SVD of A with U and V exchanged, the Cholesky factor of Aᵀ = A is read
// in place, ...). Each file says how it uses it.

/// The layout of a batch of matrices `(..., rows, columns)`.
@usableFromInline
struct MatrixBatch {
    /// The leading (batch) axes.
    @usableFromInline let batch: [Int]
    @usableFromInline let rows: Int
    @usableFromInline let columns: Int
    /// The number of matrices, the product of `batch`.
    @usableFromInline let count: Int

    /// - Precondition: `shape` has at least two axes.
    @inlinable
    init(_ shape: [Int], operation: String) {
        precondition(shape.count >= 2,
                     "\(operation): expected a matrix or a batch of matrices (..., m, n), got shape \(shape)")
        batch = Array(shape.dropLast(2))
        rows = shape[shape.count - 2]
        columns = shape[shape.count - 1]
        count = Shape.count(of: batch)
    }

    /// Elements per matrix.
    @inlinable var size: Int { rows * columns }

    /// - Precondition: the matrices are square.
    @inlinable
    func requireSquare(_ operation: String) {
        precondition(rows == columns,
                     "\(operation): expected square matrices (..., n, n), got shape \(batch + [rows, columns])")
    }

    /// The multi-index of matrix `flat` within the batch, or `nil` for a single matrix (the
    /// form ``LinAlgError/batchIndex`` takes).
    @inlinable
    func index(of flat: Int) -> [Int]? {
        guard !batch.isEmpty else { return nil }
        var index = [Int](repeating: 0, count: batch.count)
        var rest = flat
        for axis in stride(from: batch.count - 1, through: 0, by: -1) {
            index[axis] = rest % batch[axis]
            rest /= batch[axis]
        }
        return index
    }
}

/// Calls `body(t, ia, ib)` for every matrix `t` of the broadcast batch `batch`, with the flat
/// indices of the matrices of `batchA` and `batchB` that broadcast to it.
@inlinable
func forEachBroadcastPair(_ batchA: [Int], _ batchB: [Int], _ batch: [Int],
                          _ body: (_ t: Int, _ ia: Int, _ ib: Int) throws -> Void) rethrows {
    let count = Shape.count(of: batch)
    if batchA == batch && batchB == batch {
        for t in 0..<count { try body(t, t, t) }
        return
    }
    let sa = Shape.broadcastStrides(of: batchA, to: batch)
    let sb = Shape.broadcastStrides(of: batchB, to: batch)
    var index = [Int](repeating: 0, count: batch.count)
    for t in 0..<count {
        var ia = 0, ib = 0
        for axis in 0..<batch.count { ia += index[axis] * sa[axis]; ib += index[axis] * sb[axis] }
        try body(t, ia, ib)
        var axis = batch.count - 1
        while axis >= 0 {
            index[axis] += 1
            if index[axis] < batch[axis] { break }
            index[axis] = 0
            axis -= 1
        }
    }
}

/// Throws ``LinAlgError/Cause/nonFinite`` when a matrix of `x` holds NaN or infinity in the
/// entries the operation reads: those with `lower ≤ j − i ≤ upper` (all of them by default; an
/// operation that reads one triangle must not reject garbage in the other).
///
/// LAPACK's behaviour on such input is unspecified (it may loop, return garbage or report an
/// unrelated info code), so every operation checks first. The flags are OR-ed as integers,
/// which vectorises (a floating-point sum would be one serial dependency chain, 4× slower).
@inlinable
func requireFinite<Scalar: TensorScalar>(_ x: Tensor<Scalar>, _ layout: MatrixBatch, operation: String,
                                         lower: Int = Int.min / 2, upper: Int = Int.max / 2) throws {
    let p = x.storage.base
    let m = layout.rows, n = layout.columns
    let whole = lower <= -m && upper >= n
    for b in 0..<layout.count {
        var bad: UInt8 = 0
        let q = p + b * m * n
        if whole {
            for i in 0..<(m * n) { bad |= q[i].isFinite ? 0 : 1 }
        } else {
            for i in 0..<m {
                let first = Swift.min(Swift.max(i + lower, 0), n), last = Swift.max(Swift.min(i + upper + 1, n), first)
                for j in first..<last { bad |= q[i * n + j].isFinite ? 0 : 1 }
            }
        }
        if bad != 0 {
            throw LinAlgError(operation: operation, shape: x.shape, cause: .nonFinite,
                              batchIndex: layout.index(of: b))
        }
    }
}

/// Writes the transpose of the row-major `rows × columns` matrix at `source` to `target`
/// (row-major `columns × rows`), in cache-sized blocks.
@inlinable
func transposeMatrix<Scalar>(_ source: UnsafePointer<Scalar>, rows: Int, columns: Int,
                             into target: UnsafeMutablePointer<Scalar>) {
    let block = 32
    var i0 = 0
    while i0 < rows {
        let i1 = Swift.min(i0 + block, rows)
        var j0 = 0
        while j0 < columns {
            let j1 = Swift.min(j0 + block, columns)
            for i in i0..<i1 {
                for j in j0..<j1 { target[j * rows + i] = source[i * columns + j] }
            }
            j0 = j1
        }
        i0 = i1
    }
}

/// Whether every element of `x` is zero (an output whose cotangent nobody supplied).
@inlinable
func isAllZero<Scalar: TensorScalar>(_ x: Tensor<Scalar>) -> Bool {
    let p = x.storage.base
    for i in 0..<x.scalarCount where p[i] != 0 { return false }
    return true
}

/// Sets the entries of each row-major `rows × columns` matrix outside the band
/// `lower ≤ j − i ≤ upper` to zero, in place.
@inlinable
func zeroOutsideBand<Scalar: TensorScalar>(_ p: UnsafeMutablePointer<Scalar>, count: Int,
                                           rows: Int, columns: Int, lower: Int, upper: Int) {
    for b in 0..<count {
        let q = p + b * rows * columns
        for i in 0..<rows {
            let row = q + i * columns
            // Columns j with j − i < lower, then those with j − i > upper.
            let firstKept = Swift.min(Swift.max(i + lower, 0), columns)
            for j in 0..<firstKept { row[j] = 0 }
            let lastKept = i + upper
            if lastKept < columns {
                for j in Swift.max(lastKept + 1, 0)..<columns { row[j] = 0 }
            }
        }
    }
}
