extension Tensor {
    /// The diagonal of each matrix (the last two axes), as a tensor of shape `(..., d)`.
    ///
    /// Element `i` is entry `(i, i + offset)` for `offset ≥ 0` and `(i − offset, i)` for
    /// `offset < 0`; `d` is the length of that diagonal (zero when it lies outside the matrix).
    /// The pullback writes the cotangent back onto the same diagonal of a zero matrix.
    ///
    /// ```swift
    /// let a = Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    /// a.diagonal()            // [1, 5]
    /// a.diagonal(offset: 1)   // [2, 6]
    /// ```
    @inlinable
    public func diagonal(offset: Int = 0) -> Tensor {
        let layout = MatrixBatch(shape, operation: "diagonal")
        let m = layout.rows, n = layout.columns
        let length = offset >= 0 ? Swift.max(0, Swift.min(m, n - offset)) : Swift.max(0, Swift.min(m + offset, n))
        let start = offset >= 0 ? offset : -offset * n
        var out = Tensor(shape: layout.batch + [length]) { out in
            let p = storage.base, q = out.baseAddress!
            for b in 0..<layout.count {
                let src = p + b * m * n + start, dst = q + b * length
                for i in 0..<length { dst[i] = src[i * (n + 1)] }
            }
        }
        if let tapeID = Tensor.recordingTapeID(self) {
            let source = shape
            out.record(tapeID, "diagonal", self) { g in
                Tensor(shape: source) { gx in
                    gx.initialize(repeating: 0)
                    let p = g.storage.base, q = gx.baseAddress!
                    for b in 0..<layout.count {
                        let dst = q + b * m * n + start, src = p + b * length
                        for i in 0..<length { dst[i * (n + 1)] = src[i] }
                    }
                }
            }
        }
        return out
    }

    /// The square matrices whose diagonals are the last axis of `diagonal`, batched over the
    /// leading axes: shape `(..., n)` gives `(..., n, n)`.
    ///
    /// The pullback is the diagonal of the cotangent.
    ///
    /// ```swift
    /// Tensor<Double>.diagonalMatrix(Tensor([1, 2]))   // [[1, 0], [0, 2]]
    /// ```
    @inlinable
    public static func diagonalMatrix(_ diagonal: Tensor) -> Tensor {
        precondition(diagonal.rank >= 1, "diagonalMatrix: expected at least one axis, got a scalar")
        let n = diagonal.shape[diagonal.rank - 1]
        let count = n == 0 ? 0 : diagonal.scalarCount / n
        var out = Tensor(shape: diagonal.shape + [n]) { out in
            out.initialize(repeating: 0)
            let p = diagonal.storage.base, q = out.baseAddress!
            for b in 0..<count {
                for i in 0..<n { q[b * n * n + i * (n + 1)] = p[b * n + i] }
            }
        }
        if let tapeID = Tensor.recordingTapeID(diagonal) {
            out.record(tapeID, "diagonalMatrix", diagonal) { g in g.diagonal() }
        }
        return out
    }

    /// The trace (sum of the main diagonal) of each matrix, shape `(...)`.
    ///
    /// Rectangular matrices sum their main diagonal, `min(m, n)` entries. The pullback puts
    /// the cotangent on the main diagonal of a zero matrix.
    @inlinable
    public func trace() -> Tensor {
        let layout = MatrixBatch(shape, operation: "trace")
        let m = layout.rows, n = layout.columns, length = Swift.min(m, n)
        var out = Tensor(shape: layout.batch) { out in
            let p = storage.base
            for b in 0..<layout.count {
                var acc: Scalar = 0
                for i in 0..<length { acc += p[b * m * n + i * (n + 1)] }
                out[b] = acc
            }
        }
        if let tapeID = Tensor.recordingTapeID(self) {
            let source = shape
            out.record(tapeID, "trace", self) { g in
                Tensor(shape: source) { gx in
                    gx.initialize(repeating: 0)
                    let p = g.storage.base, q = gx.baseAddress!
                    for b in 0..<layout.count {
                        for i in 0..<length { q[b * m * n + i * (n + 1)] = p[b] }
                    }
                }
            }
        }
        return out
    }
}
