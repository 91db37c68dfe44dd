// Reductions along axes: the engine shared by sum, mean, max, min, norm and logSumExp, and
// the sum and mean reductions themselves.
//
// A set of axes is reduced one run of consecutive axes at a time, innermost run first, each
// run viewed as `[outer, n, inner]` (contiguous). `inner == 1` (the last axes) reduces
// contiguous rows: pairwise summation, SIMD extrema. `inner > 1` combines whole rows of
// length `inner` into the output, so the inner loop is contiguous and vectorised whatever
// the axis; sums do it pairwise over blocks of rows, so the rounding error grows like
// O(log n · ε) along every axis (NumPy sums non-contiguous axes sequentially, O(n · ε)).

/// The operation a reduction folds with.
@usableFromInline
enum ReductionOperator: Sendable {
    case sum, max, min
}

extension Tensor {
    /// `axes` with negative entries counted from the end, sorted, checked for repeats.
    @inlinable
    static func normalizedAxes(_ axes: [Int], rank: Int, operation: String) -> [Int] {
        var result = axes.map { Shape.normalize(axis: $0, rank: rank, operation: operation) }
        result.sort()
        for k in result.indices.dropFirst() {
            precondition(result[k] != result[k - 1], "\(operation): axes \(axes) name axis \(result[k]) twice")
        }
        return result
    }

    /// `shape` with the (normalised) `axes` set to 1, or removed.
    @inlinable
    static func reducedShape(_ shape: [Int], axes: [Int], keepingDimensions: Bool) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(shape.count)
        var next = 0
        for (axis, extent) in shape.enumerated() {
            if next < axes.count && axes[next] == axis {
                next += 1
                if keepingDimensions { result.append(1) }
            } else {
                result.append(extent)
            }
        }
        return result
    }

    /// This tensor folded with `op` along `axes` (normalised and sorted), the reduced axes
    /// kept with extent 1. Not recorded.
    @inlinable
    func reduced(alongAxes axes: [Int], _ op: ReductionOperator, operation: String) -> Tensor {
        var current = detached()
        var currentShape = shape
        var k = axes.count - 1
        while k >= 0 {
            // The run of consecutive axes ending at axes[k].
            let end = axes[k] + 1
            var start = axes[k]
            while k > 0 && axes[k - 1] == start - 1 { k -= 1; start -= 1 }
            k -= 1
            let outer = Shape.count(of: Array(currentShape[..<start]))
            let n = Shape.count(of: Array(currentShape[start..<end]))
            let inner = Shape.count(of: Array(currentShape[end...]))
            precondition(n > 0 || op == .sum || outer * inner == 0,
                         "\(operation): cannot reduce shape \(shape) along axes \(axes), which have no elements")
            var next = currentShape
            for axis in start..<end { next[axis] = 1 }
            let source = current
            current = Tensor(shape: next) { out in
                Tensor.reduce(source.storage.base, outer: outer, n: n, inner: inner, into: out.baseAddress!, op)
            }
            currentShape = next
        }
        return current
    }

    /// Folds `src`, viewed as `[outer, n, inner]`, along its middle axis into `dst`
    /// (`[outer, inner]`, uninitialised).
    @inlinable
    static func reduce(_ src: UnsafePointer<Scalar>, outer: Int, n: Int, inner: Int,
                       into dst: UnsafeMutablePointer<Scalar>, _ op: ReductionOperator) {
        if outer == 0 || inner == 0 { return }
        if n == 0 { dst.initialize(repeating: 0, count: outer * inner); return }
        switch op {
        case .sum:
            if inner == 1 {
                for o in 0..<outer { dst[o] = pairwiseSum(src + o * n, count: n) }
                return
            }
            // Scratch for one partial row per level of the pairwise recursion.
            var levels = 1, rows = n
            while rows > pairwiseRowBlock { rows = (rows + 1) / 2; levels += 1 }
            let scratch = UnsafeMutablePointer<Scalar>.allocate(capacity: levels * inner)
            defer { scratch.deallocate() }
            for o in 0..<outer {
                sumRows(src + o * n * inner, rows: n, width: inner, into: dst + o * inner, scratch: scratch)
            }
        case .max, .min:
            let smallest = op == .min
            if inner == 1 {
                for o in 0..<outer { dst[o] = extremum(src + o * n, count: n, smallest: smallest) }
                return
            }
            for o in 0..<outer {
                let d = dst + o * inner, s = src + o * n * inner
                d.initialize(from: s, count: inner)
                if smallest { foldRows(s, rows: n, width: inner, into: d) { $0 < $1 } }
                else { foldRows(s, rows: n, width: inner, into: d) { $0 > $1 } }
            }
        }
    }

    /// Folds rows 1..<rows of `s` into `d` (holding row 0) with a NaN-propagating max or min:
    /// `d[j] ← better(v, d[j]) || v.isNaN ? v : d[j]`.
    ///
    /// Written `better(v, m) != (v != v)`: the short-circuit `||` is a branch and `isNaN` tests
    /// bits with branches, and either kept the loop from vectorising (4× slower). Four rows
    /// per pass over `d` halve the loads and stores of `d`.
    @inlinable @inline(__always)
    static func foldRows(_ s: UnsafePointer<Scalar>, rows n: Int, width: Int, into d: UnsafeMutablePointer<Scalar>,
                         _ better: (Scalar, Scalar) -> Bool) {
        @inline(__always) func fold(_ m: Scalar, _ v: Scalar) -> Scalar { better(v, m) != (v != v) ? v : m }
        var k = 1
        while k + 4 <= n {
            let r0 = s + k * width, r1 = r0 + width, r2 = r1 + width, r3 = r2 + width
            for j in 0..<width { d[j] = fold(fold(fold(fold(d[j], r0[j]), r1[j]), r2[j]), r3[j]) }
            k += 4
        }
        while k < n {
            let row = s + k * width
            for j in 0..<width { d[j] = fold(d[j], row[j]) }
            k += 1
        }
    }

    /// Rows summed plainly below this many; pairwise above.
    @inlinable static var pairwiseRowBlock: Int { 16 }

    /// Sums `rows` contiguous rows of `width` scalars into `dst`, pairwise: each half is summed
    /// recursively (the second into `scratch`, the deeper levels further into `scratch`) and
    /// the halves added, so each element passes through O(log rows) additions.
    @inlinable
    static func sumRows(_ src: UnsafePointer<Scalar>, rows: Int, width: Int,
                        into dst: UnsafeMutablePointer<Scalar>, scratch: UnsafeMutablePointer<Scalar>) {
        if rows <= pairwiseRowBlock {
            // Sequential within the block, four rows per pass over `dst` (same order of
            // additions, a quarter of the loads and stores of `dst`).
            dst.update(from: src, count: width)
            var k = 1
            while k + 4 <= rows {
                let r0 = src + k * width, r1 = r0 + width, r2 = r1 + width, r3 = r2 + width
                for j in 0..<width { dst[j] = (((dst[j] + r0[j]) + r1[j]) + r2[j]) + r3[j] }
                k += 4
            }
            while k < rows {
                let row = src + k * width
                for j in 0..<width { dst[j] += row[j] }
                k += 1
            }
            return
        }
        let half = rows / 2
        sumRows(src, rows: half, width: width, into: dst, scratch: scratch)
        sumRows(src + half * width, rows: rows - half, width: width, into: scratch, scratch: scratch + width)
        for j in 0..<width { dst[j] += scratch[j] }
    }

    /// The largest (or smallest) of `count ≥ 1` contiguous scalars, NaN if any is NaN; SIMD
    /// for Float and Double (``VectorMath``).
    @inlinable
    static func extremum(_ p: UnsafePointer<Scalar>, count: Int, smallest: Bool) -> Scalar {
        if Scalar.self == Double.self {
            let m = VectorMath.extremum(UnsafeRawPointer(p).assumingMemoryBound(to: Double.self),
                                        count: count, smallest: smallest)
            return unsafeBitCast(m, to: Scalar.self)
        }
        if Scalar.self == Float.self {
            let m = VectorMath.extremum(UnsafeRawPointer(p).assumingMemoryBound(to: Float.self),
                                        count: count, smallest: smallest)
            return unsafeBitCast(m, to: Scalar.self)
        }
        var m = p[0], sawNaN = false
        for i in 0..<count {
            let v = p[i]
            m = smallest ? (v < m ? v : m) : (v > m ? v : m)
            sawNaN = sawNaN || v.isNaN
        }
        return sawNaN ? .nan : m
    }

    /// `kept` (a reduction's result with its reduced axes kept) in the requested layout,
    /// sharing storage.
    @inlinable
    func reshapedReduction(_ kept: Tensor, axes: [Int], keepingDimensions: Bool) -> Tensor {
        keepingDimensions
            ? kept
            : Tensor(storage: kept.storage, shape: Tensor.reducedShape(shape, axes: axes, keepingDimensions: false))
    }
}

