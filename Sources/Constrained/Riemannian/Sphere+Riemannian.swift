/// The sphere of radius `r` (rows `(…, n)`) with the metric of the embedding, `⟨u, v⟩ = Σ uᵢvᵢ`
/// (geoopt's `Sphere` for `r = 1`).
///
/// | | |
/// |---|---|
/// | tangent projection | `u − ⟨x, u⟩ x / r²` per row |
/// | retraction | `r (x + u) / ‖x + u‖` |
/// | exponential | `cos θ · x + (r sin θ / ‖u‖) · u`, `θ = ‖u‖ / r` |
/// | transport | `P_y(v)` |
///
/// A retraction step keeps `| ‖y‖ − r | / r ≤ 10 n ε` (the set's default tolerance).
extension Sphere: RiemannianManifold {
    /// `u − ⟨x, u⟩ x / r²`, row by row.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func projectToTangent(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(u, x, description, "projectToTangent")
        try validate(x.shape, operation: "projectToTangent")
        let x = x.detached(), u = u.detached()
        let along = (x * u).sum(alongAxes: [x.rank - 1], keepingDimensions: true) * (1 / (radius * radius))
        return u - x * along
    }

    /// `r (x + u) / ‖x + u‖`, row by row.
    ///
    /// - Throws: ``ConstrainedError`` when `x + u = 0` (no nearest point).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func retract(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(u, x, description, "retract")
        return try projection(x.detached() + u.detached())
    }

    /// The great circle: `cos θ · x + (r sin θ / ‖u‖) · u` with `θ = ‖u‖ / r` (the retraction
    /// for `‖u‖ ≤ ε r`, where both agree to rounding).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func exponential(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(u, x, description, "exponential")
        try validate(x.shape, operation: "exponential")
        let x = x.detached(), u = u.detached()
        let norms = u.norm(alongAxes: [u.rank - 1], keepingDimensions: true)
        let r = radius
        let cosine = norms.map { Scalar.cos($0 / r) }
        let sine = norms.map { $0 <= Scalar.ulpOfOne * r ? 1 : r * Scalar.sin($0 / r) / $0 }
        return x * cosine + u * sine
    }

    /// `Σ uᵢ vᵢ` over every row.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func inner(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Scalar {
        try RiemannianKernels.requireSameShape(u, x, description, "inner")
        try RiemannianKernels.requireSameShape(v, x, description, "inner")
        return RiemannianKernels.dot(u.detached(), v.detached())
    }

    /// `‖u‖²` per row, `(…, 1)`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func componentNorms(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(u, x, description, "componentNorms")
        let u = u.detached()
        return (u * u).sum(alongAxes: [u.rank - 1], keepingDimensions: true)
    }
}
