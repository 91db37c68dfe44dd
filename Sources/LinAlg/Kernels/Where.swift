// Elementwise selection between two tensors by a mask.

extension Tensor {
    /// `a` where `mask` is nonzero, `b` elsewhere; the three shapes broadcast together.
    ///
    /// Any nonzero mask element (NaN included) selects `a`; masks usually come from the
    /// comparisons (`.>`, `.<=`, …). Unlike `mask * a + (1 − mask) * b`, the branch not taken
    /// never reaches the result, so an infinite or NaN value there is harmless.
    ///
    /// Differentiable in `a` and `b` (the cotangent goes to the selected operand, reduced to
    /// its shape); the mask is a constant.
    ///
    /// ```swift
    /// let leaky = Tensor.where(x .> 0, x, 0.01 * x)
    /// ```
    @inlinable
    public static func `where`(_ mask: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = Shape.broadcast(Shape.broadcast(mask.shape, a.shape, operation: "Tensor.where"),
                                    b.shape, operation: "Tensor.where")
        var out: Tensor
        if mask.shape == shape && a.shape == shape && b.shape == shape {
            out = Tensor(shape: shape) { out in
                let pm = mask.storage.base, pa = a.storage.base, pb = b.storage.base, po = out.baseAddress!
                for i in 0..<out.count { let x = pa[i], y = pb[i]; po[i] = pm[i] != 0 ? x : y }
            }
        } else {
            let layout = BroadcastLayout.coalesced(shape: shape, strides: [
                Shape.broadcastStrides(of: mask.shape, to: shape),
                Shape.broadcastStrides(of: a.shape, to: shape),
                Shape.broadcastStrides(of: b.shape, to: shape),
            ])
            let walk = layout.shape
            let sm = layout.strides[0].last ?? 0, sa = layout.strides[1].last ?? 0, sb = layout.strides[2].last ?? 0
            let n = walk.last ?? 1
            out = Tensor(shape: shape) { out in
                let pm = mask.storage.base, pa = a.storage.base, pb = b.storage.base, po = out.baseAddress!
                forEachRow(of: walk, strides: layout.strides) { offsets, o in
                    let rm = pm + offsets[0], ra = pa + offsets[1], rb = pb + offsets[2], ro = po + o
                    // Both values are loaded before the select: a conditional load is a branch,
                    // mispredicted half the time on a random mask (8 ns per element).
                    for j in 0..<n {
                        let x = ra[j &* sa], y = rb[j &* sb]
                        ro[j] = rm[j &* sm] != 0 ? x : y
                    }
                }
            }
        }
        if let tapeID = recordingTapeID(a, b) {
            let ta = a.isTracked, tb = b.isTracked, sa = a.shape, sb = b.shape
            let m = mask.detached()
            out.record(tapeID, "Tensor.where", a, b) { g in
                (ta ? broadcastingMap(g, m) { $1 != 0 ? $0 : 0 }.summed(toShape: sa) : nil,
                 tb ? broadcastingMap(g, m) { $1 != 0 ? 0 : $0 }.summed(toShape: sb) : nil)
            }
        }
        return out
    }
}
