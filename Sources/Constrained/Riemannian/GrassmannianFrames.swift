/// The Grassmannian `Gr(n, k)` of k-dimensional subspaces of ℝⁿ, each represented by an
/// orthonormal frame `x` (`(…, n, k)`, `xᵀx = I`) with the quotient metric `tr(uᵀv)` on
/// horizontal vectors (`xᵀu = 0`).
///
/// Placeholder for the catalogue's `Grassmannian` until it lands on this branch: the geometry
/// is in ``StiefelGeometry`` and moves over as a few forwarding lines.
///
/// | | |
/// |---|---|
/// | tangent (horizontal) projection | `u − x xᵀu` |
/// | retraction | Q of `x + u` (non-negative R diagonal) |
/// | transport | `P_y(v)` |
struct GrassmannianFrames<Scalar: TensorScalar>: RiemannianManifold {
    var description: String { "Grassmannian" }

    /// The sign-fixed Q factor of `x` (a frame of its column space).
    func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try StiefelGeometry.onTall(x, x, description, "forward") { x, _ in
            try ConstrainedError.wrappingLinearAlgebra("forward", subject: description) {
                try qr(x, nonNegativeDiagonal: true).q
            }
        }
    }

    /// A frame is its own original (checked).
    func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try admitting(y, projectingIfOff: false, projected: projection)
    }

    /// `max |xᵀx − I|`.
    func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        let (tall, _) = try StiefelGeometry.tall(y.detached(), description, "contains")
        return Orthogonal<Scalar>.orthogonalityDefect(tall)
    }

    /// `10 n ε`.
    func defaultTolerance(for shape: [Int]) -> Scalar {
        10 * Scalar(shape.suffix(2).max() ?? 1) * Scalar.ulpOfOne
    }

    /// The polar factor.
    func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try Orthogonal<Scalar>(usesTrivialization: false).projection(y)
    }

    /// A frame of a uniformly distributed subspace (a Haar frame).
    func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        try Orthogonal<Scalar>(usesTrivialization: false).sample(shape: shape, using: &generator)
    }

    /// `u − x xᵀu`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    func projectToTangent(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try StiefelGeometry.onTall(x, u, description, "projectToTangent") { x, u in
            StiefelGeometry.horizontalProjection(u, at: x)
        }
    }

    /// The sign-fixed Q factor of `x + u`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    func retract(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try StiefelGeometry.onTall(x, u, description, "retract") { x, u in
            try StiefelGeometry.qrRetraction(u, at: x, description)
        }
    }

    /// `tr(uᵀv)` summed over a batch.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    func inner(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Scalar {
        try RiemannianKernels.requireSameShape(u, x, description, "inner")
        try RiemannianKernels.requireSameShape(v, x, description, "inner")
        return RiemannianKernels.dot(u.detached(), v.detached())
    }

    /// `tr(uᵀu)` per matrix.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    func componentNorms(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(u, x, description, "componentNorms")
        return StiefelGeometry.frobeniusPerMatrix(u.detached())
    }
}
