extension Tensor {
    /// The upper triangular part of each matrix (the last two axes); other entries are zero.
    ///
    /// Entry `(i, j)` is kept when `j − i ≥ offset`: `offset = 0` keeps the main diagonal and
    /// above, `1` only the strictly upper part, `-1` also the first subdiagonal (as NumPy's and
    /// PyTorch's `triu`). The pullback is the same mask applied to the cotangent.
    ///
    /// ```swift
    /// let a = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4])
    /// a.triu()     // [[1, 2], [0, 4]]
    /// a.triu(1)    // [[0, 2], [0, 0]]
    /// ```
    @inlinable
    public func triu(_ offset: Int = 0) -> Tensor {
        let layout = MatrixBatch(shape, operation: "triu")
        var out = Tensor(shape: shape) { out in
            out.baseAddress!.update(from: storage.base, count: scalarCount)
            zeroOutsideBand(out.baseAddress!, count: layout.count, rows: layout.rows,
                            columns: layout.columns, lower: offset, upper: layout.columns)
        }
        if let tapeID = Tensor.recordingTapeID(self) {
            out.record(tapeID, "triu", self) { g in g.triu(offset) }
        }
        return out
    }

    /// The lower triangular part of each matrix (the last two axes); other entries are zero.
    ///
    /// Entry `(i, j)` is kept when `j − i ≤ offset`: `offset = 0` keeps the main diagonal and
    /// below, `-1` only the strictly lower part. The pullback is the same mask applied to the
    /// cotangent.
    @inlinable
    public func tril(_ offset: Int = 0) -> Tensor {
        let layout = MatrixBatch(shape, operation: "tril")
        var out = Tensor(shape: shape) { out in
            out.baseAddress!.update(from: storage.base, count: scalarCount)
            zeroOutsideBand(out.baseAddress!, count: layout.count, rows: layout.rows,
                            columns: layout.columns, lower: -layout.rows, upper: offset)
        }
        if let tapeID = Tensor.recordingTapeID(self) {
            out.record(tapeID, "tril", self) { g in g.tril(offset) }
        }
        return out
    }
}
