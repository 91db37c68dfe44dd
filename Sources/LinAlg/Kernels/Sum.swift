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

    /// Pairwise sum of `count` contiguous scalars: for Float and Double the vector kernel of
    /// ``VectorMath`` (blocks of 128 in vector lanes, combined pairwise) where the CPU has one.
    @inlinable
    static func pairwiseSum(_ p: UnsafePointer<Scalar>, count: Int) -> Scalar {
        if count >= 32 {
            let raw = UnsafeRawPointer(p)
            if Scalar.self == Double.self, let s = VectorMath.sum(raw.assumingMemoryBound(to: Double.self), count: count) {
                return unsafeBitCast(s, to: Scalar.self)
            }
            if Scalar.self == Float.self, let s = VectorMath.sum(raw.assumingMemoryBound(to: Float.self), count: count) {
                return unsafeBitCast(s, to: Scalar.self)
            }
        }
        return portablePairwiseSum(p, count: count)
    }

    /// Pairwise sum of `count` contiguous scalars, 4 accumulators at the leaves.
    @inlinable
    static func portablePairwiseSum(_ p: UnsafePointer<Scalar>, count: Int) -> Scalar {
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
        return portablePairwiseSum(p, count: half) + portablePairwiseSum(p + half, count: count - half)
    }
}
