// Scalar functions the catalogue's right inverses need and LinAlg does not provide.

/// Elementwise scalar helpers of the parametrizations.
enum Pointwise {
    /// The inverse of softplus, `log(eʸ − 1)` for `y > 0`, without cancellation or overflow:
    /// `y + log(−expm1(−y))`. For large `y` the correction `log(1 − e⁻ʸ)` is tiny and exact
    /// to relative ε (the naive form overflows at `y > 709`); for small `y`, `expm1(−y) ≈ −y`
    /// keeps full accuracy where `eʸ − 1` would cancel. Not differentiated (right inverses
    /// run untracked).
    @inlinable
    static func softplusInverse<Scalar: TensorScalar>(_ y: Scalar) -> Scalar {
        y + Scalar.log(-Scalar.expMinusOne(-y))
    }
}

extension Pointwise {
    /// `log(1 + eˣ)` without overflow: `max(x, 0) + log1p(e^{−|x|})`.
    static func softplus<Scalar: TensorScalar>(_ x: Scalar) -> Scalar {
        Swift.max(x, 0) + Scalar.log(onePlus: Scalar.exp(-Swift.abs(x)))
    }

    /// `1 / (1 + e⁻ˣ)`, the derivative of softplus, without overflow.
    static func sigmoid<Scalar: TensorScalar>(_ x: Scalar) -> Scalar {
        if x >= 0 { return 1 / (1 + Scalar.exp(-x)) }
        let e = Scalar.exp(x)
        return e / (1 + e)
    }
}
