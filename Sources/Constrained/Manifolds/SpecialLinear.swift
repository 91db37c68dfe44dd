/// Square matrices with determinant 1, `(…, n, n)` (SL(n)), as geotorch's `sl`.
///
/// ``Invertible``'s map with the singular values divided by their geometric mean,
/// `σ = softplus(s) / exp(mean log softplus(s))`, so `∏ σ = 1` and, with the sign fix, `det = 1`.
/// The original is packed, `(…, 2n + 1, n)`.
///
/// - Right inverse (checked): the SVD, `s = softplus⁻¹(σ)` (already of geometric mean 1).
/// - Deviation: `|log det Y| / κ(Y)` when `det Y > 0` (rounding in a matrix of condition
///   `κ = σ₁/σ_n` perturbs `log det` by about `κ n ε`), `1 + σ_n / max(1, σ₁)` otherwise;
///   tolerance `10 · n · ε`.
/// - Projection: ``Invertible``'s, then the singular values divided by their geometric mean (a
///   nearby point of SL(n), not the Frobenius-nearest one, which has no closed form).
/// - Sample: Haar `U`, `V` with the sign fix, log-normal singular values of geometric mean 1.
///
/// ```swift
/// @Constrained(SpecialLinear()) var volumePreserving = Tensor<Double>.eye(3)
/// ```
public struct SpecialLinear<Scalar: TensorScalar>: Manifold, RegisteredManifold {
    /// The registered shape.
    public internal(set) var shape: [Int]?
    var isRegistering = false

    /// Square matrices with determinant 1.
    public init() {}

    /// `SpecialLinear(n: 3)` once registered.
    public var description: String {
        guard let n = shape?.last else { return "SpecialLinear" }
        return "SpecialLinear(n: \(n))"
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

    /// `softplus(s) / exp(mean log softplus(s))`, differentiable.
    static func unitProduct(_ s: Tensor<Scalar>) -> Tensor<Scalar> {
        let sigma = softplus(s)
        return sigma * exp(-log(sigma).mean(alongAxes: [s.rank - 1], keepingDimensions: true))
    }

    /// `U diag(σ) Vᵀ` with `∏ σ = 1` and the determinant's sign fixed.
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        guard let n = shape?.last else {
            throw ConstrainedError("forward", subject: description, cause: .invalidShape("the set is not registered on a shape yet"))
        }
        return try FactoredSpectrum(rows: n, columns: n, rank: n).valueWithPositiveDeterminant(x, Self.unitProduct)
    }

    /// The packed original of `y`'s SVD (checked).
    public mutating func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let y = try admittingAssignment(y)
        let n = y.shape[y.rank - 1]
        let (u, s, vt) = try FactoredSpectrum<Scalar>.decompose(y, subject: description, operation: "assign")
        return try FactoredSpectrum(rows: n, columns: n, rank: n).original(u: u, s: s, vt: vt) {
            $0.map { Pointwise.softplusInverse($0) }
        }
    }

    /// `|log det Y| / κ(Y)`, or `1 + σ_n / max(1, σ₁)` for `det Y ≤ 0`.
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        try ConstrainedError.requireSquare(description, y.shape, operation: "contains")
        let (sign, logAbs) = try ConstrainedError.wrappingLinearAlgebra("contains", subject: description) {
            try slogdet(y.detached())
        }
        let s = try FactoredSpectrum<Scalar>.decompose(y, subject: description, operation: "contains").s
        let n = s.shape[s.rank - 1]
        var worst: Scalar = 0
        for b in 0..<sign.scalarCount {
            // Rounding in a matrix of condition κ perturbs log det by about κ n ε: measure in κ.
            let condition = s.scalars[b * n] / Swift.max(s.scalars[b * n + n - 1], Scalar.leastNormalMagnitude)
            worst = Swift.max(worst, sign.scalars[b] > 0 ? Swift.abs(logAbs.scalars[b]) / Swift.max(1, condition)
                                     : 1 + s.scalars[b * n + n - 1] / Swift.max(1, s.scalars[b * n]))
        }
        return worst
    }

    /// `10 · n · ε`.
    public func defaultTolerance(for shape: [Int]) -> Scalar {
        10 * Scalar(shape.last ?? 1) * Scalar.ulpOfOne
    }

    /// ``Invertible``'s projection with the singular values divided by their geometric mean.
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, y.shape, operation: "projection")
        return try Invertible<Scalar>.signFixedProjection(y, subject: description) { sigma in
            sigma / exp(log(sigma).mean(alongAxes: [sigma.rank - 1], keepingDimensions: true))
        }
    }

    /// Haar `U`, `V` with the sign fix, log-normal singular values of geometric mean 1.
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        try projection(try Invertible<Scalar>().sample(shape: shape, using: &generator))
    }
}
