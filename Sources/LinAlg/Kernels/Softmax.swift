// logSumExp, softmax and logSoftmax: the max-shifted forms, stable for any input.
//
// log Σ eˣⁱ = m + log Σ e^(xᵢ − m) with m = max xᵢ: every exponent is ≤ 0, so nothing
// overflows, and the largest term is 1, so the sum is ≥ 1 and its logarithm loses nothing.
// When m is ±∞ the shift is taken as 0 (so an all −∞ slice gives −∞ and a slice holding +∞
// gives +∞, instead of NaN from ∞ − ∞).

extension Tensor {
    /// log Σ exp(x) along `axes` (negative axes count from the end), computed stably.
    ///
    /// Derivative: the softmax of the slice, exp(x − logSumExp); 0 for a slice whose
    /// logSumExp is −∞ (all elements −∞).
    ///
    /// ```swift
    /// Tensor<Double>([1000, 1000]).logSumExp(alongAxes: [0])   // 1000 + log 2, not ∞
    /// ```
    @inlinable
    public func logSumExp(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let axes = Tensor.normalizedAxes(axes, rank: rank, operation: "logSumExp(alongAxes:)")
        let kept = logSumExpKeepingDimensions(alongAxes: axes, operation: "logSumExp(alongAxes:)")
        var out = reshapedReduction(kept, axes: axes, keepingDimensions: keepingDimensions)
        if let tapeID = Tensor.recordingTapeID(self) {
            let x = detached()
            out.record(tapeID, "logSumExp(alongAxes:)", self) { g in
                let weights = Tensor.exponentialWeights(x, kept)
                return Tensor.broadcastingMap(weights, Tensor(storage: g.storage, shape: kept.shape)) { $0 * $1 }
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

    /// The stable logSumExp along normalised `axes`, reduced axes kept with extent 1; not
    /// recorded.
    @inlinable
    func logSumExpKeepingDimensions(alongAxes axes: [Int], operation: String) -> Tensor {
        precondition(scalarCount > 0 || axes.isEmpty,
                     "\(operation): shape \(shape) has no elements")
        let m = reduced(alongAxes: axes, .max, operation: operation).map { $0.isFinite ? $0 : 0 }
        let e = Tensor.broadcastingMap(self, m) { $0 - $1 }.applying(.exp, generic: { Scalar.exp($0) })
        let s = e.reduced(alongAxes: axes, .sum, operation: operation)
        return Tensor.broadcastingMap(m, s.applying(.log, generic: { Scalar.log($0) })) { $0 + $1 }
    }

    /// exp(x − l) with `l` broadcast (a logSumExp kept with extent-1 axes), and 0 where
    /// l = −∞.
    @inlinable
    static func exponentialWeights(_ x: Tensor, _ l: Tensor) -> Tensor {
        Tensor.broadcastingMap(x, l) { $1 == -.infinity ? -.infinity : $0 - $1 }
            .applying(.exp, generic: { Scalar.exp($0) })
    }
}

/// The softmax exp(xᵢ) / Σⱼ exp(xⱼ) along `axis` (default: the last), computed stably.
///
/// Each slice along `axis` becomes a probability vector. Derivative (vector–Jacobian
/// product): y ⊙ (g − Σ g ⊙ y).
///
/// ```swift
/// let p = softmax(logits)                    // rows sum to 1
/// let q = softmax(scores, alongAxis: 0)      // columns sum to 1
/// ```
@inlinable
public func softmax<Scalar>(_ x: Tensor<Scalar>, alongAxis axis: Int = -1) -> Tensor<Scalar> {
    let axis = Shape.normalize(axis: axis, rank: x.rank, operation: "softmax(_:alongAxis:)")
    let lse = x.detached().logSumExpKeepingDimensions(alongAxes: [axis], operation: "softmax(_:alongAxis:)")
    var y = Tensor.exponentialWeights(x.detached(), lse)
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

/// log softmax(x) = x − logSumExp(x) along `axis` (default: the last), computed stably.
///
/// Prefer it to `log(softmax(x))`, which underflows to −∞ for very negative logits.
/// Derivative: g − softmax(x) · Σ g.
@inlinable
public func logSoftmax<Scalar>(_ x: Tensor<Scalar>, alongAxis axis: Int = -1) -> Tensor<Scalar> {
    let axis = Shape.normalize(axis: axis, rank: x.rank, operation: "logSoftmax(_:alongAxis:)")
    let lse = x.detached().logSumExpKeepingDimensions(alongAxes: [axis], operation: "logSoftmax(_:alongAxis:)")
    var y = Tensor.broadcastingMap(x.detached(), lse) { $0 - $1 }
    if let tapeID = Tensor.recordingTapeID(x) {
        let value = y.detached()
        y.record(tapeID, "logSoftmax", x) { g in
            let total = g.reduced(alongAxes: [axis], .sum, operation: "logSoftmax pullback")
            let p = value.applying(.exp, generic: { Scalar.exp($0) })
            return Tensor.broadcastingMap(g, Tensor.broadcastingMap(p, total) { $0 * $1 }) { $0 - $1 }
        }
    }
    return y
}
