/// Symmetric positive-definite matrices `(…, n, n)` with the affine-invariant metric, stored
/// as themselves: the set for `@OnManifold(SymmetricPositiveDefinite())` (geoopt's
/// `SymmetricPositiveDefinite`). For a parametrization of the same set use ``PositiveDefinite``.
///
/// | | |
/// |---|---|
/// | metric | `⟨u, v⟩_x = tr(x⁻¹ u x⁻¹ v)` (affine-invariant) |
/// | tangent projection | `sym(u) = (u + uᵀ)/2` |
/// | Riemannian gradient | `x sym(g) x` |
/// | retraction | `sym(x + u + ½ u x⁻¹ u)` (second order; positive definite for every symmetric `u`) |
/// | exponential | `x^½ exp(x^-½ u x^-½) x^½` |
/// | transport | parallel transport along the geodesic: `E sym(u) Eᵀ`, `E = x^½ (x^-½ y x^-½)^½ x^-½` |
/// | stabilisation / projection | `Q |Λ| Qᵀ` of `sym(y)` (geoopt's `projx`) |
///
/// **Computation.** Every formula is evaluated through the Cholesky factor `x = L Lᵀ` instead of
/// the eigendecomposition of `x`: the congruence `z ↦ L⁻¹ z L⁻ᵀ` is an isometry of the metric
/// that sends `x` to `I`, so `⟨u, v⟩_x = ⟨L⁻¹uL⁻ᵀ, L⁻¹vL⁻ᵀ⟩_F`, the exponential is
/// `L exp(L⁻¹uL⁻ᵀ) Lᵀ`, and `E = L m^½ L⁻¹` with `m = L⁻¹ y L⁻ᵀ` (the principal square root of
/// `y x⁻¹`, the same `E` as above). One step of ``RiemannianAdam`` then costs one Cholesky
/// factorisation and, for the small steps of training (`m` near `I`), no eigendecomposition:
/// `m^½` is a short Taylor polynomial whose degree is chosen so that the truncation error is
/// below the unit roundoff (see ``SymmetricSquareRoot``); far from `I` it is `eigh`-based.
///
/// As a ``Parametrization`` it maps a square `s` to `exp(sym(s))` through the eigendecomposition
/// (right inverse: the matrix logarithm). **Set.** ``deviation(of:)`` is the larger of `max |y − yᵀ| / max|y|` and, when
/// the smallest eigenvalue is not positive, `1 − λ_min / λ_max`; the tolerance is `10 n ε`.
/// ``sample(shape:using:)`` draws `exp(S)`, `S` symmetric with standard normal entries / √n.
public struct SymmetricPositiveDefinite<Scalar: TensorScalar>: RiemannianManifold {
    /// The Cholesky factor of the last point seen, so that the several operations of one
    /// optimizer step at the same `x` share one factorisation.
    let factorCache = FactorCache()

    /// The set of symmetric positive-definite matrices.
    public init() {}

    /// The Cholesky factor of `x`, from the cache when `x` is the tensor (same storage and
    /// version) it was computed for.
    func factor(_ x: Tensor<Scalar>, _ operation: String) throws -> Factor {
        let key = ContentKey(x)
        if let hit = factorCache.entry.withLock({ $0 }), hit.key == key, let factor = hit.factor as? Factor { return factor }
        let factor = try Factor(x.detached(), description, operation)
        factorCache.entry.withLock { $0 = (key, factor) }
        return factor
    }

    /// `SymmetricPositiveDefinite`.
    public var description: String { "SymmetricPositiveDefinite" }

