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
/// As a ``Parametrization`` it maps a square `s` to `exp(sym(s))` through the eigendecomposition
/// (right inverse: the matrix logarithm). **Set.** ``deviation(of:)`` is the larger of `max |y − yᵀ| / max|y|` and, when
/// the smallest eigenvalue is not positive, `1 − λ_min / λ_max`; the tolerance is `10 n ε`.
/// ``sample(shape:using:)`` draws `exp(S)`, `S` symmetric with standard normal entries / √n.
public struct SymmetricPositiveDefinite<Scalar: TensorScalar>: RiemannianManifold {
    /// The roots of the last point seen, so that the several operations of one optimizer step
    /// at the same `x` share one eigendecomposition.
    let rootsCache = RootsCache()

    /// The set of symmetric positive-definite matrices.
    public init() {}

    /// The roots of `x`, from the cache when `x` is the tensor (same storage and version) they
    /// were computed for.
    func roots(_ x: Tensor<Scalar>, _ operation: String) throws -> Roots {
        let key = ContentKey(x)
        if let hit = rootsCache.entry.withLock({ $0 }), hit.key == key, let roots = hit.roots as? Roots { return roots }
        let roots = try Roots(x.detached(), description, operation)
        rootsCache.entry.withLock { $0 = (key, roots) }
        return roots
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
        let roots = try self.roots(x, "retract")
        return Self.secondOrderRetraction(u.detached(), at: x.detached(), inverse: roots.inverse)
    }

    /// `x^½ exp(x^-½ u x^-½) x^½`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func exponential(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(u, x, description, "exponential")
        let roots = try self.roots(x, "exponential")
        let inner = RiemannianKernels.symmetric(matmul(matmul(roots.inverseSqrt, u.detached()), roots.inverseSqrt))
        return try ConstrainedError.wrappingLinearAlgebra("exponential", subject: description) {
            let (values, vectors) = try eigh(inner)
            let e = RiemannianKernels.spectralFunction(values, vectors) { Scalar.exp($0) }
            return RiemannianKernels.symmetric(matmul(matmul(roots.sqrt, e), roots.sqrt))
        }
    }

    /// Parallel transport along the geodesic from `x` to `y`: `E sym(v) Eᵀ`,
    /// `E = x^½ (x^-½ y x^-½)^½ x^-½` (geoopt's `transp`).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func transport(_ v: Tensor<Scalar>, from x: Tensor<Scalar>, to y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(v, x, description, "transport")
        try RiemannianKernels.requireSameShape(y, x, description, "transport")
        let roots = try self.roots(x, "transport")
        return try Self.parallelTransport(v.detached(), to: y.detached(), roots: roots, description)
    }

    /// The retraction and the parallel transport to its end point, sharing one
    /// eigendecomposition of `x`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func retractAndTransport(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>, at x: Tensor<Scalar>) throws
        -> (point: Tensor<Scalar>, transported: Tensor<Scalar>) {
        try RiemannianKernels.requireSameShape(u, x, description, "retract")
        try RiemannianKernels.requireSameShape(v, x, description, "transport")
        let roots = try self.roots(x, "retract")
        let y = Self.secondOrderRetraction(u.detached(), at: x.detached(), inverse: roots.inverse)
        return (y, try Self.parallelTransport(v.detached(), to: y, roots: roots, description))
    }

    /// `tr(x⁻¹ u x⁻¹ v)` summed over a batch.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func inner(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Scalar {
        try RiemannianKernels.requireSameShape(u, x, description, "inner")
        try RiemannianKernels.requireSameShape(v, x, description, "inner")
        let inverse = try roots(x, "inner").inverse
        // tr(A B) = Σ Aᵢⱼ Bⱼᵢ = Σ (A ∘ Bᵀ)ᵢⱼ with A = x⁻¹u, B = x⁻¹v.
        return RiemannianKernels.dot(matmul(inverse, u.detached()), matmul(inverse, v.detached()).transposed())
    }

    /// `tr(x⁻¹ u x⁻¹ u)` per matrix, `(…, 1, 1)`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    public func componentNorms(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try RiemannianKernels.requireSameShape(u, x, description, "componentNorms")
        let inverse = try roots(x, "componentNorms").inverse
        let a = matmul(inverse, u.detached())
        return (a * a.transposed()).sum(alongAxes: [a.rank - 2, a.rank - 1], keepingDimensions: true)
    }

    /// The last `(x, roots)` pair, shared by copies of the set (keyed by content, so sharing is safe).
    final class RootsCache: @unchecked Sendable {
        let entry = Lock<(key: ContentKey, roots: Any)?>(nil)
    }

    /// `x⁻¹`, `x^½` and `x^-½` from one eigendecomposition of `x`.
    struct Roots {
        let inverse: Tensor<Scalar>
        let sqrt: Tensor<Scalar>
        let inverseSqrt: Tensor<Scalar>

        init(_ x: Tensor<Scalar>, _ subject: String, _ operation: String) throws {
            try ConstrainedError.requireSquare(subject, x.shape, operation: operation)
            let (values, vectors) = try ConstrainedError.wrappingLinearAlgebra(operation, subject: subject) {
                try eigh(RiemannianKernels.symmetric(x))
            }
            inverse = RiemannianKernels.spectralFunction(values, vectors) { 1 / $0 }
            sqrt = RiemannianKernels.spectralFunction(values, vectors) { $0.squareRoot() }
            inverseSqrt = RiemannianKernels.spectralFunction(values, vectors) { 1 / $0.squareRoot() }
        }
    }

    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func secondOrderRetraction(_ u: Tensor<Scalar>, at x: Tensor<Scalar>, inverse: Tensor<Scalar>) -> Tensor<Scalar> {
        RiemannianKernels.symmetric(x + u + matmul(matmul(u, inverse), u) * Scalar(0.5))
    }

    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func parallelTransport(_ v: Tensor<Scalar>, to y: Tensor<Scalar>, roots: Roots, _ subject: String) throws -> Tensor<Scalar> {
        let m = RiemannianKernels.symmetric(matmul(matmul(roots.inverseSqrt, y), roots.inverseSqrt))
        let half = try ConstrainedError.wrappingLinearAlgebra("transport", subject: subject) {
            let (values, vectors) = try eigh(m)
            return RiemannianKernels.spectralFunction(values, vectors) { $0.squareRoot() }
        }
        let inner = RiemannianKernels.symmetric(matmul(matmul(roots.inverseSqrt, v), roots.inverseSqrt))
        let e = matmul(roots.sqrt, half)
        return matmul(matmul(e, inner), transposed: false, e, transposed: true)
    }
}
