/// Square matrices with a positive determinant, `(…, n, n)` (GL⁺(n)), as geotorch's
/// `invertible` (`GLp`).
///
/// `U diag(softplus(s)) Vᵀ` with `U`, `V` orthogonal through the Householder map and the last
/// singular value's sign set to `sign(det U · det V)`, so `det = ∏ softplus(sᵢ) > 0`. The
/// original is packed, `(…, 2n + 1, n)` (see `FactoredSpectrum.swift`).
///
/// - Right inverse (checked): the SVD, `s = softplus⁻¹(σ)`.
/// - Deviation, relative to `max(1, σ₁)`: `δ − σ_n` when `det Y > 0` (δ = `√ε · max(1, σ₁)`,
///   below which a singular value counts as zero), `σ_n + δ` when `det Y ≤ 0` (the distance to
///   crossing); tolerance `10 · n · ε`.
/// - Projection: singular values raised to at least `2δ`; for `det Y < 0` the smallest one is
///   moved to the other side, to `−2δ` (the nearest point in Frobenius norm, up to `2δ`).
/// - Sample: Haar `U`, `V` with the sign fix, singular values `e^{N(0, 1/4)}`.
///
/// ```swift
/// @Constrained(Invertible()) var mixing = Tensor<Double>.eye(4)
/// ```
public struct Invertible<Scalar: TensorScalar>: Manifold, RegisteredManifold {
    /// The registered shape.
    public internal(set) var shape: [Int]?
    var isRegistering = false

    /// Square matrices with a positive determinant.
    public init() {}

    /// `Invertible(n: 4)` once registered.
    public var description: String {
        guard let n = shape?.last else { return "Invertible" }
        return "Invertible(n: \(n))"
    }

    /// Checks that `shape` is a (batch of) square matrix.
    public mutating func register(shape: [Int]) throws {
        try ConstrainedError.requireSquare(description, shape, operation: "register")
        self.shape = shape
        isRegistering = true
    }

    /// The packed original's shape, `(…, 2n + 1, n)`.
    public func originalShape(forValueShape shape: [Int]) throws -> [Int] {
        try ConstrainedError.requireSquare(description, shape, operation: "originalShape")
        return FactoredSpectrum<Scalar>.packedShape(shape, rank: shape[shape.count - 1])
    }

    func factors(_ operation: String) throws -> FactoredSpectrum<Scalar> {
        guard let n = shape?.last else {
            throw ConstrainedError(operation, subject: description, cause: .invalidShape("the set is not registered on a shape yet"))
        }
        return FactoredSpectrum(rows: n, columns: n, rank: n)
    }

    /// `U diag(softplus(s)) Vᵀ` with the determinant's sign fixed.
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try factors("forward").valueWithPositiveDeterminant(x) { softplus($0) }
    }

    /// The packed original of `y`'s SVD (checked).
    public mutating func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let y = try admittingAssignment(y)
        let (u, s, vt) = try FactoredSpectrum<Scalar>.decompose(y, subject: description, operation: "assign")
        return try factors("assign").original(u: u, s: s, vt: vt) { $0.map { Pointwise.softplusInverse($0) } }
    }

    /// See the type's documentation.
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        try ConstrainedError.requireSquare(description, y.shape, operation: "contains")
        let s = try FactoredSpectrum<Scalar>.decompose(y, subject: description, operation: "contains").s
        let signs = try ConstrainedError.wrappingLinearAlgebra("contains", subject: description) {
            try determinant(y.detached())
        }
        return Self.worst(s, signs) { sigma, positive, floor in positive ? floor - sigma : sigma + floor }
    }

    /// The largest relative `measure(σ_n, det > 0, δ)` over a batch.
    static func worst(_ s: Tensor<Scalar>, _ determinants: Tensor<Scalar>,
                      _ measure: (Scalar, Bool, Scalar) -> Scalar) -> Scalar {
        let n = s.shape[s.rank - 1]
        var worst: Scalar = 0
        for b in 0..<(s.scalarCount / n) {
            let scale = Swift.max(1, s.scalars[b * n])
            let floor = Scalar.ulpOfOne.squareRoot() * scale
            worst = Swift.max(worst, measure(s.scalars[b * n + n - 1], determinants.scalars[b] > 0, floor) / scale)
        }
        return worst
    }

    /// `10 · n · ε`.
    public func defaultTolerance(for shape: [Int]) -> Scalar {
        10 * Scalar(shape.last ?? 1) * Scalar.ulpOfOne
    }

    /// Singular values raised to at least `2δ`; the smallest moved across zero when `det < 0`.
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, y.shape, operation: "projection")
        return try Self.signFixedProjection(y, subject: description) { $0 }
    }

    /// `U diag(σ′) Vᵀ` with `σ′ = normalise(σ raised to 2δ)` and the sign of the smallest set so
    /// that the determinant is positive.
    static func signFixedProjection(_ y: Tensor<Scalar>, subject: String,
                                    normalise: (Tensor<Scalar>) -> Tensor<Scalar>) throws -> Tensor<Scalar> {
        let (u, sigma, vt) = try FactoredSpectrum<Scalar>.decompose(y, subject: subject, operation: "projection")
        let determinants = try ConstrainedError.wrappingLinearAlgebra("projection", subject: subject) {
            try determinant(u) * determinant(vt)
        }
        let n = sigma.shape[sigma.rank - 1]
        var values = sigma.scalars
        for b in 0..<(values.count / n) {
            let level = 2 * Scalar.ulpOfOne.squareRoot() * Swift.max(1, values[b * n])
            for i in 0..<n { values[b * n + i] = Swift.max(values[b * n + i], level) }
        }
        var s = normalise(Tensor(shape: sigma.shape, scalars: values)).scalars
        for b in 0..<(s.count / n) where determinants.scalars[b] < 0 { s[b * n + n - 1] = -s[b * n + n - 1] }
        return FactoredSpectrum(rows: n, columns: n, rank: n).compose(u: u, s: Tensor(shape: sigma.shape, scalars: s), vt: vt)
    }

    /// Haar `U`, `V` with the sign fix, singular values `e^{N(0, 1/4)}`.
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, shape, operation: "sample")
        let n = shape[shape.count - 1]
        let y = try FactoredSpectrum(rows: n, columns: n, rank: n).sample(batch: Array(shape.dropLast(2)), using: &generator) { count, g in
            Tensor<Scalar>.randomNormal([count], standardDeviation: 0.5, using: &g).map { Scalar.exp($0) }
        }
        return try Self.signFixedProjection(y, subject: description) { $0 }
    }
}
