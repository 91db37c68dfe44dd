// logSumExp, softmax and logSoftmax: the max-shifted forms, stable for any input.
//
// With m = max xᵢ, every shifted exponent xᵢ − m is ≤ 0, so e^(xᵢ − m) never overflows, and
// the largest term is 1, so s = Σ e^(xᵢ − m) ≥ 1 and log s loses nothing:
//   logSumExp = m + log s,   softmax = e^(x − m) / s,   logSoftmax = (x − m) − log s.
// softmax and logSoftmax are formed from the shifted values directly, not as exp(x − lse) or
// x − lse: lse is rounded at the scale of m (an ulp of 1000 is 6e-5 in Float), the shifted
// values are not. When m is ±∞ the shift is taken as 0 (so an all −∞ slice gives −∞ and a
// slice holding +∞ gives +∞, instead of NaN from ∞ − ∞).

extension Tensor {
    /// log Σ exp(x) along `axes` (negative axes count from the end), computed stably.
    ///
    /// Derivative: the softmax of the slice; 0 for a slice of all −∞.
    ///
    /// ```swift
    /// Tensor<Double>([1000, 1000]).logSumExp(alongAxes: [0])   // 1000 + log 2, not ∞
    /// ```
    @inlinable
    public func logSumExp(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let axes = Tensor.normalizedAxes(axes, rank: rank, operation: "logSumExp(alongAxes:)")
        let parts = detached().shiftedExponentials(alongAxes: axes, operation: "logSumExp(alongAxes:)")
        let kept = Tensor.broadcastingMap(parts.shift, parts.sums.applying(.log, generic: { Scalar.log($0) })) { $0 + $1 }
        var out = reshapedReduction(kept, axes: axes, keepingDimensions: keepingDimensions)
        if let tapeID = Tensor.recordingTapeID(self) {
            out.record(tapeID, "logSumExp(alongAxes:)", self) { g in
                let scale = Tensor.broadcastingMap(Tensor(storage: g.storage, shape: kept.shape), parts.sums) {
                    $1 == 0 ? 0 : $0 / $1
                }
                return Tensor.broadcastingMap(parts.exponentials, scale) { $0 * $1 }
            }
        }
        return out
    }

    /// log Σ exp(x) along the given axes.
    @inlinable
    public func logSumExp(alongAxes axes: Int..., keepingDimensions: Bool = false) -> Tensor {
        logSumExp(alongAxes: axes, keepingDimensions: keepingDimensions)
    }

    /// log Σ exp(x) over all elements, as a rank-0 tensor.
    @inlinable
    public func logSumExp() -> Tensor {
        logSumExp(alongAxes: Array(0..<rank))
    }

    /// The pieces of the shifted forms along normalised `axes`: the shift m (the maximum, or
    /// 0 where that is not finite), x − m, e^(x − m), and s = Σ e^(x − m); m and s keep the
    /// reduced axes with extent 1. Not recorded.
    @inlinable
    func shiftedExponentials(alongAxes axes: [Int], operation: String)
        -> (shift: Tensor, shifted: Tensor, exponentials: Tensor, sums: Tensor) {
        precondition(scalarCount > 0 || axes.isEmpty, "\(operation): shape \(shape) has no elements")
        let m = reduced(alongAxes: axes, .max, operation: operation).map { $0.isFinite ? $0 : 0 }
        let shifted = Tensor.broadcastingMap(self, m) { $0 - $1 }
        let e = shifted.applying(.exp, generic: { Scalar.exp($0) })
        return (m, shifted, e, e.reduced(alongAxes: axes, .sum, operation: operation))
    }
}

/// The softmax exp(xᵢ) / Σⱼ exp(xⱼ) along `axis` (default: the last), computed stably.
///
/// Each slice along `axis` becomes a probability vector (a slice of all −∞ gives NaN, as
/// 0/0). Derivative (vector–Jacobian product): y ⊙ (g − Σ g ⊙ y).
///
/// ```swift
/// let p = softmax(logits)                    // rows sum to 1
/// let q = softmax(scores, alongAxis: 0)      // columns sum to 1
/// ```
@inlinable
public func softmax<Scalar>(_ x: Tensor<Scalar>, alongAxis axis: Int = -1) -> Tensor<Scalar> {
    let axis = Shape.normalize(axis: axis, rank: x.rank, operation: "softmax(_:alongAxis:)")
    let parts = x.detached().shiftedExponentials(alongAxes: [axis], operation: "softmax(_:alongAxis:)")
    var y = Tensor.broadcastingMap(parts.exponentials, parts.sums) { $0 / $1 }
    if let tapeID = Tensor.recordingTapeID(x) {
        let value = y.detached()
        y.record(tapeID, "softmax", x) { g in
            let gy = Tensor.broadcastingMap(g, value) { $0 * $1 }
            let total = gy.reduced(alongAxes: [axis], .sum, operation: "softmax pullback")
            return Tensor.broadcastingMap(Tensor.broadcastingMap(g, total) { $0 - $1 }, value) { $0 * $1 }
        }
    }
    return y
}

/// log softmax(x) = (x − m) − log Σ e^(x − m) along `axis` (default: the last), computed
/// stably.
///
/// Prefer it to `log(softmax(x))`, which underflows to −∞ for very negative logits.
/// Derivative: g − softmax(x) · Σ g.
@inlinable
public func logSoftmax<Scalar>(_ x: Tensor<Scalar>, alongAxis axis: Int = -1) -> Tensor<Scalar> {
    let axis = Shape.normalize(axis: axis, rank: x.rank, operation: "logSoftmax(_:alongAxis:)")
    let parts = x.detached().shiftedExponentials(alongAxes: [axis], operation: "logSoftmax(_:alongAxis:)")
    var y = Tensor.broadcastingMap(parts.shifted, parts.sums.applying(.log, generic: { Scalar.log($0) })) { $0 - $1 }
    if let tapeID = Tensor.recordingTapeID(x) {
        y.record(tapeID, "logSoftmax", x) { g in
            let total = g.reduced(alongAxes: [axis], .sum, operation: "logSoftmax pullback")
            let scale = Tensor.broadcastingMap(total, parts.sums) { $0 / $1 }
            return Tensor.broadcastingMap(g, Tensor.broadcastingMap(parts.exponentials, scale) { $0 * $1 }) { $0 - $1 }
        }
    }
    return y
}
