/// Matrices of rank exactly `rank`, `(…, m, k)`: `U diag(softplus(s)) Vᵀ` with `U` (`m × r`) and
/// `V` (`k × r`) orthonormal, as geotorch's `FixedRank` (whose default `f` is softplus too).
///
/// The original is packed, `(…, m + k + 1, r)` (see `FactoredSpectrum.swift`): the free entries
/// of `U`, of `V`, and `s`; O((m + k) r²) per evaluation, never an `m × k` SVD in the forward.
///
/// - Right inverse (checked): the rank-`r` reduced SVD of `Y`, `s = softplus⁻¹(σ)`.
/// - Deviation: the largest of `σ_{r+1}(Y) / max(1, σ₁(Y))` and `(δ − σ_r) / max(1, σ₁)`, with
///   the floor `δ = √ε · max(1, σ₁)` below which a singular value counts as zero; tolerance
///   `10 · max(m, k) · ε`.
/// - Projection: the truncated SVD with the `r` kept singular values raised to at least `2δ`.
/// - Sample: Haar `U`, `V`, singular values `e^{N(0, 1/4)}`.
///
/// **Bad input.** A rank outside `1...min(m, k)` or a non-matrix shape throws at registration.
///
/// ```swift
/// @Constrained(FixedRank(rank: 2)) var adapter: Tensor<Double>
/// ```
public struct FixedRank<Scalar: TensorScalar>: Manifold, RegisteredManifold {
    /// The largest rank of the values.
    public let rank: Int
    /// The registered shape of the values.
    public internal(set) var shape: [Int]?
    var isRegistering = false

    /// Matrices of rank exactly `rank`.
    public init(rank: Int) { self.rank = rank }

    /// `FixedRank(rows: 8, columns: 5, rank: 2)`.
    public var description: String {
        guard let shape else { return "FixedRank(rank: \(rank))" }
        return "FixedRank(rows: \(shape[shape.count - 2]), columns: \(shape[shape.count - 1]), rank: \(rank))"
    }

    /// Checks the shape and the rank.
    public mutating func register(shape: [Int]) throws {
        try FactoredSpectrum<Scalar>.validate(shape, rank: rank, subject: description, operation: "register")
        self.shape = shape
        isRegistering = true
    }

    /// The packed original's shape, `(…, m + k + 1, r)`.
    public func originalShape(forValueShape shape: [Int]) throws -> [Int] {
        try FactoredSpectrum<Scalar>.validate(shape, rank: rank, subject: description, operation: "originalShape")
        return FactoredSpectrum<Scalar>.packedShape(shape, rank: rank)
    }

    func factors(_ operation: String) throws -> FactoredSpectrum<Scalar> {
        guard let shape else {
            throw ConstrainedError(operation, subject: description, cause: .invalidShape("the set is not registered on a shape yet"))
        }
        return FactoredSpectrum(rows: shape[shape.count - 2], columns: shape[shape.count - 1], rank: rank)
    }

    /// `U diag(s) Vᵀ` from the packed original.
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try factors("forward").value(x) { softplus($0) }
    }

    /// The packed original of the rank-`r` SVD of `y` (checked).
    public mutating func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let y = try admittingAssignment(y)
        let (u, s, vt) = try FactoredSpectrum<Scalar>.decompose(y, subject: description, operation: "assign")
        return try factors("assign").original(u: u, s: s, vt: vt) { $0.map { Pointwise.softplusInverse($0) } }
    }

    /// `max(σ_{r+1}, δ − σ_r) / max(1, σ₁)`.
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        try FactoredSpectrum<Scalar>.validate(y.shape, rank: rank, subject: description, operation: "contains")
        let s = try FactoredSpectrum<Scalar>.decompose(y, subject: description, operation: "contains").s
        let n = s.shape[s.rank - 1]
        var worst: Scalar = 0
        let values = s.scalars
        for b in 0..<(s.scalarCount / n) {
            let scale = Swift.max(1, values[b * n])
            if rank < n { worst = Swift.max(worst, values[b * n + rank] / scale) }
            worst = Swift.max(worst, (Self.floor(scale) - values[b * n + rank - 1]) / scale)
        }
        return worst
    }

    /// The smallest singular value counted as non-zero for a matrix of scale `scale`.
    static func floor(_ scale: Scalar) -> Scalar { Scalar.ulpOfOne.squareRoot() * scale
    }

    /// `10 · max(m, k) · ε`.
    public func defaultTolerance(for shape: [Int]) -> Scalar {
        10 * Scalar(shape.suffix(2).max() ?? 1) * Scalar.ulpOfOne
    }

    /// The truncated SVD with the kept singular values raised to at least `2δ`.
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try FactoredSpectrum<Scalar>.validate(y.shape, rank: rank, subject: description, operation: "projection")
        let (u, sigma, vt) = try FactoredSpectrum<Scalar>.decompose(y, subject: description, operation: "projection")
        let level = 2 * Self.floor(Swift.max(1, sigma.maxMagnitude))
        let s = sigma.map { Swift.max($0, level) }
        return FactoredSpectrum(rows: y.shape[y.rank - 2], columns: y.shape[y.rank - 1], rank: rank).compose(u: u, s: s, vt: vt)
    }

    /// Haar `U`, `V`, singular values `e^{N(0, 1/4)}`.
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        try FactoredSpectrum<Scalar>.validate(shape, rank: rank, subject: description, operation: "sample")
        return try FactoredSpectrum(rows: shape[shape.count - 2], columns: shape[shape.count - 1], rank: rank)
            .sample(batch: Array(shape.dropLast(2)), using: &generator) { count, g in
                Tensor<Scalar>.randomNormal([count], standardDeviation: 0.5, using: &g).map { Scalar.exp($0) }
            }
    }
}
