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
    /// The permutation is first reduced (extent-1 axes dropped, source axes that stay adjacent
    /// merged): what remains a swap of the last two axes, such as `(2, 0, 1)` (the transpose
    /// of an `[a·b, c]` matrix), runs the cache-blocked transpose; otherwise rows of the result
    /// are gathered (a contiguous copy whenever the last axis stays last).
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
        let outShape = perm.map { shape[$0] }
        let (groups, groupPerm) = Tensor.coalescedPermutation(shape: shape, perm: perm)
        let r = groups.count
        var out: Tensor
        if groupPerm == Array(0..<r) {
            // Only extent-1 axes move: the same elements in the same order.
            out = Tensor(shape: outShape) { $0.baseAddress!.initialize(from: storage.base, count: $0.count) }
        } else if r >= 2 && groupPerm == Array(0..<(r - 2)) + [r - 1, r - 2] {
            // A batch of matrix transposes, e.g. (2, 0, 1) of [a, b, c] is the transpose of
            // the [a·b, c] matrix.
            let m = groups[r - 2], n = groups[r - 1], size = m * n
            out = Tensor(shape: outShape) { out in
                guard size > 0 else { return }
                for b in 0..<(out.count / size) {
                    Tensor.transposeMatrix(storage.base + b * size, rows: m, columns: n, into: out.baseAddress! + b * size)
                }
            }
        } else {
            let sourceStrides = Shape.strides(of: shape)
            let layout = BroadcastLayout.coalesced(shape: outShape, strides: [perm.map { sourceStrides[$0] }])
            let walk = layout.shape, ss = layout.strides[0]
            let inner = ss.last ?? 1, n = walk.last ?? 1
            out = Tensor(shape: outShape) { out in
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

    /// The permutation reduced to its essentials: axes of extent 1 dropped, and source axes
    /// that stay adjacent and in order in the result merged. Returns the extents of the merged
    /// source axes (in source order) and the permutation of them.
    ///
    /// `(0, 2, 1)` of `[b, m, n]` stays a swap of the last two; `(2, 0, 1)` of `[a, b, c]`
    /// becomes `(1, 0)` of `[a·b, c]`, a matrix transpose.
    @inlinable
    static func coalescedPermutation(shape: [Int], perm: [Int]) -> (extents: [Int], perm: [Int]) {
        // Runs of consecutive source axes, in output order.
        var runs: [[Int]] = []
        for axis in perm where shape[axis] != 1 {
            // Mergeable: later in the source, with only extent-1 axes in between.
            if let last = runs.last?.last, axis > last, shape[(last + 1)..<axis].allSatisfy({ $0 == 1 }) {
                runs[runs.count - 1].append(axis)
            } else {
                runs.append([axis])
            }
        }
        let order = runs.indices.sorted { runs[$0][0] < runs[$1][0] }
        var position = [Int](repeating: 0, count: runs.count)
        for (p, run) in order.enumerated() { position[run] = p }
        let extents = order.map { runs[$0].reduce(1) { $0 * shape[$1] } }
        return (extents, runs.indices.map { position[$0] })
    }
}
