/// The geometry of tall orthonormal frames `(…, n, k)`, `xᵀx = I`, with the metric of the
/// embedding `⟨u, v⟩ = tr(uᵀv)` (geoopt's `EuclideanStiefel`), shared by the Stiefel manifold
/// and the Grassmannian (whose points are the same frames, up to rotation).
///
/// - Stiefel tangent projection: `P_x(u) = u − x sym(xᵀu)`, `sym(a) = (a + aᵀ)/2`.
/// - Grassmannian (horizontal) projection: `P_x(u) = u − x xᵀu`.
/// - Retraction: the Q factor of `x + u`, with R's diagonal made non-negative (the unique QR
///   factor for a full-rank `x + u`), by Cholesky QR when `x + u` is well conditioned, else
///   Householder; it keeps `yᵀy = I` to rounding, `O(n k ε)`.
/// - Exponential maps: the exact geodesics (`StiefelExponential.swift`).
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
    ///
    /// For a well-conditioned `a = x + u` (every step of an optimizer: for a tangent `u`,
    /// `aᵀa = I + uᵀu`) the factor comes from Cholesky QR, `aᵀa = L Lᵀ`, `Q = a L⁻ᵀ`: the same Q
    /// (R = Lᵀ has a positive diagonal) in two BLAS-3 calls of `n k²` flops instead of
    /// Householder's `4 n k²`. Its loss of orthogonality grows like `ε κ(a)²`, so it is used only
    /// when Gershgorin's theorem proves `κ(a) < 1.5` (a few ε); otherwise Householder QR.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func qrRetraction<Scalar>(_ u: Tensor<Scalar>, at x: Tensor<Scalar>, _ subject: String) throws -> Tensor<Scalar> {
        let a = x + u
        if let q = choleskyQR(a) { return q }
        return try ConstrainedError.wrappingLinearAlgebra("retract", subject: subject) {
            try qr(a, nonNegativeDiagonal: true).q
        }
    }

    /// `a L⁻ᵀ` for `aᵀa = L Lᵀ`, or nil when Gershgorin's discs of `aᵀa` do not prove
    /// `κ(aᵀa) < 2.25` (so `κ(a) < 1.5`), or the factorisation fails.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func choleskyQR<Scalar>(_ a: Tensor<Scalar>) -> Tensor<Scalar>? {
        let n = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
        guard n > 0, k > 0 else { return nil }
        let gram = matmul(a, transposed: true, a, transposed: false)
        let batches = a.scalarCount / (n * k)
        let wellConditioned = gram.withUnsafeBufferPointer { p -> Bool in
            for b in 0..<batches {
                var low = Scalar.infinity, high: Scalar = 0
                for i in 0..<k {
                    let row = b * k * k + i * k
                    var radius: Scalar = 0
                    for j in 0..<k where j != i { radius += Swift.abs(p[row + j]) }
                    low = Swift.min(low, p[row + i] - radius)
                    high = Swift.max(high, p[row + i] + radius)
                }
                guard low > 0, high < low * Scalar(2.25) else { return false }
            }
            return true
        }
        guard wellConditioned, let l = try? cholesky(gram) else { return nil }
        var q = a
        q.withUnsafeMutableBufferPointer { qp in
            l.withUnsafeBufferPointer { lp in
                for b in 0..<batches {
                    Scalar.trsm(left: false, upper: false, transA: true, unitDiagonal: false, m: n, n: k, alpha: 1,
                                a: lp.baseAddress! + b * k * k, lda: k, b: qp.baseAddress! + b * n * k, ldb: k)
                }
            }
        }
        return q
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
