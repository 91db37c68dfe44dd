// The Euclidean (Frobenius) norm, of all elements or along axes.
//
// √(Σ xᵢ²) overflows when some |xᵢ| > 1e154 (Double) / 1e19 (Float) and loses everything to
// underflow below 1e-154 / 1e-19, although the norm itself is representable. The plain sum of
// squares is computed first (one pass, pairwise); only if it is not finite or is below
// `leastNormalMagnitude / ulpOfOne` (where squares may have underflowed) is the norm
// recomputed as `m · √(Σ (xᵢ/m)²)` with `m = max |xᵢ|`, as LAPACK's `?nrm2` does throughout.
//
// Gradient: x / ‖x‖. At x = 0 the norm is not differentiable; the gradient used is 0 (a
// subgradient: any vector of norm ≤ 1 is one), so a zero vector stays a fixed point.

extension Tensor {
    /// The Euclidean norm √(Σ xᵢ²) of all elements (the Frobenius norm of a matrix), as a
    /// rank-0 tensor.
    ///
    /// Robust to overflow and underflow of the squares. Derivative: x/‖x‖, and 0 at x = 0.
    ///
    /// ```swift
    /// Tensor<Double>([3, 4]).norm()   // 5
    /// ```
    @inlinable
    public func norm() -> Tensor {
        let value = Tensor.euclideanNorm(storage.base, count: scalarCount)
        var out = Tensor(value)
        if let tapeID = Tensor.recordingTapeID(self) {
            let x = detached()
            out.record(tapeID, "norm()", self) { g in
                let scale = value == 0 ? 0 : g.scalar / value
                return x.map { $0 * scale }
            }
        }
        return out
    }

    /// The Euclidean norm along `axes` (negative axes count from the end), the axes removed
    /// or kept with extent 1.
    ///
    /// `x.norm(alongAxes: [-1])` gives the length of every row vector;
    /// `x.norm(alongAxes: [-2, -1])` the Frobenius norm of every matrix of a batch.
    /// Derivative: x/‖x‖ per slice, 0 for a zero slice.
    @inlinable
    public func norm(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let axes = Tensor.normalizedAxes(axes, rank: rank, operation: "norm(alongAxes:)")
        let x = detached()
        var kept: Tensor
        if !axes.isEmpty && axes == Array((rank - axes.count)..<rank) {
            // Trailing axes: every slice is a contiguous run, normed in one pass (robust to
            // overflow and underflow per slice) without a tensor of squares.
            let length = Shape.count(of: Array(shape[(rank - axes.count)...]))
            let slices = length == 0 ? 0 : scalarCount / length
            let base = storage.base
            kept = Tensor(shape: Tensor.reducedShape(shape, axes: axes, keepingDimensions: true)) { out in
                if length == 0 { out.initialize(repeating: 0); return }
                if slices == 0 { return }
                let raw = UnsafeRawPointer(base), po = UnsafeMutableRawPointer(out.baseAddress!)
                if Scalar.self == Double.self, VectorMath.rowNorms(raw.assumingMemoryBound(to: Double.self),
                                                                    po.assumingMemoryBound(to: Double.self),
                                                                    rows: slices, n: length) { return }
                if Scalar.self == Float.self, VectorMath.rowNorms(raw.assumingMemoryBound(to: Float.self),
                                                                   po.assumingMemoryBound(to: Float.self),
                                                                   rows: slices, n: length) { return }
                for r in 0..<slices { out[r] = Tensor.euclideanNorm(base + r * length, count: length) }
            }
        } else {
            kept = Tensor.normsOfSlices(x, axes: axes)
        }
        var out = reshapedReduction(kept, axes: axes, keepingDimensions: keepingDimensions)
        if let tapeID = Tensor.recordingTapeID(self) {
            let norms = kept
            out.record(tapeID, "norm(alongAxes:)", self) { g in
                let scale = Tensor.broadcastingMap(Tensor(storage: g.storage, shape: norms.shape), norms) {
                    $1 == 0 ? 0 : $0 / $1
                }
                return Tensor.broadcastingMap(x, scale) { $0 * $1 }
            }
        }
        return out
    }

