extension Tensor {
    /// The matrix transpose of the last two axes, batched over the leading ones (a copy).
    ///
    /// A one-dimensional tensor is returned unchanged.
    @inlinable
    public func transposed() -> Tensor {
        guard rank >= 2 else { return self }
        let m = shape[rank - 2], n = shape[rank - 1]
        var outShape = shape
        outShape[rank - 2] = n
        outShape[rank - 1] = m
        let batch = m * n == 0 ? 0 : scalarCount / (m * n)
        var out = Tensor(shape: outShape) { out in
            let src = storage.base, dst = out.baseAddress!
            // Blocked so that both the reads and the writes stay in cache.
            let block = 32
            for b in 0..<batch {
                let s = src + b * m * n, d = dst + b * m * n
                var i0 = 0
                while i0 < m {
                    let i1 = Swift.min(i0 + block, m)
                    var j0 = 0
                    while j0 < n {
                        let j1 = Swift.min(j0 + block, n)
                        for i in i0..<i1 {
                            for j in j0..<j1 { d[j * m + i] = s[i * n + j] }
                        }
                        j0 = j1
                    }
                    i0 = i1
                }
            }
        }
        if let tapeID = Tensor.recordingTapeID(self) {
            out.record(tapeID, "transposed()", self) { g in g.transposed() }
        }
        return out
    }
}
