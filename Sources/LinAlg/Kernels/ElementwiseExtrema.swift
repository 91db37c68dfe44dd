// Elementwise maximum, minimum and clamping, with broadcasting.
//
// NaN propagates (as NumPy's `maximum`, PyTorch's `maximum`). Gradient: to the larger
// (smaller) operand; on a tie each operand gets half, as PyTorch does, which keeps
// `max(x, x)` with derivative 1. NaN elements pass no gradient.

/// The elementwise maximum of `a` and `b`, broadcasting; NaN if either is NaN.
///
/// ```swift
/// let positivePart = max(x, Tensor(0.0))   // or max(x, 0)
/// ```
@inlinable
public func max<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    ElementwiseExtremum.apply(a, b, larger: true)
}

/// The elementwise maximum of `a` and a scalar.
@inlinable
public func max<Scalar>(_ a: Tensor<Scalar>, _ b: Scalar) -> Tensor<Scalar> {
    ElementwiseExtremum.apply(a, Tensor(b), larger: true)
}

/// The elementwise maximum of a scalar and `b`.
@inlinable
public func max<Scalar>(_ a: Scalar, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    ElementwiseExtremum.apply(Tensor(a), b, larger: true)
}

/// The elementwise minimum of `a` and `b`, broadcasting; NaN if either is NaN.
@inlinable
public func min<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    ElementwiseExtremum.apply(a, b, larger: false)
}

/// The elementwise minimum of `a` and a scalar.
@inlinable
public func min<Scalar>(_ a: Tensor<Scalar>, _ b: Scalar) -> Tensor<Scalar> {
    ElementwiseExtremum.apply(a, Tensor(b), larger: false)
}

/// The elementwise minimum of a scalar and `b`.
@inlinable
public func min<Scalar>(_ a: Scalar, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    ElementwiseExtremum.apply(Tensor(a), b, larger: false)
}

@usableFromInline
enum ElementwiseExtremum {
    @inlinable
    static func apply<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>, larger: Bool) -> Tensor<Scalar> {
        var out = larger
            ? Tensor.broadcastingMap(a, b, operation: "max(_:_:)") { x, y in x != x ? x : (y != y ? y : (x >= y ? x : y)) }
            : Tensor.broadcastingMap(a, b, operation: "min(_:_:)") { x, y in x != x ? x : (y != y ? y : (x <= y ? x : y)) }
        if let tapeID = Tensor.recordingTapeID(a, b) {
            let ta = a.isTracked, tb = b.isTracked
            let x = a.detached(), y = b.detached(), sa = a.shape, sb = b.shape
            out.record(tapeID, larger ? "max(_:_:)" : "min(_:_:)", a, b) { g in
                // The share of the cotangent that goes to `a`: 1, ½ on ties, 0.
                let share = larger
                    ? Tensor.broadcastingMap(x, y) { $0 > $1 ? 1 : ($0 == $1 ? 0.5 : 0) }
                    : Tensor.broadcastingMap(x, y) { $0 < $1 ? 1 : ($0 == $1 ? 0.5 : 0) }
                let other = larger
                    ? Tensor.broadcastingMap(x, y) { $1 > $0 ? 1 : ($0 == $1 ? 0.5 : 0) }
                    : Tensor.broadcastingMap(x, y) { $1 < $0 ? 1 : ($0 == $1 ? 0.5 : 0) }
                return (ta ? Tensor.broadcastingMap(g, share) { $0 * $1 }.summed(toShape: sa) : nil,
                        tb ? Tensor.broadcastingMap(g, other) { $0 * $1 }.summed(toShape: sb) : nil)
            }
        }
        return out
    }
}

extension Tensor {
    /// Every element clamped into `range`: `range.lowerBound` below it, `range.upperBound`
    /// above it (NaN stays NaN).
    ///
    /// Derivative: 1 inside the closed range (bounds included, as PyTorch), 0 outside.
    ///
    /// ```swift
    /// let p = probabilities.clamped(to: 1e-7...(1 - 1e-7))
    /// ```
    @inlinable
    public func clamped(to range: ClosedRange<Scalar>) -> Tensor {
        let lo = range.lowerBound, hi = range.upperBound
        var out = map { $0 < lo ? lo : ($0 > hi ? hi : $0) }
        if let tapeID = Tensor.recordingTapeID(self) {
            let x = detached()
            out.record(tapeID, "clamped(to:)", self) { g in
                // Nested selects, not `&&`, whose short-circuit branch kept this from vectorising.
                Tensor.broadcastingMap(g, x) { $1 < lo ? 0 : ($1 > hi ? 0 : $0) }
            }
        }
        return out
    }
}
