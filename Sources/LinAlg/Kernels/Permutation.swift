// General axis permutation (a copy).

extension Tensor {
    /// This tensor with its axes reordered: axis `i` of the result is axis `axes[i]` of this
    /// one (NumPy's `transpose(axes)`, PyTorch's `permute`). Negative entries count from the
    /// end.
    ///
    /// ```swift
    /// let images = Tensor<Float>.zeros([8, 32, 32, 3])   // NHWC
    /// images.permuted([0, 3, 1, 2]).shape                // [8, 3, 32, 32], NCHW
    /// ```
    ///
    /// Swapping only the last two axes uses the cache-blocked ``transposed()``; otherwise rows
    /// of the result are gathered (a contiguous copy whenever the last axis stays last).
    /// Derivative: the cotangent permuted back by the inverse permutation.
    ///
    /// - Precondition: `axes` is a permutation of the axes.
    @inlinable
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(axes.count == rank,
                     "permuted(_:): \(axes) does not permute the \(rank) axes of shape \(shape)")
        let perm = axes.map { Shape.normalize(axis: $0, rank: rank, operation: "permuted(_:)") }
        precondition(Set(perm).count == rank, "permuted(_:): \(axes) repeats an axis")
        if perm == Array(0..<rank) { return self }
        if rank >= 2 && perm == Array(0..<(rank - 2)) + [rank - 1, rank - 2] { return transposed() }
        let sourceStrides = Shape.strides(of: shape)
        let outShape = perm.map { shape[$0] }
        let layout = BroadcastLayout.coalesced(shape: outShape, strides: [perm.map { sourceStrides[$0] }])
        let walk = layout.shape, ss = layout.strides[0]
        let inner = ss.last ?? 1, n = walk.last ?? 1
        var out = Tensor(shape: outShape) { out in
            let src = storage.base, dst = out.baseAddress!
            if out.count == 0 { return }
            forEachRow(of: walk, stridesA: ss, stridesB: ss) { os, _, od in
                if inner == 1 {
                    (dst + od).initialize(from: src + os, count: n)
                } else {
                    let s = src + os, d = dst + od
                    for j in 0..<n { d[j] = s[j * inner] }
                }
            }
        }
        if let tapeID = Tensor.recordingTapeID(self) {
            var inverse = [Int](repeating: 0, count: rank)
            for (i, p) in perm.enumerated() { inverse[p] = i }
            out.record(tapeID, "permuted(_:)", self) { g in g.permuted(inverse) }
        }
        return out
    }

    /// This tensor with its axes reordered (see ``permuted(_:)-([Int])``).
    @inlinable
    public func permuted(_ axes: Int...) -> Tensor { permuted(axes) }
}
