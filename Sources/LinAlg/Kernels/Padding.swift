// Constant padding.

extension Tensor {
    /// This tensor surrounded by `value`: `sizes[i].before` elements before and
    /// `sizes[i].after` after it along axis `i`.
    ///
    /// ```swift
    /// Tensor<Double>([1, 2]).padded(forSizes: [(before: 1, after: 2)])   // [0, 1, 2, 0, 0]
    /// ```
    /// Derivative: the cotangent's interior box (the padding receives nothing).
    ///
    /// - Precondition: one non-negative pair per axis.
    @inlinable
    public func padded(forSizes sizes: [(before: Int, after: Int)], with value: Scalar = 0) -> Tensor {
        precondition(sizes.count == rank,
                     "padded(forSizes:with:): \(sizes.count) pairs of sizes for the \(rank) axes of shape \(shape)")
        precondition(sizes.allSatisfy { $0.before >= 0 && $0.after >= 0 },
                     "padded(forSizes:with:): negative padding for shape \(shape)")
        let starts = sizes.map(\.before)
        let outShape = zip(shape, sizes).map { $0 + $1.before + $1.after }
        var out = Tensor.embedBox(self, at: starts, in: outShape, filling: value)
        if let tapeID = Tensor.recordingTapeID(self) {
            let source = shape
            out.record(tapeID, "padded(forSizes:with:)", self) { g in
                Tensor.extractBox(of: source, at: starts, from: g)
            }
        }
        return out
    }
}
