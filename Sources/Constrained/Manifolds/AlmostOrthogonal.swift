/// Matrices whose singular values lie in `(1 − λ, 1 + λ)`, `(…, m, k)`:
/// `U diag(1 + λ tanh(s)) Vᵀ` with `U` (`m × r`), `V` (`k × r`) orthonormal, `r = min(m, k)`,
/// as geotorch's `AlmostOrthogonal` (which uses `sin`, reaching the closed interval; `tanh`
/// keeps the map invertible). `λ = 1` gives every matrix of full rank with `σ₁ < 2`.
///
/// The original is packed, `(…, m + k + 1, r)` (see `FactoredSpectrum.swift`); O((m + k) r²).
///
/// - Right inverse (checked): the SVD, `s = atanh((σ − 1) / λ)`.
/// - Deviation: `max(|σᵢ − 1| − λ, 0)`; tolerance `10 · max(m, k) · ε`.
/// - Projection: `U clip(Σ) Vᵀ`, the singular values clipped into the interval (shrunk by the
///   tolerance so that the right inverse is finite): the nearest point in Frobenius norm.
/// - Sample: Haar `U`, `V`, singular values uniform in the interval.
///
/// **Bad input.** `λ` outside `(0, 1]` or a non-matrix shape throws at registration.
///
/// ```swift
/// @Constrained(AlmostOrthogonal(lambda: 0.1)) var recurrent = Tensor<Double>.eye(16)
/// ```
public struct AlmostOrthogonal<Scalar: TensorScalar>: Manifold, RegisteredManifold {
    /// The half-width `λ` of the interval of singular values around 1.
    public let lambda: Scalar
    /// `min(m, k)` of the registered shape (0 before registration).
    var rank: Int { shape.map { Swift.min($0[$0.count - 2], $0[$0.count - 1]) } ?? 0 }
    /// The registered shape of the values.
    public internal(set) var shape: [Int]?
    var isRegistering = false

    /// Matrices whose singular values are within `lambda` of 1.
    public init(lambda: Scalar) { self.lambda = lambda }

    /// `AlmostOrthogonal(rows: 8, columns: 5, lambda: 0.1)`.
    public var description: String {
        guard let shape else { return "AlmostOrthogonal(lambda: \(lambda))" }
        return "AlmostOrthogonal(rows: \(shape[shape.count - 2]), columns: \(shape[shape.count - 1]), lambda: \(lambda))"
    }

    func validate(_ shape: [Int], operation: String) throws {
        guard lambda > 0 && lambda <= 1 else {
            throw ConstrainedError(operation, subject: description, shape: shape,
                                   cause: .invalidArgument("lambda must be in (0, 1], got \(lambda)"))
        }
        try ConstrainedError.requireMatrix(description, shape, operation: operation)
    }

    /// Checks `λ` and the shape.
    public mutating func register(shape: [Int]) throws {
        try validate(shape, operation: "register")
        self.shape = shape
        isRegistering = true
    }

    /// The packed original's shape, `(…, m + k + 1, min(m, k))`.
    public func originalShape(forValueShape shape: [Int]) throws -> [Int] {
        try validate(shape, operation: "originalShape")
        return FactoredSpectrum<Scalar>.packedShape(shape, rank: Swift.min(shape[shape.count - 2], shape[shape.count - 1]))
    }

    func factors(_ operation: String) throws -> FactoredSpectrum<Scalar> {
        guard let shape else {
            throw ConstrainedError(operation, subject: description, cause: .invalidShape("the set is not registered on a shape yet"))
        }
        return FactoredSpectrum(rows: shape[shape.count - 2], columns: shape[shape.count - 1], rank: rank)
    }

    /// `U diag(s) Vᵀ` from the packed original.
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let lambda = lambda
        return try factors("forward").value(x) { 1 + tanh($0) * lambda }
    }

    /// The packed original of the rank-`r` SVD of `y` (checked).
    public mutating func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let y = try admittingAssignment(y)
        let (u, s, vt) = try FactoredSpectrum<Scalar>.decompose(y, subject: description, operation: "assign")
        let lambda = lambda, limit = 1 - defaultTolerance(for: y.shape)
        return try factors("assign").original(u: u, s: s, vt: vt) { sigma in
            sigma.map { Scalar.atanh(Swift.min(Swift.max(($0 - 1) / lambda, -limit), limit)) }
        }
    }

    /// `max(|σᵢ − 1| − λ, 0)`.
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        try validate(y.shape, operation: "contains")
        let s = try FactoredSpectrum<Scalar>.decompose(y, subject: description, operation: "contains").s
        return s.scalars.reduce(Scalar(0)) { Swift.max($0, Swift.abs($1 - 1) - lambda) }
    }

    /// `10 · max(m, k) · ε`.
    public func defaultTolerance(for shape: [Int]) -> Scalar {
        10 * Scalar(shape.suffix(2).max() ?? 1) * Scalar.ulpOfOne
    }

    /// `U clip(Σ) Vᵀ` with the interval shrunk by the tolerance.
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try validate(y.shape, operation: "projection")
        let (u, sigma, vt) = try FactoredSpectrum<Scalar>.decompose(y, subject: description, operation: "projection")
        let margin = lambda * (1 - 4 * defaultTolerance(for: y.shape))
        let s = sigma.map { Swift.min(Swift.max($0, 1 - margin), 1 + margin) }
        let r = Swift.min(y.shape[y.rank - 2], y.shape[y.rank - 1])
        return FactoredSpectrum(rows: y.shape[y.rank - 2], columns: y.shape[y.rank - 1], rank: r).compose(u: u, s: s, vt: vt)
    }

    /// Haar `U`, `V`, singular values uniform in `(1 − λ, 1 + λ)`.
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        try validate(shape, operation: "sample")
        let r = Swift.min(shape[shape.count - 2], shape[shape.count - 1])
        let lambda = lambda
        return try FactoredSpectrum(rows: shape[shape.count - 2], columns: shape[shape.count - 1], rank: r)
            .sample(batch: Array(shape.dropLast(2)), using: &generator) { count, g in
                Tensor<Scalar>.randomUniform([count], from: 1 - lambda * 0.99, to: 1 + lambda * 0.99, using: &g)
            }
    }
}
