/// Symmetric positive definite matrices, `(…, n, n)`.
///
/// - `.cholesky` (default): `P = L Lᵀ + jitter · I`, with `L` lower triangular: its strictly
///   lower part is the original's, its diagonal `softplus` of the original's diagonal (so
///   positive, and `L` is the unique Cholesky factor of `P − jitter·I`). The upper triangle of
///   the original is unused (zero gradient). The jitter bounds the smallest eigenvalue below
///   by `jitter`, so `P` stays safely invertible even when a diagonal entry of `L` underflows.
/// - `.exp`: `P = e^S` with `S = triu(X) + triu(X, 1)ᵀ` symmetric (``Symmetric``); the
///   eigenvalues of `P` are `e^{λ(S)}`. No jitter.
/// - `.eigen`: geotorch's `positive_definite` chart, `P = Q diag(softplus(d) + jitter) Qᵀ` with
///   `d = diag(X)` and `Q = B · e^A`, `A = tril(X, −1) − tril(X, −1)ᵀ`, at an orthogonal base `B`
///   (``frame``, dynamic trivialisation; see `EigenFrame.swift`). The diagonal sets the
///   eigenvalues, the strictly lower triangle rotates the eigenvectors, the strictly upper
///   triangle is unused. The jitter (default `10⁻⁶`, geotorch's `ε`) bounds the eigenvalues
///   below. One matrix exponential and two matrix products per evaluation, no `eigh`.
/// - `.spectral`: `P = Q diag(softplus(λ)) Qᵀ` for the symmetric `S = Q diag(λ) Qᵀ` built from
///   the upper triangle: one `eigh` per evaluation, differentiated by the Daleckii–Krein
///   formula, exact also for repeated eigenvalues (the identity). No jitter, no base.
///
/// Batched. `P` is symmetric up to rounding (`L Lᵀ` is computed by one GEMM, which evaluates
/// `(i, j)` and `(j, i)` by the same sums in different orders); exactly symmetric for `.eigen`.
///
/// **Right inverse (checked).** A matrix whose ``deviation(of:)`` exceeds the tolerance
/// throws ``ConstrainedError/Cause/notInImage(_:)`` (the registration's value is projected).
/// `.cholesky`: `C = cholesky(P − jitter·I)`, original `tril(C, −1) + diag(softplus⁻¹(diag C))`.
/// `.exp`: the matrix logarithm through `eigh`. `.spectral`: `Q diag(softplus⁻¹(λ)) Qᵀ`; the
/// upper triangle of the symmetric result is kept. `.eigen`: one `eigh`, `P = V diag(μ) Vᵀ`
/// with `μ` ascending; the base becomes `V` and the original `diag(softplus⁻¹(μ − jitter))`
/// (the chart's origin). ``updateBase(original:)`` (`try $w.updateBase()`) moves the base to
/// the current `Q` and clears the original's off-diagonal part, keeping the value.
///
/// **Set.** Deviation: the largest of the asymmetry `max |P − Pᵀ|` and `floor − λ_min(P)`
/// (floor: `jitter` for `.cholesky` and `.eigen`, else 0), divided by `max(1, max |P|)`;
/// tolerance `10 · n · ε`. Projection: symmetrise, then raise every eigenvalue to at least the
/// floor plus the tolerance (nearest in Frobenius norm). Sample: `Q diag(floor + e^{N(0, 1/4)}) Qᵀ`
/// with `Q` Haar: a log-normal spectrum in uniformly random directions.
///
/// **Checkpoints.** `.eigen` saves its base as `w.0.frame.base` (`(…, n, n)`), and in the
/// PyTorch layout as geotorch does, `parametrizations.w.0.0.base`.
///
/// **Bad input.** A negative or non-finite jitter throws at registration.
///
/// ```swift
/// @Constrained(PositiveDefinite()) var covariance = Tensor<Double>.eye(3)
/// @Constrained(PositiveDefinite(.eigen)) var metric = Tensor<Double>.eye(4)
/// ```
public struct PositiveDefinite<Scalar: TensorScalar>: Manifold, BaseUpdating {
    /// How the matrix is built from the original.
    public enum Map: String, Sendable, CaseIterable, CustomStringConvertible {
        /// `L Lᵀ + jitter·I` with a softplus-positive diagonal of `L`.
        case cholesky
        /// `e^S` of the symmetric part built from the upper triangle.
        case exp
        /// `Q diag(softplus(d) + jitter) Qᵀ` with `Q = B · e^A`: geotorch's eigen chart.
        case eigen
        /// `Q diag(softplus(λ)) Qᵀ` of the same symmetric `S` as `.exp`, through `eigh`.
        case spectral