    /// `exp(sym(s))`, positive definite for every square `s`.
    public func forward(_ s: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, s.shape)
        // exp(sym(s)) = Q diag(exp λ) Qᵀ, differentiable through eigh.
        return try ConstrainedError.wrappingLinearAlgebra("forward", subject: description) {
            let (values, vectors) = try eigh((s + s.transposed()) * Scalar(0.5))
            let scale = exp(values).reshaped(to: Array(values.shape.dropLast()) + [1, values.shape[values.rank - 1]])
            return matmul(vectors * scale, transposed: false, vectors, transposed: true)
        }
    }

    /// The symmetric logarithm of `y` (checked to be on the set).
    public func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let y = try admitting(y, projectingIfOff: false, projected: projection)
        return try ConstrainedError.wrappingLinearAlgebra("rightInverse", subject: description) {
            let (values, vectors) = try eigh(RiemannianKernels.symmetric(y.detached()))
            return RiemannianKernels.spectralFunction(values, vectors) { Scalar.log($0) }
        }
    }

    /// Checks that `shape` is a (batch of) square matrix.
    public func register(shape: [Int]) throws {
        try ConstrainedError.requireSquare(description, shape, operation: "register")
    }

    /// The asymmetry relative to the largest entry, or `1 − λ_min/λ_max` when some eigenvalue
    /// is not positive.
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        try ConstrainedError.requireSquare(description, y.shape, operation: "contains")
        let y = y.detached()
        let scale = Swift.max(y.maxMagnitude, Scalar.leastNormalMagnitude)
        let asymmetry = (y - y.transposed()).maxMagnitude / scale
        let values = try ConstrainedError.wrappingLinearAlgebra("contains", subject: description) {
            try eigh(RiemannianKernels.symmetric(y)).values
        }
        let n = y.shape[y.rank - 1], batches = y.scalarCount / Swift.max(n * n, 1)
        var indefiniteness: Scalar = 0
        values.withUnsafeBufferPointer { v in
            for b in 0..<batches {
                let low = v[b * n], high = Swift.max(Swift.abs(v[b * n + n - 1]), Scalar.leastNormalMagnitude)
                if low <= 0 { indefiniteness = Swift.max(indefiniteness, 1 - low / high) }
            }
        }
        return Swift.max(asymmetry, indefiniteness)
    }

    /// `10 n ε`.
    public func defaultTolerance(for shape: [Int]) -> Scalar {
        10 * Scalar(shape.last ?? 1) * Scalar.ulpOfOne
    }

    /// `Q |Λ| Qᵀ` for `sym(y) = Q Λ Qᵀ` (geoopt's `projx`): the identity on the set.
    ///
    /// - Throws: ``ConstrainedError`` when the result is singular (an eigenvalue 0).
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, y.shape, operation: "projection")
        return try ConstrainedError.wrappingLinearAlgebra("projection", subject: description) {
            let (values, vectors) = try eigh(RiemannianKernels.symmetric(y.detached()))
            return RiemannianKernels.spectralFunction(values, vectors) { Swift.abs($0) }
        }
    }

    /// `exp(S)`, `S` symmetric with independent `N(0, 1/n)` entries above the diagonal.
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, shape, operation: "sample")
        let n = shape[shape.count - 1]
        let g = Tensor<Scalar>.randomNormal(shape, using: &generator) * (1 / Scalar(n).squareRoot())
        return try forward(g.triu() + g.triu(1).transposed())
    }

    // MARK: Geometry

    /// `sym(u)`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func projectToTangent(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(u, x, description, "projectToTangent")
        return RiemannianKernels.symmetric(u.detached())
    }

    /// `x sym(g) x`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func riemannianGradient(_ g: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(g, x, description, "riemannianGradient")
        let x = x.detached()
        return matmul(matmul(x, RiemannianKernels.symmetric(g.detached())), x)
    }

    /// `sym(x + u + ½ u x⁻¹ u)`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func retract(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(u, x, description, "retract")
        let factor = try self.factor(x, "retract")
        return factor.secondOrderRetraction(u.detached(), at: x.detached())
    }

    /// `x^½ exp(x^-½ u x^-½) x^½`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func exponential(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(u, x, description, "exponential")
        let factor = try self.factor(x, "exponential")
        return try ConstrainedError.wrappingLinearAlgebra("exponential", subject: description) {
            let (values, vectors) = try eigh(RiemannianKernels.symmetric(factor.whitened(u.detached())))
            return RiemannianKernels.symmetric(factor.coloured(RiemannianKernels.spectralFunction(values, vectors) { Scalar.exp($0) }))
        }
    }

    /// Parallel transport along the geodesic from `x` to `y`: `E sym(v) Eᵀ`,
    /// `E = x^½ (x^-½ y x^-½)^½ x^-½` (geoopt's `transp`).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func transport(_ v: Tensor<Scalar>, from x: Tensor<Scalar>, to y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(v, x, description, "transport")
        try RiemannianKernels.requireSameShape(y, x, description, "transport")
        let factor = try self.factor(x, "transport")
        return try factor.parallelTransport(v.detached(), to: y.detached(), description)
    }

    /// The retraction and the parallel transport to its end point, sharing one Cholesky
    /// factorisation of `x`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func retractAndTransport(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>, at x: Tensor<Scalar>) throws
        -> (point: Tensor<Scalar>, transported: Tensor<Scalar>) {
        try RiemannianKernels.requireSameShape(u, x, description, "retract")
        try RiemannianKernels.requireSameShape(v, x, description, "transport")
        let factor = try self.factor(x, "retract")
        let y = factor.secondOrderRetraction(u.detached(), at: x.detached())
        return (y, try factor.parallelTransport(v.detached(), to: y, description))
    }

    /// `tr(x⁻¹ u x⁻¹ v)` summed over a batch.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func inner(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Scalar {
        try RiemannianKernels.requireSameShape(u, x, description, "inner")
        try RiemannianKernels.requireSameShape(v, x, description, "inner")
        let factor = try self.factor(x, "inner")
        // tr(x⁻¹u x⁻¹v) = tr(A B) with A = L⁻¹uL⁻ᵀ, B = L⁻¹vL⁻ᵀ; tr(A B) = Σ (A ∘ Bᵀ)ᵢⱼ.
        let a = factor.whitened(u.detached())
        let b = factor.whitened(v.detached())
        return RiemannianKernels.dot(a, b.transposed())
    }

    /// `tr(x⁻¹ u x⁻¹ u)` per matrix, `(…, 1, 1)`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func componentNorms(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(u, x, description, "componentNorms")
        let factor = try self.factor(x, "componentNorms")
        // tr(x⁻¹u x⁻¹u) = tr(A A) with A = L⁻¹uL⁻ᵀ.
        let a = factor.whitened(u.detached())
        return (a * a.transposed()).sum(alongAxes: [a.rank - 2, a.rank - 1], keepingDimensions: true)
    }

    /// The last `(x, factor)` pair, shared by copies of the set (keyed by content, so sharing is safe).
    final class FactorCache: @unchecked Sendable {
        let entry = Lock<(key: ContentKey, factor: Any)?>(nil)
    }

    /// The lower Cholesky factor `L` of a point `x = L Lᵀ`, and the congruences built on it.
    struct Factor {
        let l: Tensor<Scalar>

        /// - Throws: ``ConstrainedError`` (`.linearAlgebra`) when `x` is not numerically
        ///   positive definite.
        init(_ x: Tensor<Scalar>, _ subject: String, _ operation: String) throws {
            try ConstrainedError.requireSquare(subject, x.shape, operation: operation)
            l = try ConstrainedError.wrappingLinearAlgebra(operation, subject: subject) {
                try cholesky(RiemannianKernels.symmetric(x))
            }
        }

        /// `L⁻¹ z L⁻ᵀ`: the congruence that sends `x` to `I` (two triangular solves per matrix,
        /// in place on one copy of `z`).
        func whitened(_ z: Tensor<Scalar>) -> Tensor<Scalar> {
            solving(z, secondSolve: .right)
        }

        /// `x⁻¹ z = L⁻ᵀ (L⁻¹ z)`.
        func inverseTimes(_ z: Tensor<Scalar>) -> Tensor<Scalar> {
            solving(z, secondSolve: .leftTransposed)
        }

        enum SecondSolve { case right, leftTransposed }

        /// `L⁻¹ z`, then `· L⁻ᵀ` or `L⁻ᵀ ·`, batched. `L` is a Cholesky factor, so its diagonal is
        /// positive and finite: the solves cannot fail.
        func solving(_ z: Tensor<Scalar>, secondSolve: SecondSolve) -> Tensor<Scalar> {
            let n = l.shape[l.rank - 1]
            let count = n == 0 ? 0 : z.scalarCount / (n * n)
            var result = z
            result.withUnsafeMutableBufferPointer { out in
                l.withUnsafeBufferPointer { factor in
                    for b in 0..<count {
                        let f = factor.baseAddress! + b * n * n, m = out.baseAddress! + b * n * n
                        Scalar.trsm(left: true, upper: false, transA: false, unitDiagonal: false, m: n, n: n,
                                    alpha: 1, a: f, lda: n, b: m, ldb: n)
                        switch secondSolve {
                        case .right:
                            Scalar.trsm(left: false, upper: false, transA: true, unitDiagonal: false, m: n, n: n,
                                        alpha: 1, a: f, lda: n, b: m, ldb: n)
                        case .leftTransposed:
                            Scalar.trsm(left: true, upper: false, transA: true, unitDiagonal: false, m: n, n: n,
                                        alpha: 1, a: f, lda: n, b: m, ldb: n)
                        }
                    }
                }
            }
            return result
        }

        /// `L z Lᵀ`, the inverse congruence.
        func coloured(_ z: Tensor<Scalar>) -> Tensor<Scalar> {
            matmul(matmul(l, z), transposed: false, l, transposed: true)
        }

        /// `sym(x + u + ½ u x⁻¹ u)`, with `x⁻¹ u = L⁻ᵀ (L⁻¹ u)`.
        func secondOrderRetraction(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) -> Tensor<Scalar> {
            RiemannianKernels.symmetric(x + u + matmul(u, inverseTimes(u)) * Scalar(0.5))
        }

        /// `E sym(v) Eᵀ` with `E = L m^½ L⁻¹`, `m = L⁻¹ y L⁻ᵀ`: `L m^½ sym(L⁻¹ v L⁻ᵀ) m^½ Lᵀ`.
        func parallelTransport(_ v: Tensor<Scalar>, to y: Tensor<Scalar>, _ subject: String) throws -> Tensor<Scalar> {
            try ConstrainedError.wrappingLinearAlgebra("transport", subject: subject) {
                let half = try SymmetricSquareRoot.of(RiemannianKernels.symmetric(whitened(y)))
                let inner = RiemannianKernels.symmetric(whitened(v))
                return coloured(matmul(matmul(half, inner), half))
            }
        }
    }
}
