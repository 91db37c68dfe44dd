/// The catalogue's ``PositiveDefinite`` with the affine-invariant geometry of
/// ``SymmetricPositiveDefinite`` (the same formulas; its own membership, tolerance and
/// projection), so `@OnManifold(PositiveDefinite())` keeps a covariance on the set.
extension PositiveDefinite: RiemannianManifold {
    var geometry: SymmetricPositiveDefinite<Scalar> { SymmetricPositiveDefinite() }

    /// `sym(u)`.
    public func projectToTangent(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try geometry.projectToTangent(u, at: x)
    }

    /// `x sym(g) x`.
    public func riemannianGradient(_ g: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try geometry.riemannianGradient(g, at: x)
    }

    /// `sym(x + u + ½ u x⁻¹ u)`.
    public func retract(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try geometry.retract(u, at: x)
    }

    /// `x^½ exp(x^-½ u x^-½) x^½`.
    public func exponential(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try geometry.exponential(u, at: x)
    }

    /// Parallel transport along the geodesic.
    public func transport(_ v: Tensor<Scalar>, from x: Tensor<Scalar>, to y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try geometry.transport(v, from: x, to: y)
    }

    /// The retraction and the transport, sharing one eigendecomposition of `x`.
    public func retractAndTransport(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>, at x: Tensor<Scalar>) throws
        -> (point: Tensor<Scalar>, transported: Tensor<Scalar>) {
        try geometry.retractAndTransport(u, v, at: x)
    }

    /// `tr(x⁻¹ u x⁻¹ v)`.
    public func inner(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Scalar {
        try geometry.inner(u, v, at: x)
    }

    /// `tr(x⁻¹ u x⁻¹ u)` per matrix.
    public func componentNorms(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try geometry.componentNorms(u, at: x)
    }
}
