/// `cos √s` and `sin √s / √s` of a tensor `s ≥ 0`, differentiable at `s = 0`.
///
/// The exponential map of a sphere needs `cos θ` and `sin θ / θ` of `θ = ‖v‖ / r`. Written as
/// functions of `s = θ²` they are entire, but composing `sqrt` with `cos` on the tape divides
/// 0 by 0 at the chart's origin. These ops carry their own pullbacks:
///
///     d/ds cos √s = −(sin √s / √s) / 2
///     d/ds (sin √s / √s) = (cos √s − sin √s / √s) / (2s) = −1/6 + s/60 − s²/1680 + s³/90720 − …
///
/// with the series below `s = 10⁻²`, where its truncation (`< 10⁻¹⁵`) beats the formula's
/// cancellation (relative `3ε / s`).
enum SphereCoefficients {
    /// `cos √s` elementwise.
    static func cosine<Scalar: TensorScalar>(_ s: Tensor<Scalar>) -> Tensor<Scalar> {
        var c = s.detached().map { Scalar.cos($0.squareRoot()) }
        if let tapeID = Tensor<Scalar>.recordingTapeID(s) {
            let sinc = s.detached().map(sincOfRoot)
            c.record(tapeID, "sphereCosine", s) { g in g * sinc * Scalar(-0.5) }
        }
        return c
    }

    /// `sin √s / √s` elementwise (1 at 0).
    static func sinc<Scalar: TensorScalar>(_ s: Tensor<Scalar>) -> Tensor<Scalar> {
        var value = s.detached().map(sincOfRoot)
        if let tapeID = Tensor<Scalar>.recordingTapeID(s) {
            let slope = s.detached().map(sincOfRootDerivative)
            value.record(tapeID, "sphereSinc", s) { g in g * slope }
        }
        return value
    }

    static func sincOfRoot<Scalar: TensorScalar>(_ s: Scalar) -> Scalar {
        if s < Scalar(1e-2) {
            // Horner: 1 − s/6 + s²/120 − s³/5040.
            let c3: Scalar = -1 / 5040, c2: Scalar = 1 / 120, c1: Scalar = -1 / 6
            let inner: Scalar = c2 + s * c3
            return 1 + s * (c1 + s * inner)
        }
        let t = s.squareRoot()
        return Scalar.sin(t) / t
    }

    static func sincOfRootDerivative<Scalar: TensorScalar>(_ s: Scalar) -> Scalar {
        if s < Scalar(1e-2) {
            // Horner: −1/6 + s/60 − s²/1680 + s³/90720.
            let c3: Scalar = 1 / 90720, c2: Scalar = -1 / 1680, c1: Scalar = 1 / 60, c0: Scalar = -1 / 6
            let inner: Scalar = c2 + s * c3
            return c0 + s * (c1 + s * inner)
        }
        let t = s.squareRoot()
        return (Scalar.cos(t) - Scalar.sin(t) / t) / (2 * s)
    }
}
