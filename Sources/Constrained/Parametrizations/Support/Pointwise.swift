// Elementwise maps the catalogue needs (exp, log, softplus, sigmoid, sqrt), with pullbacks.
//
// LinAlg's own unary kernels were not on `main` when the catalogue was written; these small
// versions keep the catalogue self-contained until then. Every parametrization calls them
// through this one namespace, so switching to LinAlg's kernels is a change to this file only.
// Each pullback reuses the forward's output (exp, sigmoid, sqrt) or input (log, softplus),
// so backward costs one more elementwise pass.

/// Elementwise functions with gradients, used by the parametrizations.
enum Pointwise {
    /// `eˣ`; derivative `eˣ` (the output itself).
    static func exp<Scalar: TensorScalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        var y = x.map { Scalar.exp($0) }
        if let tapeID = Tensor.recordingTapeID(x) {
            let saved = y.detached()
            y.record(tapeID, "exp", x) { g in g * saved }
        }
        return y
    }

    /// `log x`; derivative `1/x`.
    static func log<Scalar: TensorScalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        var y = x.map { Scalar.log($0) }
        if let tapeID = Tensor.recordingTapeID(x) {
            let saved = x.detached()
            y.record(tapeID, "log", x) { g in g / saved }
        }
        return y
    }

    /// `√x`; derivative `1/(2√x)` (infinite at 0).
    static func sqrt<Scalar: TensorScalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        var y = x.map { $0.squareRoot() }
        if let tapeID = Tensor.recordingTapeID(x) {
            let saved = y.detached()
            y.record(tapeID, "sqrt", x) { g in g / (saved * 2) }
        }
        return y
    }

    /// `σ(x) = 1 / (1 + e⁻ˣ)`; derivative `σ(1 − σ)`.
    static func sigmoid<Scalar: TensorScalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        var y = x.map { sigmoid($0) }
        if let tapeID = Tensor.recordingTapeID(x) {
            let saved = y.detached()
            y.record(tapeID, "sigmoid", x) { g in g * saved.map { $0 * (1 - $0) } }
        }
        return y
    }

    /// `softplus(x) = log(1 + eˣ)`; derivative `σ(x)`.
    static func softplus<Scalar: TensorScalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        var y = x.map { softplus($0) }
        if let tapeID = Tensor.recordingTapeID(x) {
            let saved = x.detached()
            y.record(tapeID, "softplus", x) { g in g * saved.map { sigmoid($0) } }
        }
        return y
    }

    /// The logistic function of one scalar, without overflow: for `x < 0` it is evaluated as
    /// `eˣ / (1 + eˣ)`, so `e^{|x|}` is never formed.
    @inlinable
    static func sigmoid<Scalar: TensorScalar>(_ x: Scalar) -> Scalar {
        if x >= 0 { return 1 / (1 + Scalar.exp(-x)) }
        let e = Scalar.exp(x)
        return e / (1 + e)
    }

    /// `log(1 + eˣ)` of one scalar, accurate everywhere: `max(x, 0) + log1p(e^{−|x|})`.
    /// The exponent is never positive (no overflow), and `log1p` keeps full relative accuracy
    /// for large negative `x`, where the value is `≈ eˣ` (the naive `log(1 + eˣ)` returns 0
    /// there once `eˣ < ε`).
    @inlinable
    static func softplus<Scalar: TensorScalar>(_ x: Scalar) -> Scalar {
        Swift.max(x, 0) + Scalar.log(onePlus: Scalar.exp(-Swift.abs(x)))
    }

    /// The inverse of softplus, `log(eʸ − 1)` for `y > 0`, without cancellation or overflow:
    /// `y + log(−expm1(−y))`. For large `y` the correction `log(1 − e⁻ʸ)` is tiny and exact
    /// to relative ε; for small `y`, `expm1(−y) ≈ −y` keeps full accuracy where `eʸ − 1`
    /// would cancel. Not differentiated (used by right inverses, which run untracked).
    @inlinable
    static func softplusInverse<Scalar: TensorScalar>(_ y: Scalar) -> Scalar {
        y + Scalar.log(-Scalar.expMinusOne(-y))
    }
}
