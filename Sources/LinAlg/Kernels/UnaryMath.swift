// Elementwise mathematical functions of a tensor, as free functions that read like the math
// (`exp(x)`, `sigmoid(x)`), each with its pullback.
//
// exp, expm1, log, log1p, tanh, sigmoid, softplus and logSigmoid run on the vectorisable
// kernels of `VectorMath` (within 1–2 ulp of the correctly rounded result); sqrt and abs are
// single instructions; sin, cos and pow call the C library per element.
//
// Pullbacks are written in terms of the forward's result where that is cheaper and at least
// as accurate (exp: g·y; tanh: g·(1 − y²); sigmoid: g·y·(1 − y)).

/// The exponential eˣ of every element.
///
/// Overflows to +∞ above ≈ 709.78 (Double) / 88.72 (Float); underflows gradually to 0.
/// Derivative: eˣ.
@inlinable
public func exp<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    var y = x.applying(.exp, generic: { Scalar.exp($0) })
    if let tapeID = Tensor.recordingTapeID(x) {
        let value = y.detached()
        y.record(tapeID, "exp", x) { g in g * value }
    }
    return y
}

/// eˣ − 1 of every element, accurate for |x| ≪ 1 where `exp(x) - 1` cancels.
///
/// Derivative: eˣ = (eˣ − 1) + 1.
@inlinable
public func expm1<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    var y = x.applying(.expm1, generic: { Scalar.expMinusOne($0) })
    if let tapeID = Tensor.recordingTapeID(x) {
        let value = y.detached()
        y.record(tapeID, "expm1", x) { g in Tensor.broadcastingMap(g, value) { $0 * ($1 + 1) } }
    }
    return y
}

/// The natural logarithm of every element: −∞ at 0, NaN for negative elements.
///
/// Derivative: 1/x.
@inlinable
public func log<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    var y = x.applying(.log, generic: { Scalar.log($0) })
    if let tapeID = Tensor.recordingTapeID(x) {
        y.record(tapeID, "log", x) { g in g / x.detached() }
    }
    return y
}

/// ln(1 + x) of every element, accurate for |x| ≪ 1 where `log(1 + x)` loses the low bits.
///
/// Derivative: 1/(1 + x).
@inlinable
public func log1p<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    var y = x.applying(.log1p, generic: { Scalar.log(onePlus: $0) })
    if let tapeID = Tensor.recordingTapeID(x) {
        y.record(tapeID, "log1p", x) { g in Tensor.broadcastingMap(g, x.detached()) { $0 / (1 + $1) } }
    }
    return y
}

/// The square root of every element (NaN for negative elements).
///
/// Derivative: 1/(2√x), infinite at 0.
@inlinable
public func sqrt<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    var y = x.applying(.sqrt, generic: { $0.squareRoot() })
    if let tapeID = Tensor.recordingTapeID(x) {
        let value = y.detached()
        y.record(tapeID, "sqrt", x) { g in Tensor.broadcastingMap(g, value) { $0 / (2 * $1) } }
    }
    return y
}

/// The reciprocal square root 1/√x of every element.
///
/// Derivative: −½ x^(−3/2) = −½ y³.
@inlinable
public func rsqrt<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    var y = x.applying(.rsqrt, generic: { 1 / $0.squareRoot() })
    if let tapeID = Tensor.recordingTapeID(x) {
        let value = y.detached()
        y.record(tapeID, "rsqrt", x) { g in Tensor.broadcastingMap(g, value) { -0.5 * $0 * ($1 * $1 * $1) } }
    }
    return y
}

/// The hyperbolic tangent of every element.
///
/// Computed as sign(x)·e/(e + 2) with e = expm1(2|x|): exact to ~2 ulp from 0 (no
/// cancellation) to saturation. Derivative: 1 − tanh²x.
@inlinable
public func tanh<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    var y = x.applying(.tanh, generic: { Scalar.tanh($0) })
    if let tapeID = Tensor.recordingTapeID(x) {
        let value = y.detached()
        y.record(tapeID, "tanh", x) { g in Tensor.applying(.tanhPullback, g, value, generic: { $0 * (1 - $1 * $1) }) }
    }
    return y
}

/// The logistic function σ(x) = 1 / (1 + e⁻ˣ) of every element.
///
/// Never overflows: both tails are computed from e^−|x| ≤ 1, and the left tail keeps full
/// relative accuracy (σ(−700) ≈ 1e−304 in Double, not 0). Derivative: σ(x)(1 − σ(x)).
///
/// ```swift
/// let p = sigmoid(logits)   // probabilities in (0, 1)
/// ```
@inlinable
public func sigmoid<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    var y = x.applying(.sigmoid, generic: { 1 / (1 + Scalar.exp(-$0)) })
    if let tapeID = Tensor.recordingTapeID(x) {
        let value = y.detached()
        y.record(tapeID, "sigmoid", x) { g in
            Tensor.applying(.sigmoidPullback, g, value, generic: { $0 * ($1 * (1 - $1)) })
        }
    }
    return y
}

