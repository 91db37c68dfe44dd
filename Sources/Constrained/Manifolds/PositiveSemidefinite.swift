/// Symmetric positive semidefinite matrices, `(…, n, n)`, of any rank, of rank at most `r`, or
/// of rank exactly `r`: geotorch's `PSSD`, `PSSDLowRank` and `PSSDFixedRank`.
///
/// - `PositiveSemidefinite()` (`.eigen`): geotorch's `PSSD` chart, `P = Q diag(|d|) Qᵀ` with
///   `d = diag(X)` and `Q = B · e^A`, `A = tril(X, −1) − tril(X, −1)ᵀ`, at an orthogonal base
///   `B` (``frame``, dynamic trivialisation; see `EigenFrame.swift`), geotorch's `f = abs`. The
///   original has the value's shape; its strictly upper triangle is unused. One matrix
///   exponential and two matrix products per evaluation, no `eigh`, O(n³).
/// - `PositiveSemidefinite(map: .spectral)`: `P = Q diag(|λ|) Qᵀ` for the symmetric
///   `S = Q diag(λ) Qᵀ` built from the original's upper triangle (``Symmetric``). One `eigh`
///   per evaluation, differentiated by the Daleckii–Krein formula (as ``PositiveDefinite``'s
///   `.spectral` form), O(n³).
/// - `PositiveSemidefinite(rank: r)`: `P = U diag(|s|) Uᵀ` with `U` an `n × r` Stiefel point
///   (``Orthogonal``'s Householder map, as ``LowRank``) and `s ∈ ℝʳ`. The original is packed,
///   `(…, n + 1, r)`: the free entries of `U`, then `s` (see `FactoredSpectrum+Symmetric.swift`);
///   O(n r²) plus the `n × n` product.
/// - `PositiveSemidefinite(fixedRank: r)`: the same with `softplus(s) > 0`, so the rank is
///   exactly `r` (geotorch's `PSSDFixedRank` with `f = softplus`; geotorch adds `10⁻⁶`).
///
/// **Right inverse (checked).** A matrix whose ``deviation(of:)`` exceeds the tolerance throws
/// ``ConstrainedError/Cause/notInImage(_:)`` with the deviation (the registration's value is
/// projected). `.eigen`: one `eigh`, `sym(Y) = V diag(μ) Vᵀ` with `μ` ascending; the base becomes
/// `V` and the original `diag(max(μ, 0))` (the chart's origin); ``updateBase(original:)``
/// (`try $w.updateBase()`) moves the base to the current `Q` and clears the off-diagonal part.
/// `.spectral`: the upper triangle of `sym(Y)` (`|λ| = λ` on the set). Rank variants: the
/// `r` largest eigenpairs of `eigh(sym Y)`, `s = λ` (`softplus⁻¹(λ)` for the fixed rank).
///
/// **Set.** With `λ₁ ≤ … ≤ λₙ` the eigenvalues of `sym(Y)` and `σ = max(1, max |λ|)`, the
/// deviation is the largest of the asymmetry `max |Y − Yᵀ|`, `−λ₁`, for the rank variants
/// `λ_{n−r}` (the largest eigenvalue that must be zero), and for the fixed rank `δ − λ_{n−r+1}`
/// with the floor `δ = √ε · σ` below which an eigenvalue counts as zero; all divided by `σ`.
/// Tolerance `10 · n · ε`. Projection: symmetrise, clip the eigenvalues at 0, keep the `r`
/// largest (the nearest point in Frobenius norm), and for the fixed rank raise them to at least
/// `2δ`. Sample: `U diag(e^{N(0, 1/4)}) Uᵀ` with `U` Haar (`n × n` or `n × r`).
///
/// **Checkpoints.** `.eigen` saves its base as `w.0.frame.base`, and in the PyTorch layout as
/// geotorch does, `parametrizations.w.0.0.base`.
///
/// **Bad input.** A non-square shape or a rank outside `1...n` throws at registration.
///
/// ```swift
/// @Constrained(PositiveSemidefinite()) var gram = Tensor<Double>.eye(4)
/// @Constrained(PositiveSemidefinite(rank: 2)) var lowRankCovariance: Tensor<Double>
/// @Constrained(PositiveSemidefinite(fixedRank: 2)) var kernel: Tensor<Double>
/// ```
public struct PositiveSemidefinite<Scalar: TensorScalar>: Manifold, RegisteredManifold, BaseUpdating {
    /// Which ranks the values may have.
    public enum RankConstraint: Equatable, Sendable {
        /// Any rank `0...n`.
        case any
        /// At most the given rank.
        case atMost(Int)
        /// Exactly the given rank.
        case exactly(Int)
    }

    /// How a matrix of any rank is built from the original.
    public enum Map: String, Sendable, CaseIterable, CustomStringConvertible {
        /// `Q diag(|d|) Qᵀ` with `Q = B · e^A`: geotorch's eigen chart.
        case eigen
        /// `Q diag(|λ|) Qᵀ` of the symmetric part of the original, through `eigh`.
        case spectral

        /// The case's name.
        public var description: String { rawValue }
    }

    /// Which ranks the values may have.
    public let rankConstraint: RankConstraint
    /// The map for any rank (`.eigen` for the rank variants, whose map is their own).
    public let map: Map
    /// The rotation `Q = B · e^A` of `.eigen` at any rank, whose base `B` is saved as
    /// `w.0.frame.base`; nil otherwise.
    public let frame: Orthogonal<Scalar>?
    /// The registered shape.
    public internal(set) var shape: [Int]?
    var isRegistering = false

