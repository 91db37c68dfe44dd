/// The Grassmannian's geometry on orthonormal representatives `x` (`(…, n, k)`, `xᵀx = I`),
/// with the quotient metric `tr(uᵀv)` on horizontal vectors (`xᵀu = 0`).
///
/// | | |
/// |---|---|
/// | tangent (horizontal) projection | `u − x xᵀu` |
/// | retraction | Q of `x + u` (non-negative R diagonal) |
/// | exponential | `x V cos(Σ) Vᵀ + W sin(Σ) Vᵀ`, `u = W Σ Vᵀ` (the geodesic) |
/// | transport | `P_y(v)` |
///
/// A retraction step keeps `max |yᵀy − I| ≤ 10 n ε` (the set's default tolerance).
extension Grassmannian: RiemannianManifold {
    /// `u − x xᵀu` (transposed for a wide `x`).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func projectToTangent(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try StiefelGeometry.onTall(x, u, description, "projectToTangent") { x, u in
            StiefelGeometry.horizontalProjection(u, at: x)
        }
    }

    /// The sign-fixed Q factor of `x + u`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func retract(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try StiefelGeometry.onTall(x, u, description, "retract") { x, u in
            try StiefelGeometry.qrRetraction(u, at: x, description)
        }
    }

    /// `tr(uᵀv)` summed over a batch.
    public func inner(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Scalar {
        try RiemannianKernels.requireSameShape(u, x, description, "inner")
        try RiemannianKernels.requireSameShape(v, x, description, "inner")
        return RiemannianKernels.dot(u.detached(), v.detached())
    }

    /// `tr(uᵀu)` per matrix, `(…, 1, 1)`.
    public func componentNorms(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(u, x, description, "componentNorms")
        _ = try StiefelGeometry.tall(x, description, "componentNorms")
        return StiefelGeometry.frobeniusPerMatrix(u.detached())
    }
}
