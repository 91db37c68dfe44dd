/// The loop under every broadcasting kernel.
///
/// Walks the output of shape `shape` row by row (a row is the last axis), handing `body` the
/// offsets of the row's first element in each operand and in the output. Operands are read
/// through `stridesA` / `stridesB` (per output axis, 0 along broadcast axes), so the inner
/// loop in `body` runs over contiguous or constant memory with no per-element index math.
/// Callers usually pass shapes through ``BroadcastLayout/coalesced(shape:strides:)`` first,
/// so that rows are as long as the memory layout allows.
@inlinable
func forEachRow(
    of shape: [Int], stridesA: [Int], stridesB: [Int],
    _ body: (_ offsetA: Int, _ offsetB: Int, _ offsetOut: Int) -> Void
) {
    let rank = shape.count
    if rank == 0 { body(0, 0, 0); return }
    let rowLength = shape[rank - 1]
    if rank == 1 { if rowLength > 0 { body(0, 0, 0) }; return }
    let rows = shape[0..<(rank - 1)].reduce(1, *)
    if rows == 0 || rowLength == 0 { return }
    if rank == 2 {
        let sa = stridesA[0], sb = stridesB[0]
        for row in 0..<rows { body(row * sa, row * sb, row * rowLength) }
        return
    }
    var index = [Int](repeating: 0, count: rank)
    var offsetA = 0, offsetB = 0
    for row in 0..<rows {
        body(offsetA, offsetB, row * rowLength)
        // Advance the odometer over the leading axes.
        var axis = rank - 2
        while axis >= 0 {
            index[axis] += 1
            offsetA += stridesA[axis]
            offsetB += stridesB[axis]
            if index[axis] < shape[axis] { break }
            offsetA -= stridesA[axis] * shape[axis]
            offsetB -= stridesB[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}

/// The same walk for any number of operands: `body` receives each operand's row offset
/// (in `offsets`, one per entry of `strides`) and the output's.
@inlinable
func forEachRow(of shape: [Int], strides: [[Int]],
                _ body: (_ offsets: UnsafeBufferPointer<Int>, _ offsetOut: Int) -> Void) {
    let rank = shape.count, operands = strides.count
    withUnsafeTemporaryAllocation(of: Int.self, capacity: Swift.max(operands, 1)) { offsets in
        offsets.initialize(repeating: 0)
        let view = UnsafeBufferPointer(offsets)
        if rank == 0 { body(view, 0); return }
        let rowLength = shape[rank - 1]
        let rows = shape[0..<(rank - 1)].reduce(1, *)
        if rows == 0 || rowLength == 0 { return }
        var index = [Int](repeating: 0, count: rank)
        for row in 0..<rows {
            body(view, row * rowLength)
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                for k in 0..<operands { offsets[k] += strides[k][axis] }
                if index[axis] < shape[axis] { break }
                for k in 0..<operands { offsets[k] -= strides[k][axis] * shape[axis] }
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

/// Shape and per-operand strides of a broadcast walk, simplified.
@usableFromInline
enum BroadcastLayout {
    /// Merges adjacent axes that every operand traverses as one (its stride along the outer
    /// axis equals its stride along the inner one times the inner extent; the output is
    /// contiguous, so it always does), and drops axes of extent 1.
    ///
    /// `[4, 5, 6] + [1, 1, 6]` walks as `[20, 6]`; `[8, 3] + [8, 3]` as `[24]`. Longer rows
    /// mean fewer odometer steps and longer vectorised inner loops.
    @inlinable
    static func coalesced(shape: [Int], strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
        var outShape: [Int] = []
        var outStrides = [[Int]](repeating: [], count: strides.count)
        outShape.reserveCapacity(shape.count)
        for axis in 0..<shape.count where shape[axis] != 1 {
            if let last = outShape.last {
                var mergeable = true
                for k in 0..<strides.count where outStrides[k].last! != strides[k][axis] * shape[axis] {
                    mergeable = false
                    break
                }
                if mergeable {
                    outShape[outShape.count - 1] = last * shape[axis]
                    for k in 0..<strides.count { outStrides[k][outStrides[k].count - 1] = strides[k][axis] }
                    continue
                }
            }
            outShape.append(shape[axis])
            for k in 0..<strides.count { outStrides[k].append(strides[k][axis]) }
        }
        return (outShape, outStrides)
    }
}

extension Tensor {
    /// `f` applied elementwise to `a` and `b` broadcast together.
    ///
    /// Fast paths: equal shapes (one flat loop), a one-element operand (a constant). Otherwise
    /// the axes are coalesced and each row runs one of four loops, by whether each operand
    /// advances (stride 1) or stays (stride 0, broadcast) along it, so every inner loop is a
    /// plain vectorisable loop. The closure is inlined into the specialised loop; keep it a
    /// literal at the call site.
    @inlinable
    public static func broadcastingMap(_ a: Tensor, _ b: Tensor, operation: String = "elementwise",
                                       _ f: (Scalar, Scalar) -> Scalar) -> Tensor {
        if a.shape == b.shape {
            return Tensor(shape: a.shape) { out in
                let pa = a.storage.base, pb = b.storage.base, po = out.baseAddress!
                for i in 0..<out.count { po[i] = f(pa[i], pb[i]) }
            }
        }
        let shape = Shape.broadcast(a.shape, b.shape, operation: operation)
        if b.scalarCount == 1 && shape == a.shape {
            let y = b.storage.base[0]
            return Tensor(shape: shape) { out in
                let pa = a.storage.base, po = out.baseAddress!
                for i in 0..<out.count { po[i] = f(pa[i], y) }
            }
        }
        if a.scalarCount == 1 && shape == b.shape {
            let x = a.storage.base[0]
            return Tensor(shape: shape) { out in
                let pb = b.storage.base, po = out.baseAddress!
                for i in 0..<out.count { po[i] = f(x, pb[i]) }
            }
        }
        let layout = BroadcastLayout.coalesced(
            shape: shape,
            strides: [Shape.broadcastStrides(of: a.shape, to: shape), Shape.broadcastStrides(of: b.shape, to: shape)])
        let walk = layout.shape, sa = layout.strides[0], sb = layout.strides[1]
        let innerA = sa.last ?? 0, innerB = sb.last ?? 0
        let n = walk.last ?? 1
        return Tensor(shape: shape) { out in
            let pa = a.storage.base, pb = b.storage.base, po = out.baseAddress!
            forEachRow(of: walk, stridesA: sa, stridesB: sb) { oa, ob, oo in
                let ra = pa + oa, rb = pb + ob, ro = po + oo
                switch (innerA, innerB) {
                case (1, 1): for j in 0..<n { ro[j] = f(ra[j], rb[j]) }
                case (1, 0): let y = rb[0]; for j in 0..<n { ro[j] = f(ra[j], y) }
                case (0, 1): let x = ra[0]; for j in 0..<n { ro[j] = f(x, rb[j]) }
                default: for j in 0..<n { ro[j] = f(ra[j * innerA], rb[j * innerB]) }
                }
            }
        }
    }

    /// `f` applied to every element.
    @inlinable
    public func map(_ f: (Scalar) -> Scalar) -> Tensor {
        Tensor(shape: shape) { out in
            let p = storage.base, po = out.baseAddress!
            for i in 0..<out.count { po[i] = f(p[i]) }
        }
    }

    /// `x` copied into a new tensor of shape `shape`, a NumPy broadcast of `x.shape` (no
    /// recording; ``broadcast(to:)`` is the differentiable form).
    @inlinable
    static func broadcastCopy(_ x: Tensor, to shape: [Int]) -> Tensor {
        if x.shape == shape { return x.detached() }
        if x.scalarCount == 1 { return Tensor(shape: shape, repeating: x.storage.base[0]) }
        let layout = BroadcastLayout.coalesced(shape: shape, strides: [Shape.broadcastStrides(of: x.shape, to: shape)])
        let walk = layout.shape, sx = layout.strides[0]
        let inner = sx.last ?? 0
        let n = walk.last ?? 1
        return Tensor(shape: shape) { out in
            let px = x.storage.base, po = out.baseAddress!
            forEachRow(of: walk, stridesA: sx, stridesB: sx) { ox, _, oo in
                if inner == 1 {
                    (po + oo).initialize(from: px + ox, count: n)
                } else {
                    (po + oo).initialize(repeating: px[ox], count: n)
                }
            }
        }
    }
}
