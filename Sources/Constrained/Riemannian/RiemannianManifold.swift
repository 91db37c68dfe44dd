/// A ``Manifold`` with the geometry Riemannian optimisation needs: a metric, the projection
/// onto tangent spaces, a retraction and a vector transport.
///
/// A point `x` of the set is stored as itself (``OnManifold``), and an optimizer moves it
/// along the set instead of through a parametrization:
/// ```
/// ξ = grad f(x)          = riemannianGradient(∇f(x), at: x)    the Riemannian gradient
/// y = R_x(−η ξ)          = retract(−η ξ, at: x)                stays on the set
/// m ← T_{x→y}(m)         = transport(m, from: x, to: y)        moments follow the point
/// ```
/// For a metric induced by the embedding (the sphere, Stiefel with the Euclidean metric, the
/// Grassmannian) the Riemannian gradient is the orthogonal projection of the Euclidean one onto
/// the tangent space, `P_x(∇f)`; for the affine-invariant metric of positive-definite matrices
/// it is `x sym(∇f) x`.
///
/// The operations follow geoopt's `Manifold` (`proju`, `egrad2rgrad`, `retr`, `expmap`,
/// `transp`, `inner`, `component_inner`, `projx`), so a set's geometry can be checked against it
/// rule for rule. Shapes are the shapes of points: a tangent vector at `x` has `x`'s shape.
///
/// ```swift
/// let stiefel = Orthogonal<Double>()
/// let x = try stiefel.sample(shape: [5, 2], seed: 1)
/// let xi = try stiefel.projectToTangent(Tensor.randomNormal([5, 2], seed: 2), at: x)
/// let y = try stiefel.retract(xi * -0.1, at: x)      // yᵀy = I
/// ```
public protocol RiemannianManifold<Scalar>: Manifold {
    /// The orthogonal projection (in the metric) of an ambient vector `u` onto the tangent space
    /// at `x`: idempotent, and `u − P_x(u)` is normal to the set at `x`.
    func projectToTangent(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar>

    /// The Riemannian gradient at `x` of a function whose Euclidean gradient is `g`: the tangent
    /// vector `ξ` with `⟨ξ, v⟩_x = ⟨g, v⟩` for every tangent `v`.
    func riemannianGradient(_ g: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar>

    /// A retraction `R_x(u)`: a point of the set, `R_x(0) = x`, `d/dt R_x(t u)|₀ = u`.
    func retract(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar>

    /// The exponential map `exp_x(u)` (the geodesic from `x` with velocity `u`, at time 1).
    func exponential(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar>

    /// A vector transport of the tangent vector `v` at `x` to the tangent space at `y`.
    func transport(_ v: Tensor<Scalar>, from x: Tensor<Scalar>, to y: Tensor<Scalar>) throws -> Tensor<Scalar>

    /// `R_x(u)` and the transport of `v` there, in one call (a set may share a factorisation).
    func retractAndTransport(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>, at x: Tensor<Scalar>) throws
        -> (point: Tensor<Scalar>, transported: Tensor<Scalar>)

    /// The metric `⟨u, v⟩_x`, summed over a batch.
    func inner(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Scalar

    /// `⟨u, u⟩_x` per component of the point (one value per vector of a sphere, per matrix of a
    /// Stiefel batch), shaped to broadcast against `x` (geoopt's `component_inner` with
    /// `keepdim`): the adaptive term of ``RiemannianAdam``.
    func componentNorms(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar>

    /// The point of the set nearest to a point that drifted off it by rounding (geoopt's
    /// `projx`); optimizers call it every `stabilizationPeriod` steps. Default: ``projection(_:)``.
    func stabilized(_ x: Tensor<Scalar>) throws -> Tensor<Scalar>
}

extension RiemannianManifold {
    /// `P_x(g)`: for a metric induced by the embedding.
    public func riemannianGradient(_ g: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try projectToTangent(g, at: x)
    }

    /// The retraction (a set overrides this where the geodesic is cheap).
    public func exponential(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try retract(u, at: x)
    }

    /// Projection transport: `P_y(v)`, for a metric induced by the embedding.
    public func transport(_ v: Tensor<Scalar>, from x: Tensor<Scalar>, to y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try projectToTangent(v, at: y)
    }

    /// ``retract(_:at:)`` then ``transport(_:from:to:)``.
    public func retractAndTransport(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>, at x: Tensor<Scalar>) throws
        -> (point: Tensor<Scalar>, transported: Tensor<Scalar>) {
        let y = try retract(u, at: x)
        return (y, try transport(v, from: x, to: y))
    }

    /// ``projection(_:)``.
    public func stabilized(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try projection(x)
    }
}

/// Helpers shared by the sets' geometry (untracked host arithmetic on detached tensors).
enum RiemannianKernels {
    /// `(a + aᵀ) / 2` over the last two axes.
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func symmetric<Scalar>(_ a: Tensor<Scalar>) -> Tensor<Scalar> {
        (a + a.transposed()) * Scalar(0.5)
    }

    /// `Σ uᵢ vᵢ`.
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func dot<Scalar>(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>) -> Scalar {
        u.withUnsafeBufferPointer { u in
            v.withUnsafeBufferPointer { v in
                var s: Scalar = 0
                for i in 0..<u.count { s += u[i] * v[i] }
                return s
            }
        }
    }

    /// `Q diag(f(λ)) Qᵀ` for the eigendecomposition `(λ, Q)` of a (batch of) symmetric matrix.
    @inlinable
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func spectralFunction<Scalar>(_ values: Tensor<Scalar>, _ vectors: Tensor<Scalar>,
                                         _ f: (Scalar) -> Scalar) -> Tensor<Scalar> {
        symmetricMatrix(eigenvalues: values.map(f), eigenvectors: vectors)
    }

    /// Checks that `u` has the shape of the point `x`.
    static func requireSameShape<Scalar>(_ u: Tensor<Scalar>, _ x: Tensor<Scalar>, _ subject: String, _ operation: String) throws {
        guard u.shape == x.shape else {
            throw ConstrainedError(operation, subject: subject, shape: u.shape,
                                   cause: .shapeMismatch(expected: x.shape, found: u.shape))
        }
    }
}
