// Slicing along an axis, and the box copy shared with padding and concatenation.
//
// API choice: methods rather than a subscript. `x.slice(2..<5, alongAxis: 1)` names the axis
// at the call site (a subscript `x[.., 2..<5]` needs a placeholder per leading axis), and
// `slice(at:alongAxis:)` distinguishes by its label the one-index form that removes the axis
// (NumPy's `x[:, 2]`) from the range form that keeps it (`x[:, 2:3]`). Indices are
// non-negative; axes may be negative (counted from the end).

extension Tensor {
    /// The elements whose index along `axis` lies in `range`; the axis is kept, with extent
    /// `range.count` (a copy).
    ///
    /// Any range expression works: `2..<5`, `2...4`, `2...`, `..<3`.
    /// Derivative: the cotangent placed back into a zero tensor of this shape.
    ///
    /// ```swift
    /// let x = Tensor<Double>(shape: [2, 4], scalars: [0, 1, 2, 3, 4, 5, 6, 7])
    /// x.slice(1..<3, alongAxis: 1)   // [[1, 2], [5, 6]]
    /// x.slice(1..., alongAxis: 0)    // [[4, 5, 6, 7]]
    /// ```
    ///
    /// - Precondition: the range lies within `0..<shape[axis]`.
    @inlinable
    public func slice<R: RangeExpression>(_ range: R, alongAxis axis: Int = 0) -> Tensor where R.Bound == Int {
        let axis = Shape.normalize(axis: axis, rank: rank, operation: "slice(_:alongAxis:)")
        let extent = shape[axis]
        let bounds = range.relative(to: 0..<extent)
        precondition(bounds.lowerBound >= 0 && bounds.upperBound <= extent,
                     "slice(_:alongAxis:): range \(bounds) is out of bounds for axis \(axis) of shape \(shape)")
        var starts = [Int](repeating: 0, count: rank)
        starts[axis] = bounds.lowerBound
        var outShape = shape
        outShape[axis] = bounds.count
        var out = Tensor.extractBox(of: outShape, at: starts, from: self)
        if let tapeID = Tensor.recordingTapeID(self) {
            let source = shape
            out.record(tapeID, "slice(_:alongAxis:)", self) { g in
                Tensor.embedBox(g, at: starts, in: source, filling: 0)
            }
        }
        return out
    }

    /// The sub-tensor at `index` along `axis`, with that axis removed (rank − 1).
    ///
    /// `m.slice(at: 2, alongAxis: 1)` is column 2 of a matrix, as a vector.
    /// Derivative: the cotangent placed back into a zero tensor of this shape.
    @inlinable
    public func slice(at index: Int, alongAxis axis: Int = 0) -> Tensor {
        let a = Shape.normalize(axis: axis, rank: rank, operation: "slice(at:alongAxis:)")
        precondition(index >= 0 && index < shape[a],
                     "slice(at:alongAxis:): index \(index) is out of bounds for axis \(a) of shape \(shape)")
        var squeezed = shape
        squeezed.remove(at: a)
        return slice(index..<(index + 1), alongAxis: a).reshaped(to: squeezed)
    }

    /// The box of `source` of shape `boxShape` whose first element is at index `starts`.
    @inlinable
    static func extractBox(of boxShape: [Int], at starts: [Int], from source: Tensor) -> Tensor {
        Tensor(shape: boxShape) { out in
            copyBox(boxShape, at: starts, in: source.shape, big: UnsafeMutablePointer(mutating: source.storage.base),
                    small: out.baseAddress!, intoBig: false)
        }
    }

    /// A tensor of shape `shape` filled with `value`, with `box` copied in at index `starts`.
    @inlinable
    static func embedBox(_ box: Tensor, at starts: [Int], in shape: [Int], filling value: Scalar) -> Tensor {
        Tensor(shape: shape) { out in
            out.initialize(repeating: value)
            copyBox(box.shape, at: starts, in: shape, big: out.baseAddress!,
                    small: UnsafeMutablePointer(mutating: box.storage.base), intoBig: true)
        }
    }

    /// Copies between a contiguous `small` buffer of shape `boxShape` and the box of the
    /// contiguous `big` buffer (shape `bigShape`) starting at index `starts`: into `big` when
    /// `intoBig`, else out of it. Rows are contiguous in both, so each is one `memcpy`-like
    /// copy after merging the axes that stay contiguous.
    @inlinable
    static func copyBox(_ boxShape: [Int], at starts: [Int], in bigShape: [Int],
                        big: UnsafeMutablePointer<Scalar>, small: UnsafeMutablePointer<Scalar>, intoBig: Bool) {
        let bigStrides = Shape.strides(of: bigShape)
        var base = 0
        for axis in 0..<bigShape.count { base += starts[axis] * bigStrides[axis] }
        let layout = BroadcastLayout.coalesced(shape: boxShape, strides: [bigStrides])
        let walk = layout.shape, sb = layout.strides[0]
        let inner = sb.last ?? 1, n = walk.last ?? 1
        if Shape.count(of: boxShape) == 0 { return }
        forEachRow(of: walk, stridesA: sb, stridesB: sb) { ob, _, os in
            let b = big + base + ob, s = small + os
            if inner == 1 {
                if intoBig { b.update(from: s, count: n) } else { s.update(from: b, count: n) }
            } else if intoBig {
                for j in 0..<n { b[j * inner] = s[j] }
            } else {
                for j in 0..<n { s[j] = b[j * inner] }
            }
        }
    }
}