extension Tensor {
    /// The sum along `axes` (negative axes count from the end).
    ///
    /// The reduced axes are removed, or kept with extent 1 when `keepingDimensions` (so the
    /// result broadcasts against this tensor). Summation is pairwise along every axis.
    /// Derivative: the cotangent broadcast back over the reduced axes.
    ///
    /// ```swift
    /// let x = Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    /// x.sum(alongAxes: [1])                             // [6, 15]
    /// x.sum(alongAxes: [0], keepingDimensions: true)    // [[5, 7, 9]]
    /// ```
    @inlinable
    public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let axes = Tensor.normalizedAxes(axes, rank: rank, operation: "sum(alongAxes:)")
        let kept = reduced(alongAxes: axes, .sum, operation: "sum(alongAxes:)")
        var out = reshapedReduction(kept, axes: axes, keepingDimensions: keepingDimensions)
        if let tapeID = Tensor.recordingTapeID(self) {
            let source = shape, keptShape = kept.shape
            out.record(tapeID, "sum(alongAxes:)", self) { g in
                Tensor.broadcastCopy(Tensor(storage: g.storage, shape: keptShape), to: source)
            }
        }
        return out
    }

    /// The sum along the given axes (see ``sum(alongAxes:keepingDimensions:)-([Int],_)``).
    @inlinable
    public func sum(alongAxes axes: Int..., keepingDimensions: Bool = false) -> Tensor {
        sum(alongAxes: axes, keepingDimensions: keepingDimensions)
    }

    /// The arithmetic mean of all elements, as a rank-0 tensor (NaN for an empty tensor).
    @inlinable
    public func mean() -> Tensor {
        sum() / Scalar(scalarCount)
    }

    /// The arithmetic mean along `axes` (see ``sum(alongAxes:keepingDimensions:)-([Int],_)``).
    @inlinable
    public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let normalized = Tensor.normalizedAxes(axes, rank: rank, operation: "mean(alongAxes:)")
        let count = normalized.reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: normalized, keepingDimensions: keepingDimensions) / Scalar(count)
    }

    /// The arithmetic mean along the given axes.
    @inlinable
    public func mean(alongAxes axes: Int..., keepingDimensions: Bool = false) -> Tensor {
        mean(alongAxes: axes, keepingDimensions: keepingDimensions)
    }
}