    /// Positive semidefinite matrices of any rank, through `map` (default: the eigen chart).
    public init(map: Map = .eigen) {
        rankConstraint = .any
        self.map = map
        frame = map == .eigen ? EigenFrame.makeFrame() : nil
    }

    /// Positive semidefinite matrices of rank at most `rank`.
    public init(rank: Int) {
        rankConstraint = .atMost(rank)
        map = .eigen
        frame = nil
    }

    /// Positive semidefinite matrices of rank exactly `fixedRank`.
    public init(fixedRank: Int) {
        rankConstraint = .exactly(fixedRank)
        map = .eigen
        frame = nil
    }

    /// `PositiveSemidefinite(n: 4)`, `PositiveSemidefinite(n: 4, rank: 2)` or
    /// `PositiveSemidefinite(n: 4, fixedRank: 2)`, with `n` once registered.
    public var description: String {
        var settings: [String] = []
        if let n = shape?.last { settings.append("n: \(n)") }
        switch rankConstraint {
        case .any: if map == .spectral { settings.append("map: spectral") }
        case .atMost(let r): settings.append("rank: \(r)")
        case .exactly(let r): settings.append("fixedRank: \(r)")
        }
        return settings.isEmpty ? "PositiveSemidefinite" : "PositiveSemidefinite(\(settings.joined(separator: ", ")))"
    }

    /// The bound on the rank, nil for any rank.
    var rank: Int? {
        switch rankConstraint {
        case .any: return nil
        case .atMost(let r), .exactly(let r): return r
        }
    }

    /// Throws unless `shape` is a (batch of) square matrix and the rank is in `1...n`.
    func validate(_ shape: [Int], operation: String) throws {
        try ConstrainedError.requireSquare(description, shape, operation: operation)
        let n = shape[shape.count - 1]
        if let rank, !(1...Swift.max(n, 1)).contains(rank) {
            throw ConstrainedError(operation, subject: description, shape: shape,
                                   cause: .invalidArgument("rank must be in 1...\(n) (the size of \(n) × \(n)), got \(rank)"))
        }
    }

    /// Checks the shape and the rank.
    public mutating func register(shape: [Int]) throws {
        try validate(shape, operation: "register")
        self.shape = shape
        isRegistering = true
    }

    /// The value's shape for the full set; `(…, n + 1, r)` for the rank variants.
    public func originalShape(forValueShape shape: [Int]) throws -> [Int] {
        try validate(shape, operation: "originalShape")
        guard let rank else { return shape }
        return Array(shape.dropLast(2)) + [shape[shape.count - 1] + 1, rank]
    }

    func factors(_ operation: String) throws -> FactoredSpectrum<Scalar> {
        guard let n = shape?.last, let rank else {
            throw ConstrainedError(operation, subject: description, cause: .invalidShape("the set is not registered on a shape yet"))
        }
        return FactoredSpectrum(rows: n, columns: n, rank: rank)
    }

    /// `Q diag(|d|) Qᵀ` of the chart, `Q diag(|λ|) Qᵀ` of the symmetric original, or
    /// `U diag(g(s)) Uᵀ` of the packed one.
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        switch rankConstraint {
        case .any:
            try validate(x.shape, operation: "forward")
            if let frame { return try EigenFrame.value(x, frame: frame) { abs($0) } }
            return try SpectralFunction.apply(try Symmetric<Scalar>().forward(x), operation: "forward", subject: description,
                                              { Swift.abs($0) }, derivative: { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) })
        case .atMost:
            return try factors("forward").symmetricValue(x) { abs($0) }
        case .exactly:
            return try factors("forward").symmetricValue(x) { softplus($0) }
        }
    }

    /// The original whose value is `y` (checked; see the type's documentation).
    public mutating func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let p = try admittingAssignment(y)
        if let frame {
            let (base, original) = try ConstrainedError.wrappingLinearAlgebra("assign", subject: description) {
                try EigenFrame.chart(of: p) { $0.map { Swift.max($0, 0) } }
            }
            frame.base!.wrappedValue = base
            return original
        }
        let symmetric = (p + p.transposed()) * Scalar(0.5)
        guard case let constraint = rankConstraint, constraint != .any else { return symmetric.triu() }
        let (values, vectors) = try ConstrainedError.wrappingLinearAlgebra("assign", subject: description) { try eigh(symmetric) }
        if case .exactly = constraint {
            return try factors("assign").symmetricOriginal(values: values, vectors: vectors) {
                $0.map { Pointwise.softplusInverse($0) }
            }
        }
        return try factors("assign").symmetricOriginal(values: values, vectors: vectors) { $0.map { Swift.max($0, 0) } }
    }

    /// Moves the base of the eigen chart to the current eigenvectors `Q` and returns the
    /// original of the same value at the new base: the diagonal of `x`, zero elsewhere.
    ///
    /// Call it through the property, which also stores the new original: `try $w.updateBase()`.
    ///
    /// - Throws: ``ConstrainedError`` for the rank variants or `.spectral` (only the chart has
    ///   a base), or a non-square `x`.
    public mutating func updateBase(original x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try validate(x.shape, operation: "updateBase")
        guard var frame else {
            throw ConstrainedError("updateBase", subject: description, shape: x.shape,
                                   cause: .invalidArgument("only the eigen chart (any rank, map: .eigen) has a base"))
        }
        return try EigenFrame.updateBase(&frame, original: x)
    }
}