    /// The norms along any `axes` (normalised), kept with extent 1: the sum of squares, and
    /// the scaled recomputation where it overflowed or may have underflowed.
    @inlinable
    static func normsOfSlices(_ x: Tensor, axes: [Int]) -> Tensor {
        let squares = x.applying(.square, generic: { $0 * $0 })
        var kept = squares.reduced(alongAxes: axes, .sum, operation: "norm(alongAxes:)")
        let tiny = Scalar.leastNormalMagnitude / Scalar.ulpOfOne
        let needsScaling = kept.withUnsafeBufferPointer { s in s.contains { !$0.isFinite || $0 < tiny } }
        if needsScaling {
            let m = x.applying(.abs, generic: { $0.magnitude }).reduced(alongAxes: axes, .max, operation: "norm(alongAxes:)")
            let safe = m.map { $0 > 0 && $0.isFinite ? $0 : 1 }
            let scaled = Tensor.broadcastingMap(x, safe) { let q = $0 / $1; return q * q }
            let s = scaled.reduced(alongAxes: axes, .sum, operation: "norm(alongAxes:)")
            // m = 0: a zero slice; m = ∞ or NaN: the norm is m.
            kept = Tensor.broadcastingMap(m, s) { m, s in m == 0 || !m.isFinite ? m : m * s.squareRoot() }
        } else {
            kept = kept.applying(.sqrt, generic: { $0.squareRoot() })
        }
        return kept
    }

    /// The Euclidean norm along the given axes.
    @inlinable
    public func norm(alongAxes axes: Int..., keepingDimensions: Bool = false) -> Tensor {
        norm(alongAxes: axes, keepingDimensions: keepingDimensions)
    }

    /// √(Σ p[i]²) without spurious overflow or underflow (see the file comment).
    @inlinable
    static func euclideanNorm(_ p: UnsafePointer<Scalar>, count: Int) -> Scalar {
        let (m, t) = euclideanNormParts(p, count: count)
        return m * t
    }

    /// The norm as `m · t`: `(1, √Σ p[i]²)` when the plain sum of squares is usable, else
    /// `m = max |p[i]|` and `t = √Σ (p[i]/m)²` (`t = 1` for a zero, infinite or NaN `m`), so
    /// that callers can divide by the norm of a row of subnormals without rounding it.
    @inlinable
    static func euclideanNormParts(_ p: UnsafePointer<Scalar>, count: Int) -> (m: Scalar, t: Scalar) {
        if count == 0 { return (0, 1) }
        let sumOfSquares = pairwiseSumOfSquares(p, count: count, scale: 1)
        if sumOfSquares.isFinite && sumOfSquares >= Scalar.leastNormalMagnitude / Scalar.ulpOfOne {
            return (1, sumOfSquares.squareRoot())
        }
        var m: Scalar = 0
        for i in 0..<count {
            let a = p[i].magnitude
            if a.isNaN { return (.nan, 1) }
            m = a > m ? a : m
        }
        if m == 0 || m.isInfinite { return (m, 1) }
        let scale = 1 / m
        if scale.isFinite { return (m, pairwiseSumOfSquares(p, count: count, scale: scale).squareRoot()) }
        // m is subnormal and 1/m overflows: divide instead of multiplying.
        var s: Scalar = 0
        for i in 0..<count { let q = p[i] / m; s += q * q }
        return (m, s.squareRoot())
    }

    /// Σ (scale · p[i])², pairwise (see ``pairwiseSum(_:count:)``).
    @inlinable
    static func pairwiseSumOfSquares(_ p: UnsafePointer<Scalar>, count: Int, scale: Scalar) -> Scalar {
        if count <= 128 {
            var acc: (Scalar, Scalar, Scalar, Scalar) = (0, 0, 0, 0)
            var i = 0
            while i + 4 <= count {
                let a = p[i] * scale, b = p[i + 1] * scale, c = p[i + 2] * scale, d = p[i + 3] * scale
                acc.0 += a * a; acc.1 += b * b; acc.2 += c * c; acc.3 += d * d
                i += 4
            }
            var tail: Scalar = 0
            while i < count { let a = p[i] * scale; tail += a * a; i += 1 }
            return (acc.0 + acc.1) + (acc.2 + acc.3) + tail
        }
        let half = (count / 2) & ~7
        return pairwiseSumOfSquares(p, count: half, scale: scale)
            + pairwiseSumOfSquares(p + half, count: count - half, scale: scale)
    }
}