        /// The case's name.
        public var description: String { rawValue }
    }

    /// The construction used.
    public let map: Map
    /// Added to the diagonal of `L Lᵀ` (`.cholesky`) or to the eigenvalues (`.eigen`); 0 for
    /// the other maps.
    public let jitter: Scalar
    /// The rotation `Q = B · e^A` of `.eigen`, whose base `B` is saved as `w.0.frame.base`;
    /// nil for the other maps.
    public let frame: Orthogonal<Scalar>?
    /// The registered shape.
    public private(set) var shape: [Int]?
    var isRegistering = false

    /// Positive definite matrices through `map`, with `jitter` added to the diagonal for
    /// `.cholesky` (default `10⁻⁵`) or to the eigenvalues for `.eigen` (default `10⁻⁶`, as
    /// geotorch); checked at registration: it must be non-negative and finite.
    public init(_ map: Map = .cholesky, jitter: Scalar? = nil) {
        self.map = map
        switch map {
        case .cholesky: self.jitter = jitter ?? Scalar(1e-5)
        case .eigen: self.jitter = jitter ?? Scalar(1e-6)
        case .exp, .spectral: self.jitter = jitter ?? 0
        }
        self.frame = map == .eigen ? EigenFrame.makeFrame() : nil
    }

    /// `PositiveDefinite(n: 3, map: cholesky, jitter: 1e-05)`.
    public var description: String {
        var settings: [String] = []
        if let n = shape?.last { settings.append("n: \(n)") }
        settings.append("map: \(map)")
        if map == .cholesky || map == .eigen { settings.append("jitter: \(jitter)") }
        return "PositiveDefinite(\(settings.joined(separator: ", ")))"
    }

    /// The smallest eigenvalue the values have: `jitter` for `.cholesky` and `.eigen`, else 0.
    var floor: Scalar { map == .cholesky || map == .eigen ? jitter : 0 }

    func validate(_ shape: [Int], operation: String) throws {
        guard jitter >= 0 && jitter.isFinite else {
            throw ConstrainedError(operation, subject: description, shape: shape,
                                   cause: .invalidArgument("jitter must be non-negative and finite, got \(jitter)"))
        }
        try ConstrainedError.requireSquare(description, shape, operation: operation)
    }

    /// Checks the jitter and that `shape` is a (batch of) square matrix.
    public mutating func register(shape: [Int]) throws {
        try validate(shape, operation: "register")
        self.shape = shape
        isRegistering = true
    }

