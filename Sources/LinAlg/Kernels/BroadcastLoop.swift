/// The loop under every broadcasting kernel.
///
/// Walks the output of shape `shape` row by row (a row is the last axis), handing `body` the
/// offsets of the row's first element in each operand and in the output. Operands are read
/// through `stridesA` / `stridesB` (per output axis, 0 along broadcast axes), so the inner
/// loop in `body` runs over contiguous or constant memory with no per-element index math.
@inlinable
func forEachRow(
    of shape: [Int], stridesA: [Int], stridesB: [Int],
    _ body: (_ offsetA: Int, _ offsetB: Int, _ offsetOut: Int) -> Void
) {
    let rank = shape.count
    if rank == 0 { body(0, 0, 0); return }
    let rowLength = shape[rank - 1]
    let rows = rank == 1 ? 1 : shape[0..<(rank - 1)].reduce(1, *)
    if rows == 0 || rowLength == 0 { return }
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

extension Tensor {
    /// `f` applied elementwise to `a` and `b` broadcast together.
    ///
    /// Fast paths: equal shapes (one flat loop), a one-element operand (a constant). The
    /// closure is inlined into the specialised loop; keep it a literal at the call site.
    @inlinable
    public static func broadcastingMap(_ a: Tensor, _ b: Tensor, operation: String = "elementwise",
                           _ f: (Scalar, Scalar) -> Scalar) -> Tensor {
        if a.shape == b.shape {
            return Tensor(shape: a.shape) { out in
                let pa = a.storage.base, pb = b.storage.base
                for i in 0..<out.count { out[i] = f(pa[i], pb[i]) }
            }
        }
        let shape = Shape.broadcast(a.shape, b.shape, operation: operation)
        if b.scalarCount == 1 && shape == a.shape {
            let y = b.storage.base[0]
            return Tensor(shape: shape) { out in
                let pa = a.storage.base
                for i in 0..<out.count { out[i] = f(pa[i], y) }
            }
        }
        if a.scalarCount == 1 && shape == b.shape {
            let x = a.storage.base[0]
            return Tensor(shape: shape) { out in
                let pb = b.storage.base
                for i in 0..<out.count { out[i] = f(x, pb[i]) }
            }
        }
        let sa = Shape.broadcastStrides(of: a.shape, to: shape)
        let sb = Shape.broadcastStrides(of: b.shape, to: shape)
        let innerA = sa.last ?? 0, innerB = sb.last ?? 0
        let rowLength = shape.last ?? 1
        return Tensor(shape: shape) { out in
            let pa = a.storage.base, pb = b.storage.base, po = out.baseAddress!
            forEachRow(of: shape, stridesA: sa, stridesB: sb) { oa, ob, oo in
                for j in 0..<rowLength {
                    po[oo + j] = f(pa[oa + j * innerA], pb[ob + j * innerB])
                }
            }
        }
    }

    /// `f` applied to every element.
    @inlinable
    public func map(_ f: (Scalar) -> Scalar) -> Tensor {
        Tensor(shape: shape) { out in
            let p = storage.base
            for i in 0..<out.count { out[i] = f(p[i]) }
        }
    }
}
