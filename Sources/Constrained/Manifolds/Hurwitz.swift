/// Square matrices whose eigenvalues all have real part at most `−α`, `(…, n, n)`: stable
/// linear systems `ẋ = A x` decaying at least as `e^{−αt}` (geotorch's `Hurwitz`, with another map).
///
/// **Map** (port-Hamiltonian form): `A = (J − R) P − α I` with `J = triu(X₀, 1) − triu(X₀, 1)ᵀ`
/// skew, `R = M Mᵀ` and `P = N Nᵀ` positive semidefinite. The original is packed,
/// `(…, 3n, n)`: rows `0..<n` are `X₀`, `n..<2n` are `M`, `2n..<3n` are `N`. Every value is on the
/// set: `(J − R) P` has the eigenvalues of `P^{½} (J − R) P^{½}`, whose symmetric part
/// `−P^{½} R P^{½}` is negative semidefinite. Every strictly stable matrix is reached: for
/// `B = A + αI` with `Re λ(B) < 0`, the Lyapunov solution `X` of `Bᵀ X + X B = −I` is positive
/// definite, and `K = B X⁻¹` has `K + Kᵀ = −X⁻²`, so `J = skew(K)`, `R = X⁻²/2`, `P = X`.
/// A few GEMMs, O(n³), gradients by the tape.
///
/// **Right inverse (checked).** That construction: `X = lyapunov(Bᵀ, −I)` (Bartels–Stewart,
/// `lyapunov(_:_:)` in LinAlg), `K = B X⁻¹`, and `M`, `N` the symmetric square roots of `R`, `P`.
/// It needs `Re λ(B) < 0` strictly: a matrix with an eigenvalue on the line `Re λ = −α` (in the
/// closed set, and reached by a singular `R`), or right of it within the tolerance, throws
/// ``ConstrainedError/Cause/notInImage(_:)`` (the Lyapunov equation is singular, or its solution
/// is not positive definite).
///
/// **Set.** Deviation: `max(0, max Re λ(A) + α) / max(1, max |A|)` from LAPACK's `geev`.
/// Tolerance `√ε · n`: an eigenvalue of a non-normal matrix moves by `ε ‖A‖ κ`, and by `√ε` at a
/// double eigenvalue (a 2 × 2 Jordan block), which the boundary of the set contains.
/// Projection (a nearby point, not the nearest, which has no closed form): `A` itself when
/// `max Re λ + α ≤ −m/2`, otherwise the shift `A − (max Re λ + α + m) I`, with the margin
/// `m = ε^{1/3} · max(1, max |A|)` that keeps the right inverse's Lyapunov equation well
/// conditioned. Sample: `J` skew with `N(0, 1/n)` entries, `R = I/2 + G Gᵀ/(2n)`, `P` with Haar
/// eigenvectors and eigenvalues `e^{N(0, 1/4)}` (`G` standard normal).
///
/// **Bad input.** A negative or non-finite `α` or a non-square shape throws at registration.
///
/// ```swift
/// @Constrained(Hurwitz(alpha: 0.1)) var dynamics: Tensor<Double>
/// ```
public struct Hurwitz<Scalar: TensorScalar>: Manifold, RegisteredManifold {
    /// The decay rate: every eigenvalue's real part is at most `−alpha`.
    public let alpha: Scalar
    /// The registered shape.
    public internal(set) var shape: [Int]?
    var isRegistering = false

    /// Matrices whose eigenvalues have real parts at most `−alpha` (`alpha ≥ 0`, checked at
    /// registration).
    public init(alpha: Scalar = 0) { self.alpha = alpha }

    /// `Hurwitz(n: 4, alpha: 0.1)`.
    public var description: String {
        guard let n = shape?.last else { return "Hurwitz(alpha: \(alpha))" }
        return "Hurwitz(n: \(n), alpha: \(alpha))"
    }

    func validate(_ shape: [Int], operation: String) throws {
        guard alpha >= 0 && alpha.isFinite else {
            throw ConstrainedError(operation, subject: description, shape: shape,
                                   cause: .invalidArgument("alpha must be non-negative and finite, got \(alpha)"))
        }
        try ConstrainedError.requireSquare(description, shape, operation: operation)
    }

    /// Checks `α` and the shape.
    public mutating func register(shape: [Int]) throws {
        try validate(shape, operation: "register")
        self.shape = shape
        isRegistering = true
    }

    /// The packed original's shape, `(…, 3n, n)`.
    public func originalShape(forValueShape shape: [Int]) throws -> [Int] {
        try validate(shape, operation: "originalShape")
        return Array(shape.dropLast(2)) + [3 * shape[shape.count - 1], shape[shape.count - 1]]
    }

