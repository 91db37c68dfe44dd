/// The geometry of tall orthonormal frames `(…, n, k)`, `xᵀx = I`, with the metric of the
/// embedding `⟨u, v⟩ = tr(uᵀv)` (geoopt's `EuclideanStiefel`), shared by the Stiefel manifold
/// and the Grassmannian (whose points are the same frames, up to rotation).
///
/// - Stiefel tangent projection: `P_x(u) = u − x sym(xᵀu)`, `sym(a) = (a + aᵀ)/2`.
/// - Grassmannian (horizontal) projection: `P_x(u) = u − x xᵀu`.
/// - Retraction: the Q factor of `x + u`, with R's diagonal made non-negative (the unique QR
///   factor for a full-rank `x + u`); it keeps `yᵀy = I` to rounding, `O(n k ε)`.
/// Wide matrices `(…, k, n)` are handled by their transposes.
enum StiefelGeometry {
    /// `x` as a tall frame and whether it was transposed; throws for a non-matrix.
    static func tall<Scalar>(_ x: Tensor<Scalar>, _ subject: String, _ operation: String) throws -> (Tensor<Scalar>, Bool) {
        guard x.rank >= 2 else {
            throw ConstrainedError(operation, subject: subject, shape: x.shape,
                                   cause: .invalidShape("expected a matrix or a batch of matrices (..., n, k)"))
        }
        let wide = x.shape[x.rank - 2] < x.shape[x.rank - 1]
        return (wide ? x.transposed() : x, wide)
    }

    /// Runs `body` on tall forms of `x` and `u` and returns its result in `x`'s orientation.
    static func onTall<Scalar>(_ x: Tensor<Scalar>, _ u: Tensor<Scalar>, _ subject: String, _ operation: String,
                               _ body: (Tensor<Scalar>, Tensor<Scalar>) throws -> Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(u, x, subject, operation)
        let (tx, wide) = try tall(x.detached(), subject, operation)
        let result = try body(tx, wide ? u.detached().transposed() : u.detached())
        return wide ? result.transposed() : result
    }

    /// `u − x sym(xᵀu)` for tall `x`, `u`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func stiefelProjection<Scalar>(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) -> Tensor<Scalar> {
        u - matmul(x, RiemannianKernels.symmetric(matmul(x, transposed: true, u, transposed: false)))
    }

    /// `u − x xᵀu` for tall `x`, `u`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func horizontalProjection<Scalar>(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) -> Tensor<Scalar> {
        u - matmul(x, matmul(x, transposed: true, u, transposed: false))
    }

    /// The sign-fixed Q factor of `x + u` for tall `x`, `u`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func qrRetraction<Scalar>(_ u: Tensor<Scalar>, at x: Tensor<Scalar>, _ subject: String) throws -> Tensor<Scalar> {
        try ConstrainedError.wrappingLinearAlgebra("retract", subject: subject) {
            try qr(x + u, nonNegativeDiagonal: true).q
        }
    }

    /// `tr(uᵀu)` per matrix, shaped `(…, 1, 1)`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func frobeniusPerMatrix<Scalar>(_ u: Tensor<Scalar>) -> Tensor<Scalar> {
        (u * u).sum(alongAxes: [u.rank - 2, u.rank - 1], keepingDimensions: true)
    }
}

/// The Stiefel manifold with the Euclidean metric: tall `(…, n, k)` frames with `xᵀx = I`
/// (or wide ones with `xxᵀ = I`), the orthogonal group when square.
///
/// | | |
/// |---|---|
/// | metric | `⟨u, v⟩ = tr(uᵀv)` |
/// | tangent projection | `u − x sym(xᵀu)` |
/// | retraction | Q of `x + u` (non-negative R diagonal) |
/// | transport | `P_y(v)` |
/// | stabilisation | the polar factor (``projection(_:)``) |
///
/// A retraction step keeps `max |yᵀy − I| ≤ 10 n ε` (the set's default tolerance).
extension Orthogonal: RiemannianManifold {
    /// `u − x sym(xᵀu)` (transposed for a wide `x`).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func projectToTangent(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try StiefelGeometry.onTall(x, u, description, "projectToTangent") { x, u in
            StiefelGeometry.stiefelProjection(u, at: x)
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
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func inner(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Scalar {
        try RiemannianKernels.requireSameShape(u, x, description, "inner")
        try RiemannianKernels.requireSameShape(v, x, description, "inner")
        return RiemannianKernels.dot(u.detached(), v.detached())
    }

    /// `tr(uᵀu)` per matrix, `(…, 1, 1)`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func componentNorms(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(u, x, description, "componentNorms")
        _ = try StiefelGeometry.tall(x, description, "componentNorms")
        return StiefelGeometry.frobeniusPerMatrix(u.detached())
    }
}