    /// `L Lᵀ + jitter·I`, `e^S`, `Q diag(softplus(d) + jitter) Qᵀ` or `Q diag(softplus(λ)) Qᵀ`.
    ///
    /// - Throws: ``ConstrainedError`` for a non-square input or a bad jitter.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try validate(x.shape, operation: "forward")
        let n = x.shape[x.rank - 1]
        switch map {
        case .cholesky:
            let l = x.tril(-1) + Tensor.diagonalMatrix(softplus(x.diagonal()))
            let p = matmul(l, transposed: false, l, transposed: true)
            return jitter == 0 ? p : p + Tensor<Scalar>.eye(n) * jitter
        case .exp:
            return try matrixExp(try Symmetric<Scalar>().forward(x))
        case .eigen:
            let jitter = self.jitter
            return try EigenFrame.value(x, frame: frame!) { d in jitter == 0 ? softplus(d) : softplus(d) + jitter }
        case .spectral:
            return try SpectralFunction.apply(try Symmetric<Scalar>().forward(x), operation: "forward",
                                              subject: description, { Pointwise.softplus($0) },
                                              derivative: { Pointwise.sigmoid($0) })
        }
    }

    /// The original whose value is `p` (see the type's documentation).
    ///
    /// - Throws: ``ConstrainedError`` for a non-square input, or a matrix off the set.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func rightInverse(_ p: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try validate(p.shape, operation: "assign")
        if let shape, shape != p.shape {
            throw ConstrainedError("assign", subject: description, shape: p.shape,
                                   cause: .shapeMismatch(expected: shape, found: p.shape))
        }
        let p = try admitting(p.detached(), projectingIfOff: isRegistering, projected: projection)
        isRegistering = false
        shape = p.shape
        let n = p.shape[p.rank - 1]
        let subject = description
        return try ConstrainedError.wrappingLinearAlgebra("assign", subject: subject) {
            switch map {
            case .cholesky:
                let c = try cholesky(jitter == 0 ? p : p - Tensor<Scalar>.eye(n) * jitter)
                let d = c.diagonal().map { Pointwise.softplusInverse($0) }
                return c.tril(-1) + Tensor.diagonalMatrix(d)
            case .eigen:
                let jitter = self.jitter
                let (base, original) = try EigenFrame.chart(of: p) { values in
                    // Eigenvalues within the tolerance of the floor map to a very negative
                    // diagonal, not to −∞.
                    values.map { Pointwise.softplusInverse(Swift.max($0 - jitter, Scalar.leastNormalMagnitude)) }
                }
                frame!.base!.wrappedValue = base
                return original
            case .exp, .spectral:
                // Symmetrise first: eigh reads one triangle, and the value may carry rounding.
                let (values, vectors) = try eigh((p + p.transposed()) * Scalar(0.5))
                if let bad = values.scalars.first(where: { !($0 > 0) }) {
                    throw ConstrainedError("assign", subject: subject, shape: p.shape, cause: .notInImage(
                        "it has the eigenvalue \(bad), so it has no \(map == .exp ? "logarithm" : "softplus preimage")"))
                }
                let inverse = map == .exp ? values.map { Scalar.log($0) } : values.map { Pointwise.softplusInverse($0) }
                let batch = Array(inverse.shape.dropLast())
                let scaled = vectors * inverse.reshaped(to: batch + [1, n])
                return matmul(scaled, transposed: false, vectors, transposed: true).triu()
            }
        }
    }

    /// Moves the base of `.eigen` to the current eigenvectors `Q` and returns the original of
    /// the same value at the new base: the diagonal of `x`, zero elsewhere.
    ///
    /// Call it through the property, which also stores the new original: `try $w.updateBase()`.
    ///
    /// - Throws: ``ConstrainedError`` for another map (only `.eigen` has a base) or a
    ///   non-square `x`.
    public mutating func updateBase(original x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try validate(x.shape, operation: "updateBase")
        guard var frame else {
            throw ConstrainedError("updateBase", subject: description, shape: x.shape,
                                   cause: .invalidArgument("only map: .eigen has a base"))
        }
        return try EigenFrame.updateBase(&frame, original: x)
    }

    /// `max(max |P − Pᵀ|, floor − λ_min(P)) / max(1, max |P|)` over the batch (relative to
    /// the entries' scale, so that rounding in a large matrix does not count).
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        try validate(y.shape, operation: "contains")
        let y = y.detached()
        let asymmetry = (y - y.transposed()).maxMagnitude
        let values = try ConstrainedError.wrappingLinearAlgebra("contains", subject: description) {
            try eigh((y + y.transposed()) * Scalar(0.5)).values
        }
        let below = values.scalars.reduce(-Scalar.infinity) { Swift.max($0, floor - $1) }
        return Swift.max(asymmetry, below, 0) / Swift.max(1, y.maxMagnitude)
    }

    /// `10 · n · ε` (on the relative deviation).
    public func defaultTolerance(for shape: [Int]) -> Scalar {
        10 * Scalar(shape.last ?? 1) * Scalar.ulpOfOne
    }

    /// The symmetric part of `y` with its eigenvalues raised to at least the floor plus
    /// ``defaultTolerance(for:)`` (a strictly feasible nearest point).
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try validate(y.shape, operation: "projection")
        let y = y.detached()
        let n = y.shape[y.rank - 1]
        let (values, vectors) = try ConstrainedError.wrappingLinearAlgebra("projection", subject: description) {
            try eigh((y + y.transposed()) * Scalar(0.5))
        }
        let level = floor + 4 * defaultTolerance(for: y.shape) * Swift.max(1, values.maxMagnitude)
        let clipped = values.map { Swift.max($0, level) }
        let batch = Array(clipped.shape.dropLast())
        let p = matmul(vectors * clipped.reshaped(to: batch + [1, n]), transposed: false, vectors, transposed: true)
        return (p + p.transposed()) * Scalar(0.5)
    }

    /// `Q diag(floor + e^{N(0, 1/4)}) Qᵀ` with a Haar `Q`.
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        try validate(shape, operation: "sample")
        let n = shape[shape.count - 1], batch = Array(shape.dropLast(2))
        let q = try Orthogonal<Scalar>().sample(shape: shape, using: &generator)
        let values = Tensor<Scalar>.randomNormal(batch + [n], standardDeviation: 0.5, using: &generator)
            .map { floor + Scalar.exp($0) }
        let p = matmul(q * values.reshaped(to: batch + [1, n]), transposed: false, q, transposed: true)
        return (p + p.transposed()) * Scalar(0.5)
    }
}