    /// `(J − M Mᵀ) N Nᵀ − α I` from the packed original.
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        guard x.rank >= 2, x.shape[x.rank - 2] == 3 * x.shape[x.rank - 1] else {
            throw ConstrainedError("forward", subject: description, shape: x.shape,
                                   cause: .invalidShape("expected the packed original (..., 3n, n)"))
        }
        let n = x.shape[x.rank - 1], axis = x.rank - 2
        let upper = x.slice(0..<n, alongAxis: axis).triu(1)
        let m = x.slice(n..<(2 * n), alongAxis: axis)
        let p = x.slice((2 * n)..<(3 * n), alongAxis: axis)
        let k = upper - upper.transposed() - matmul(m, transposed: false, m, transposed: true)
        let a = matmul(k, matmul(p, transposed: false, p, transposed: true))
        return alpha == 0 ? a : a - Tensor<Scalar>.eye(n) * alpha
    }

    /// The packed original of `a` through the Lyapunov solve (checked; see the type's documentation).
    public mutating func rightInverse(_ a: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let y = try admittingAssignment(a)
        let n = y.shape[y.rank - 1], batch = Array(y.shape.dropLast(2))
        let b = alpha == 0 ? y : y + Tensor<Scalar>.eye(n) * alpha
        let subject = description
        do {
            let identity = Tensor<Scalar>.eye(rows: n, columns: n, batch: batch)
            var x = try lyapunov(b.transposed(), -identity)
            x = (x + x.transposed()) * Scalar(0.5)
            // Within the tolerance of the line but not strictly left of it, X is not positive
            // definite (and B X⁻¹ would not give back B): refuse rather than return another point.
            if let bad = try eigh(x).values.scalars.first(where: { !($0 > 0) }) {
                throw ConstrainedError("assign", subject: subject, shape: a.shape, cause: .notInImage(
                    "its eigenvalues' real parts are not strictly below −\(alpha), so the Lyapunov solution is not positive definite (it has the eigenvalue \(bad))"))
            }
            // K = B X⁻¹, so Kᵀ = X⁻¹ Bᵀ.
            let k = try solve(x, b.transposed()).transposed()
            let j = (k - k.transposed()) * Scalar(0.5)
            let r = (k + k.transposed()) * Scalar(-0.5)
            return concatenate([j.triu(1), try Self.squareRoot(r), try Self.squareRoot(x)], alongAxis: y.rank - 2)
        } catch let error as LinAlgError {
            throw ConstrainedError("assign", subject: subject, shape: a.shape, cause: .notInImage(
                "its eigenvalues' real parts are not strictly below −\(alpha), so the Lyapunov equation has no positive definite solution (\(error))"))
        }
    }

    /// The symmetric square root `Q diag(√max(λ, 0)) Qᵀ` of a symmetric positive semidefinite `s`.
    static func squareRoot(_ s: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let (values, vectors) = try eigh(s)
        return FactoredSpectrum<Scalar>.symmetricCompose(values: values.map { Swift.max($0, 0).squareRoot() }, vectors: vectors)
    }

    /// The largest real part of an eigenvalue of each matrix of `y`.
    func spectralAbscissa(_ y: Tensor<Scalar>, operation: String) throws -> [Scalar] {
        let real = try ConstrainedError.wrappingLinearAlgebra(operation, subject: description) { try eigvals(y.detached()).real }
        let n = y.shape[y.rank - 1]
        return (0..<(real.scalarCount / Swift.max(n, 1))).map { b in
            (0..<n).reduce(-Scalar.infinity) { Swift.max($0, real.scalars[b * n + $1]) }
        }
    }

    /// `max(0, max Re λ + α) / max(1, max |A|)` over the batch.
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        try validate(y.shape, operation: "contains")
        let scale = Swift.max(1, y.detached().maxMagnitude)
        return try spectralAbscissa(y, operation: "contains").reduce(0) { Swift.max($0, ($1 + alpha) / scale) }
    }

    /// `√ε · n`.
    public func defaultTolerance(for shape: [Int]) -> Scalar {
        Scalar.ulpOfOne.squareRoot() * Scalar(shape.last ?? 1)
    }

    /// Each matrix whose eigenvalues' real parts exceed `−α − m/2` shifted left until they are at most `−α − m`.
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try validate(y.shape, operation: "projection")
        let y = y.detached()
        let n = y.shape[y.rank - 1]
        let abscissa = try spectralAbscissa(y, operation: "projection")
        var out = y.scalars
        for (b, mu) in abscissa.enumerated() {
            var largest: Scalar = 1
            for i in 0..<(n * n) { largest = Swift.max(largest, Swift.abs(out[b * n * n + i])) }
            let margin = Scalar.pow(Scalar.ulpOfOne, Scalar(1) / 3) * largest
            // Only points within m/2 of the line (or beyond) move, to −α − m: a projected point,
            // m/2 inside up to rounding, is left alone, so the projection is idempotent.
            guard mu + alpha > -margin / 2 else { continue }
            let shift = mu + alpha + margin
            for i in 0..<n { out[b * n * n + i * n + i] -= shift }
        }
        return Tensor(shape: y.shape, scalars: out)
    }

    /// `(J − R) P − α I` with random `J`, `R`, `P` (see the type's documentation).
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        try validate(shape, operation: "sample")
        let n = shape[shape.count - 1]
        let scale = 1 / Scalar(Swift.max(n, 1)).squareRoot()
        let upper = (Tensor<Scalar>.randomNormal(shape, using: &generator) * scale).triu(1)
        let g = Tensor<Scalar>.randomNormal(shape, using: &generator)
        let r = Tensor<Scalar>.eye(n) * Scalar(0.5) + matmul(g, transposed: false, g, transposed: true) * (scale * scale / 2)
        let p = try PositiveDefinite<Scalar>(.spectral).sample(shape: shape, using: &generator)
        let a = matmul(upper - upper.transposed() - r, p)
        return alpha == 0 ? a : a - Tensor<Scalar>.eye(n) * alpha
    }
}
