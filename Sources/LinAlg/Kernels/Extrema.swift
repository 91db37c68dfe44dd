// max and min reductions, over all elements or along axes.
//
// NaN propagates: the maximum of a set containing NaN is NaN (as NumPy's `max`, PyTorch's
// `amax`).
//
// Gradient: the whole cotangent of each result goes to the *first* element (in row-major
// order over the reduced axes) equal to it, the element `argmax` names; tied elements after
// it get 0. This is a valid subgradient and what PyTorch's `max(dim:)` does; `amax` instead
// splits it evenly among ties. If the result is NaN, the first NaN gets the cotangent.

extension Tensor {
    /// The largest element, as a rank-0 tensor (NaN if any element is NaN).
    ///
    /// - Precondition: the tensor has at least one element.
    @inlinable
    public func max() -> Tensor {
        extremum(alongAxes: Array(0..<rank), keepingDimensions: false, .max, operation: "max()")
    }

    /// The smallest element, as a rank-0 tensor (NaN if any element is NaN).
    @inlinable
    public func min() -> Tensor {
        extremum(alongAxes: Array(0..<rank), keepingDimensions: false, .min, operation: "min()")
    }

    /// The largest element along `axes` (negative axes count from the end), the axes removed
    /// or, with `keepingDimensions`, kept with extent 1.
    ///
    /// Derivative: the cotangent goes to the first maximal element of each reduced slice
    /// (ties: see the file comment).
    ///
    /// ```swift
    /// let x = Tensor<Double>(shape: [2, 3], scalars: [1, 5, 3, 4, 2, 6])
    /// x.max(alongAxes: [1])   // [5, 6]
    /// ```
    @inlinable
    public func max(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        extremum(alongAxes: axes, keepingDimensions: keepingDimensions, .max, operation: "max(alongAxes:)")
    }

    /// The largest element along the given axes.
    @inlinable
    public func max(alongAxes axes: Int..., keepingDimensions: Bool = false) -> Tensor {
        max(alongAxes: axes, keepingDimensions: keepingDimensions)
    }

    /// The smallest element along `axes` (see ``max(alongAxes:keepingDimensions:)-([Int],_)``).
    @inlinable
    public func min(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        extremum(alongAxes: axes, keepingDimensions: keepingDimensions, .min, operation: "min(alongAxes:)")
    }

    /// The smallest element along the given axes.
    @inlinable
    public func min(alongAxes axes: Int..., keepingDimensions: Bool = false) -> Tensor {
        min(alongAxes: axes, keepingDimensions: keepingDimensions)
    }

    @inlinable
    func extremum(alongAxes axes: [Int], keepingDimensions: Bool, _ op: ReductionOperator,
                  operation: StaticString) -> Tensor {
        let axes = Tensor.normalizedAxes(axes, rank: rank, operation: "\(operation)")
        precondition(scalarCount > 0, "\(operation): shape \(shape) has no elements")
        let kept = reduced(alongAxes: axes, op, operation: "\(operation)")
        var out = reshapedReduction(kept, axes: axes, keepingDimensions: keepingDimensions)
        if let tapeID = Tensor.recordingTapeID(self) {
            let x = detached(), keptShape = kept.shape
            out.record(tapeID, operation, self) { g in
                Tensor.routeToFirstMatch(Tensor(storage: g.storage, shape: keptShape), values: kept, in: x)
            }
        }
        return out
    }

    /// A tensor of `x`'s shape, zero except at the first element (row-major) of each reduced
    /// slice equal to its value in `values` (NaN matching NaN), which gets `g`'s entry.
    ///
    /// `g` and `values` have `x`'s shape with the reduced axes of extent 1. One pass over `x`:
    /// where the last walked axis is reduced, a search that stops at the first match per row;
    /// otherwise a select per element against a "found" flag per output.
    @inlinable
    static func routeToFirstMatch(_ g: Tensor, values: Tensor, in x: Tensor) -> Tensor {
        let layout = BroadcastLayout.coalesced(
            shape: x.shape, strides: [Shape.broadcastStrides(of: values.shape, to: x.shape)])
        let walk = layout.shape, sv = layout.strides[0]
        let inner = sv.last ?? 0, n = walk.last ?? 1
        var found = [Bool](repeating: false, count: values.scalarCount)
        return Tensor(shape: x.shape) { out in
            let px = x.storage.base, pv = values.storage.base, pg = g.storage.base, po = out.baseAddress!
            found.withUnsafeMutableBufferPointer { found in
                // x and the output are contiguous in walk order: one offset serves both.
                forEachRow(of: walk, stridesA: sv, stridesB: sv) { ov, _, o in
                    let row = px + o, dst = po + o
                    if inner == 0 {
                        dst.initialize(repeating: 0, count: n)
                        if found[ov] { return }
                        let target = pv[ov], targetIsNaN = target.isNaN
                        for j in 0..<n where row[j] == target || (targetIsNaN && row[j].isNaN) {
                            dst[j] = pg[ov]
                            found[ov] = true
                            break
                        }
                    } else {
                        for j in 0..<n {
                            let k = ov + j, v = row[j], t = pv[k]
                            let hit = !found[k] && (v == t || (v.isNaN && t.isNaN))
                            dst[j] = hit ? pg[k] : 0
                            if hit { found[k] = true }
                        }
                    }
                }
            }
        }
    }
}
