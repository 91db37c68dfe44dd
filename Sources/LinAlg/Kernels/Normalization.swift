// Vectors scaled to a given norm along the last axis, as one fused operation (one pass per
// row forward, one backward) instead of a chain of square, sum, rsqrt and broadcast multiply.

extension Tensor {
    /// Every vector along the last axis scaled to Euclidean norm `norm`: `y = r · x / ‖x‖`.
    ///
    /// The row norms are robust to overflow and underflow of the squares (as ``norm()``); a
    /// rescaled row is computed as `(x/m)·(r/t)` with `‖x‖ = m·t`, `m = max |xᵢ|`, so rows of
    /// subnormals keep full accuracy. A zero vector has no direction: its row comes out NaN. Derivative, per row, with
    /// `ŷ = y / r`:
    ///
    ///     ∂x = (r / ‖x‖) · (g − ŷ ⟨ŷ, g⟩)
    ///
    /// (the cotangent's component along the vector is removed).
    ///
    /// ```swift
    /// let x = Tensor<Double>(shape: [2, 2], scalars: [3, 4, 0, 2])
    /// x.normalized(alongLastAxisTo: 1)   // [[0.6, 0.8], [0, 1]]
    /// ```
    @inlinable
    public func normalized(alongLastAxisTo norm: Scalar) -> Tensor {
        precondition(rank >= 1, "normalized(alongLastAxisTo:): a scalar has no vector axis")
        let n = shape[rank - 1]
        let rows = n == 0 ? 0 : scalarCount / n
        var scale = Tensor(shape: Array(shape.dropLast()) + [1], repeating: 0)
        var y = Tensor(shape: shape) { out in
            if out.count == 0 { return }
            let px = UnsafeRawPointer(storage.base), py = UnsafeMutableRawPointer(out.baseAddress!)
            scale.withUnsafeMutableBufferPointer { s in
                let ps = UnsafeMutableRawPointer(s.baseAddress!)
                if Scalar.self == Double.self,
                   VectorMath.normalizeRows(px.assumingMemoryBound(to: Double.self), radius: unsafeBitCast(norm, to: Double.self),
                                            py.assumingMemoryBound(to: Double.self), scale: ps.assumingMemoryBound(to: Double.self),
                                            rows: rows, n: n) { return }
                if Scalar.self == Float.self,
                   VectorMath.normalizeRows(px.assumingMemoryBound(to: Float.self), radius: unsafeBitCast(norm, to: Float.self),
                                            py.assumingMemoryBound(to: Float.self), scale: ps.assumingMemoryBound(to: Float.self),
                                            rows: rows, n: n) { return }
                let base = storage.base
                for r in 0..<rows {
                    let (m, t) = Tensor.euclideanNormParts(base + r * n, count: n)
                    s[r] = norm / (m * t)
                    let c = norm / t
                    for j in 0..<n { out[r * n + j] = base[r * n + j] / m * c }
                }
            }
        }
        if let tapeID = Tensor.recordingTapeID(self) {
            let value = y.detached(), scales = scale
            y.record(tapeID, "normalized(alongLastAxisTo:)", self) { g in
                Tensor.normalizationPullback(g, value: value, scales: scales, norm: norm)
            }
        }
        return y
    }

    /// `∂x = s · (g − y ⟨y, g⟩ / r²)` per row, with `s = r / ‖x‖` saved by the forward pass.
    @inlinable
    static func normalizationPullback(_ g: Tensor, value y: Tensor, scales: Tensor, norm: Scalar) -> Tensor {
        let n = y.shape[y.rank - 1]
        let rows = n == 0 ? 0 : y.scalarCount / n
        return Tensor(shape: y.shape) { out in
            if out.count == 0 { return }
            let py = UnsafeRawPointer(y.storage.base), pg = UnsafeRawPointer(g.storage.base)
            let ps = UnsafeRawPointer(scales.storage.base), po = UnsafeMutableRawPointer(out.baseAddress!)
            if Scalar.self == Double.self,
               VectorMath.normalizeRowsPullback(py.assumingMemoryBound(to: Double.self), pg.assumingMemoryBound(to: Double.self),
                                                scale: ps.assumingMemoryBound(to: Double.self),
                                                radius: unsafeBitCast(norm, to: Double.self),
                                                po.assumingMemoryBound(to: Double.self), rows: rows, n: n) { return }
            if Scalar.self == Float.self,
               VectorMath.normalizeRowsPullback(py.assumingMemoryBound(to: Float.self), pg.assumingMemoryBound(to: Float.self),
                                                scale: ps.assumingMemoryBound(to: Float.self),
                                                radius: unsafeBitCast(norm, to: Float.self),
                                                po.assumingMemoryBound(to: Float.self), rows: rows, n: n) { return }
            let yb = y.storage.base, gb = g.storage.base, sb = scales.storage.base
            let inverseSquare = 1 / (norm * norm)
            for r in 0..<rows {
                var d: Scalar = 0
                for j in 0..<n { d += yb[r * n + j] * gb[r * n + j] }
                let c = d * inverseSquare, s = sb[r]
                for j in 0..<n { out[r * n + j] = s * (gb[r * n + j] - c * yb[r * n + j]) }
            }
        }
    }
}
