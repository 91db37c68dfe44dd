extension Tensor {
    /// This tensor summed over the axes along which it was broadcast to reach its shape from
    /// `target`: the adjoint of ``broadcast(to:)``.
    ///
    /// `shape` must be a broadcast of `target` (leading axes added, extents 1 expanded).
    @inlinable
    public func summed(toShape target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(Shape.broadcast(target, shape, operation: "summed(toShape:)") == shape,
                     "summed(toShape:): shape \(shape) is not a broadcast of \(target)")
        let targetStrides = Shape.broadcastStrides(of: target, to: shape)
        let inner = targetStrides.last ?? 0
        let rowLength = shape.last ?? 1
        var result = Tensor(shape: target) { $0.initialize(repeating: 0) }
        let pr = result.storage.base, ps = storage.base
        forEachRow(of: shape, stridesA: targetStrides, stridesB: targetStrides) { ot, _, os in
            if inner == 0 {
                // Pairwise with independent accumulators: a single running sum is one
                // dependent add per element and was the slowest loop of weight norm's pullback.
                pr[ot] += Tensor.pairwiseSum(ps + os, count: rowLength)
            } else {
                for j in 0..<rowLength { pr[ot + j] += ps[os + j] }
            }
        }
        if let tapeID = Tensor.recordingTapeID(self) {
            let source = shape
            result.record(tapeID, "summed(toShape:)", self) { g in g.broadcast(to: source) }
        }
        return result
    }

    /// This tensor expanded to `target` by NumPy broadcasting (a copy).
    @inlinable
    public func broadcast(to target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(Shape.broadcast(shape, target, operation: "broadcast(to:)") == target,
                     "broadcast(to:): shape \(shape) cannot be broadcast to \(target)")
        var result = Tensor.broadcastCopy(self, to: target)
        if let tapeID = Tensor.recordingTapeID(self) {
            let source = shape
            result.record(tapeID, "broadcast(to:)", self) { g in g.summed(toShape: source) }
        }
        return result
    }
}