/// softplus(x) = ln(1 + eˣ) of every element, a smooth positive version of relu.
///
/// Evaluated as max(x, 0) + log1p(e^−|x|), which neither overflows for large x nor loses the
/// left tail (softplus(−50) ≈ 2e−22, not 0). Derivative: σ(x).
@inlinable
public func softplus<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    var y = x.applying(.softplus, generic: { Swift.max($0, 0) + Scalar.log(onePlus: Scalar.exp(-Swift.abs($0))) })
    if let tapeID = Tensor.recordingTapeID(x) {
        y.record(tapeID, "softplus", x) { g in
            Tensor.applying(.timesSigmoid, g, x.detached(), generic: { $0 / (1 + Scalar.exp(-$1)) })
        }
    }
    return y
}

/// log σ(x) = −softplus(−x) of every element, stable in both tails.
///
/// Derivative: σ(−x) = 1 − σ(x), computed as σ(−x) so it stays accurate for large x.
@inlinable
public func logSigmoid<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    var y = x.applying(.logSigmoid, generic: { Swift.min($0, 0) - Scalar.log(onePlus: Scalar.exp(-Swift.abs($0))) })
    if let tapeID = Tensor.recordingTapeID(x) {
        y.record(tapeID, "logSigmoid", x) { g in
            Tensor.applying(.timesSigmoidOfNegation, g, x.detached(), generic: { $0 / (1 + Scalar.exp($1)) })
        }
    }
    return y
}

/// The rectified linear unit max(x, 0) of every element (NaN stays NaN).
///
/// Derivative: 1 for x > 0, 0 for x < 0; at x = 0 the subgradient 0 is used (as PyTorch).
@inlinable
public func relu<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    var y = x.applying(.relu, generic: { $0 < 0 ? 0 : $0 })
    if let tapeID = Tensor.recordingTapeID(x) {
        y.record(tapeID, "relu", x) { g in Tensor.broadcastingMap(g, x.detached()) { $1 > 0 ? $0 : 0 } }
    }
    return y
}

/// The absolute value |x| of every element.
///
/// Derivative: sign(x); at x = 0 the subgradient 0 is used (as PyTorch), so a minimiser
/// sitting exactly at 0 stays there.
@inlinable
public func abs<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    var y = x.applying(.abs, generic: { $0.magnitude })
    if let tapeID = Tensor.recordingTapeID(x) {
        y.record(tapeID, "abs", x) { g in
            Tensor.broadcastingMap(g, x.detached()) { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) }
        }
    }
    return y
}

/// The sine of every element (radians). Derivative: cos x.
@inlinable
public func sin<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    var y = x.map { Scalar.sin($0) }
    if let tapeID = Tensor.recordingTapeID(x) {
        y.record(tapeID, "sin", x) { g in Tensor.broadcastingMap(g, x.detached()) { $0 * Scalar.cos($1) } }
    }
    return y
}

/// The cosine of every element (radians). Derivative: −sin x.
@inlinable
public func cos<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    var y = x.map { Scalar.cos($0) }
    if let tapeID = Tensor.recordingTapeID(x) {
        y.record(tapeID, "cos", x) { g in Tensor.broadcastingMap(g, x.detached()) { -$0 * Scalar.sin($1) } }
    }
    return y
}

/// The square x² of every element. Derivative: 2x.
@inlinable
public func square<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    var y = x.applying(.square, generic: { $0 * $0 })
    if let tapeID = Tensor.recordingTapeID(x) {
        y.record(tapeID, "square", x) { g in Tensor.broadcastingMap(g, x.detached()) { 2 * $0 * $1 } }
    }
    return y
}

/// Every element raised to the power `p`.
///
/// An integral `p` (|p| < 2³¹) is computed by repeated multiplication and accepts negative
/// bases (`pow(x, 3)` of −2 is −8); otherwise xᵖ = e^(p ln x), NaN for negative x. `p = 2`,
/// `½` and `−½` use ``square(_:)``, ``sqrt(_:)`` and ``rsqrt(_:)``.
/// Derivative: p·xᵖ⁻¹ (and 0 for p = 0).
@inlinable
public func pow<Scalar>(_ x: Tensor<Scalar>, _ p: Scalar) -> Tensor<Scalar> {
    if p == 2 { return square(x) }
    if p == 0.5 { return sqrt(x) }
    if p == -0.5 { return rsqrt(x) }
    if p == 1 { return x }
    let integral = p == p.rounded() && p.magnitude < 0x1p31
    let n = integral ? Int(p) : 0
    var y = integral ? x.map { Scalar.pow($0, n) } : x.map { Scalar.pow($0, p) }
    if let tapeID = Tensor.recordingTapeID(x) {
        y.record(tapeID, "pow", x) { g in
            if p == 0 { return Tensor(shape: g.shape, repeating: 0) }
            return integral
                ? Tensor.broadcastingMap(g, x.detached()) { $0 * p * Scalar.pow($1, n - 1) }
                : Tensor.broadcastingMap(g, x.detached()) { $0 * p * Scalar.pow($1, p - 1) }
        }
    }
    return y
}
