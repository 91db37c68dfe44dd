extension Tensor {
    /// The sum of all elements, as a rank-0 tensor.
    ///
    /// Accumulates in pairs of blocks (pairwise summation), so the rounding error grows as
    /// O(log n · ε) rather than O(n · ε).
    @inlinable
    public func sum() -> Tensor {
        var out = Tensor(Tensor.pairwiseSum(storage.base, count: scalarCount))
        if let tapeID = Tensor.recordingTapeID(self) {
            let source = shape
            out.record(tapeID, "sum()", self) { g in Tensor(shape: source, repeating: g.scalar) }
        }
        return out
    }

    /// Pairwise sum of `count` contiguous scalars, 8 accumulators at the leaves.
    @inlinable
    static func pairwiseSum(_ p: UnsafePointer<Scalar>, count: Int) -> Scalar {
        if count <= 128 {
            var acc: (Scalar, Scalar, Scalar, Scalar) = (0, 0, 0, 0)
            var i = 0
            while i + 4 <= count {
                acc.0 += p[i]; acc.1 += p[i + 1]; acc.2 += p[i + 2]; acc.3 += p[i + 3]
                i += 4
            }
            var tail: Scalar = 0
            while i < count { tail += p[i]; i += 1 }
            return (acc.0 + acc.1) + (acc.2 + acc.3) + tail
        }
        let half = (count / 2) & ~7
        return pairwiseSum(p, count: half) + pairwiseSum(p + half, count: count - half)
    }
}
