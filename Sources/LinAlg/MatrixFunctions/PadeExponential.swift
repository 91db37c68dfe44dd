// The matrix exponential of one n × n row-major matrix by scaling and squaring with diagonal
// Padé approximants (Al-Mohy & Higham 2009), and the state the Fréchet derivative reuses.
// The constants and their derivation are in PadeParameters.swift.

/// What the forward pass of the exponential of one matrix computed, kept for its Fréchet
/// derivative (the pullback) so that it need not recompute any of it.
///
/// With `A` already scaled by 2^{-s}: `exp(2^s A) ≈ R_s`, `R_0 = r_m(A) = (V − U)⁻¹(V + U)`,
/// `R_{k+1} = R_k²`, `U = A·W` and `V` even polynomials in `A`.
@usableFromInline
final class PadeExponentialState<Scalar: TensorScalar> {
    @usableFromInline let n: Int
    /// The Padé degree m.
    @usableFromInline let degree: Int
    /// The number of squarings s.
    @usableFromInline let squarings: Int
    /// `[A, A², A⁴, A⁶, A⁸]` of the scaled A, as far as the degree needed.
    @usableFromInline let powers: [TensorStorage<Scalar>]
    /// `W` with `U = A·W`.
    @usableFromInline let w: TensorStorage<Scalar>
    /// Degree 13 only: `W₁` and `Z₁` with `W = A⁶W₁ + W₂` and `V = A⁶Z₁ + Z₂`.
    @usableFromInline let w1: TensorStorage<Scalar>?
    @usableFromInline let z1: TensorStorage<Scalar>?
    /// The LU factors (from `getrf` on the row-major buffer) of `Q = V − U`, and its pivots.
    @usableFromInline let lu: TensorStorage<Scalar>
    @usableFromInline let pivots: [Int32]
    /// `R_0, …, R_{max(s,1)−1}`: the matrices that are squared (or `R_0` alone when s = 0).
    @usableFromInline let squares: [TensorStorage<Scalar>]

    @inlinable
    init(n: Int, degree: Int, squarings: Int, powers: [TensorStorage<Scalar>], w: TensorStorage<Scalar>,
         w1: TensorStorage<Scalar>?, z1: TensorStorage<Scalar>?, lu: TensorStorage<Scalar>,
         pivots: [Int32], squares: [TensorStorage<Scalar>]) {
        self.n = n
        self.degree = degree
        self.squarings = squarings
        self.powers = powers
        self.w = w
        self.w1 = w1
        self.z1 = z1
        self.lu = lu
        self.pivots = pivots
        self.squares = squares
    }
}

@usableFromInline
enum PadeExponential<Scalar: TensorScalar> {
    @usableFromInline typealias Matrix = SquareMatrix<Scalar>

    /// Writes `exp(x)` to `out` for one n × n row-major matrix, and returns the state the
    /// Fréchet derivative needs when `keepingState` is set.
    ///
    /// - Throws: ``LinAlgError`` (`.overflow`) when the result does not fit the scalar type,
    ///   `.singular` if `V − U = q_m(2^{-s}A)` were singular (impossible in exact arithmetic:
    ///   q_m has no zeros in the disc of radius θ_m, which holds the spectrum of 2^{-s}A since
    ///   the spectral radius is at most every η).
    @inlinable
    static func exponential(of x: UnsafePointer<Scalar>, n: Int,
                            into out: UnsafeMutablePointer<Scalar>,
                            keepingState: Bool, shape: [Int],
                            batchIndex: [Int]? = nil) throws -> PadeExponentialState<Scalar>? {
        let count = n * n
        let parameters = PadeParameters.forScalar(Scalar.self)
        let overflow = LinAlgError(operation: "matrixExp", shape: shape, cause: .overflow,
                                   batchIndex: batchIndex)

        let a = Matrix.allocate(n)
        a.base.update(from: x, count: count)
        var normA = Matrix.oneNorm(a.base, n: n)
        guard normA.isFinite else { throw overflow }

        // Overflowing powers (‖A‖⁶ beyond the range) defeat the norm-based choice: then scale
        // by the plain ‖A‖₁ bound first, so that the powers of the scaled matrix are O(1).
        var preScaling = 0
        var choice = choose(a, n: n, normA: normA, parameters)
        if choice == nil {
            preScaling = Swift.max(Int((Double.log2(normA / parameters.topTheta)).rounded(.up)), 0)
            guard Matrix.scale(a.base, count: count, byPowerOfTwo: -preScaling) else { throw overflow }
            normA = Matrix.oneNorm(a.base, n: n)
            choice = choose(a, n: n, normA: normA, parameters)
        }
        guard let chosen = choice else { throw overflow }
        let degree = chosen.degree, powers = chosen.powers
        var s = chosen.squarings

        // Scale the powers: (2^{-s}A)^{2k} = 2^{-2ks} A^{2k}, exact, unless the factor leaves
        // the normal range; then recompute the power from the scaled lower ones.
        if s > 0 {
            _ = Matrix.scale(powers[0].base, count: count, byPowerOfTwo: -s)
            let factors = [(0, 0), (1, 1), (2, 1), (2, 2)]  // A², A⁴, A⁶, A⁸ as products
            for k in 1..<powers.count
            where !Matrix.scale(powers[k].base, count: count, byPowerOfTwo: -2 * k * s) {
                let (i, j) = factors[k - 1]
                Matrix.multiply(powers[k].base, powers[i].base, false, powers[j].base, false, n: n)
            }
        }
        s += preScaling

        // U = A·W and V, as even polynomials in A evaluated with few products
        // (Higham 2005, (2.3)–(2.4) and (2.11) for degree 13).
        let b = PadeParameters.coefficients(degree: degree).map { Scalar($0) }
        let w = Matrix.allocate(n), v = Matrix.allocate(n)
        var w1: TensorStorage<Scalar>? = nil, z1: TensorStorage<Scalar>? = nil
        let p = powers.map { UnsafePointer($0.base) }
        if degree == 13 {
            let w1s = Matrix.allocate(n), z1s = Matrix.allocate(n)
            Matrix.combine(into: w1s.base, n: n, [b[13], b[11], b[9]], [p[3], p[2], p[1]])
            Matrix.combine(into: z1s.base, n: n, [b[12], b[10], b[8]], [p[3], p[2], p[1]])
            Matrix.combine(into: w.base, n: n, [b[7], b[5], b[3]], [p[3], p[2], p[1]], identity: b[1])
            Matrix.combine(into: v.base, n: n, [b[6], b[4], b[2]], [p[3], p[2], p[1]], identity: b[0])
            Matrix.multiply(w.base, p[3], false, w1s.base, false, n: n, beta: 1)
            Matrix.multiply(v.base, p[3], false, z1s.base, false, n: n, beta: 1)
            w1 = w1s
            z1 = z1s
        } else {
            let half = degree / 2  // powers A², …, A^{m−1}: p[1] … p[half]
            let even = Array(p[1...half])
            Matrix.combine(into: w.base, n: n, (1...half).map { b[2 * $0 + 1] }, even, identity: b[1])
            Matrix.combine(into: v.base, n: n, (1...half).map { b[2 * $0] }, even, identity: b[0])
        }
        // Q = V − U into `lu`, P = V + U into the first R.
        let lu = Matrix.allocate(n)
        let r0 = Matrix.allocate(n)
        Matrix.multiply(lu.base, p[0], false, w.base, false, n: n)  // U
        for i in 0..<count {
            let u = lu.base[i], vi = v.base[i]
            lu.base[i] = vi - u
            r0.base[i] = vi + u
        }
        var pivots = [Int32](repeating: 0, count: n)
        let info = pivots.withUnsafeMutableBufferPointer {
            Scalar.getrf(m: Int32(n), n: Int32(n), a: lu.base, lda: Int32(n), ipiv: $0.baseAddress!)
        }
        if info > 0 {
            throw LinAlgError(operation: "matrixExp", shape: shape, cause: .singular(pivot: Int(info) - 1),
                              batchIndex: batchIndex)
        }
        precondition(info == 0, "matrixExp: getrf reported illegal argument \(-info)")
        pivots.withUnsafeBufferPointer {
            Matrix.solve(lu: lu.base, pivots: $0.baseAddress!, r0.base, n: n, transposed: false)
        }

        // Squaring. The intermediate R_k are the derivative's, so they are kept when asked.
        let squares = Matrix.squarings(of: r0, s, n: n, into: out, keeping: keepingState)
        for i in 0..<count where !out[i].isFinite { throw overflow }

        guard keepingState else { return nil }
        return PadeExponentialState(n: n, degree: degree, squarings: s, powers: powers, w: w,
                                    w1: w1, z1: z1, lu: lu, pivots: pivots, squares: squares)
    }

    /// Chooses the degree m and the number of squarings s (Al-Mohy & Higham 2009,
    /// Algorithm 5.1, with the size estimates described in PadeParameters.swift), forming the
    /// powers of the unscaled A that the chosen degree needs. `nil` when a power overflows.
    ///
    /// In `Double`, symmetric and skew matrices take ``TaylorExponential`` instead (see
    /// ``matrixExp(_:)``); in `Float` they come here.
    ///
    /// A symmetric or skew-symmetric A (exactly so, checked entrywise) is normal: its even
    /// powers are symmetric, `A^{2k} = ±(A^k)(A^k)ᵀ`, so A², A⁴ and A⁸ are each one
    /// symmetric rank-n update (`syrk`, half a GEMM); and `‖h(A)‖₂ = max |h(λ)|` makes the
    /// η-based bound sharp, so the rounding guard ℓ, which protects against non-normality, is
    /// not applied. For skew matrices it costs accuracy: on a 256 × 256 skew A with
    /// `ρ(A) ≈ 2`, ℓ asks for two squarings (‖|A|‖ is about six times ρ(A)), which raise
    /// the error against the exact exponential from 8.9e-16 to 2.8e-15.
    @inlinable
    static func choose(_ a: TensorStorage<Scalar>, n: Int, normA: Double, _ parameters: PadeParameters)
        -> (degree: Int, squarings: Int, powers: [TensorStorage<Scalar>])? {
        let log2U = parameters.log2UnitRoundoff
        let log2NormA = Double.log2(normA)
        let symmetry = SquareMatrix<Scalar>.symmetry(a.base, n: n)
        var absolute: NormEstimates<Scalar>.AbsolutePowers? = nil
        // ℓ(2^{-s}A, m): extra squarings that keep the leading backward-error term on |A|
        // below u. ‖|2^{-s}A|^{2m+1}‖ / ‖2^{-s}A‖ = 2^{-2ms} ‖|A|^{2m+1}‖ / ‖A‖.
        func ell(_ m: Int, _ s: Int) -> Int {
            if normA == 0 || symmetry != .none { return 0 }
            if absolute == nil { absolute = NormEstimates<Scalar>.AbsolutePowers(a.base, n: n) }
            let log2Power = absolute!.log2Norm(power: 2 * m + 1)
            if log2Power == -.infinity { return 0 }
            let log2Alpha = log2Power - log2NormA
                - PadeParameters.log2ReciprocalLeadingCoefficient(degree: m)
            let value = ((log2Alpha - log2U) / Double(2 * m) - Double(s)).rounded(.up)
            return Swift.max(Int(value), 0)
        }
        func root(_ norm: Double, _ k: Int) -> Double { Double.pow(norm, 1 / Double(k)) }
        func product(_ x: TensorStorage<Scalar>, _ y: TensorStorage<Scalar>) -> TensorStorage<Scalar> {
            let z = SquareMatrix<Scalar>.allocate(n)
            SquareMatrix<Scalar>.multiply(z.base, x.base, false, y.base, false, n: n)
            return z
        }
        // x², for x = A (symmetric or skew) or an even power of it (symmetric).
        func square(_ x: TensorStorage<Scalar>, sign: Scalar) -> TensorStorage<Scalar> {
            guard symmetry != .none else { return product(x, x) }
            let z = SquareMatrix<Scalar>.allocate(n)
            SquareMatrix<Scalar>.gram(z.base, x.base, n: n, alpha: sign)
            return z
        }
        func estimate(_ x: TensorStorage<Scalar>, _ y: TensorStorage<Scalar>, _ k: Int) -> Double {
            let log2Estimate = NormEstimates<Scalar>.log2OneNormEstimate(
                ofProduct: [UnsafePointer(x.base), UnsafePointer(y.base)], n: n)
            return Double.exp2(log2Estimate / Double(k))
        }
        func theta(_ m: Int) -> Double? { parameters.unscaledDegrees.first { $0.degree == m }?.theta }

        let a2 = square(a, sign: symmetry == .skew ? -1 : 1)
        let norm2 = SquareMatrix<Scalar>.oneNorm(a2.base, n: n)
        guard norm2.isFinite else { return nil }
        // Degree 3 needs A² only, so it is tried before A⁴ exists, with d₄, d₆ ≤ ‖A²‖^{1/2}.
        if let t = theta(3), root(norm2, 2) <= t, ell(3, 0) == 0 { return (3, 0, [a, a2]) }

        let a4 = square(a2, sign: 1)
        let norm4 = SquareMatrix<Scalar>.oneNorm(a4.base, n: n)
        guard norm4.isFinite else { return nil }
        let d4 = root(norm4, 4)
        // Degree 5 needs A⁴: d₆ ≤ (‖A⁴‖‖A²‖)^{1/6} stands in for ‖A⁶‖^{1/6} until A⁶ is formed.
        if let t = theta(5), Swift.max(d4, root(norm4 * norm2, 6)) <= t, ell(5, 0) == 0 {
            return (5, 0, [a, a2, a4])
        }

        let a6 = product(a4, a2)
        let norm6 = SquareMatrix<Scalar>.oneNorm(a6.base, n: n)
        guard norm6.isFinite else { return nil }
        let d6 = root(norm6, 6)
        let d8 = Swift.min(estimate(a4, a4, 8), d4)
        guard d8.isFinite else { return nil }
        let eta3 = Swift.max(d6, d8)

        if parameters.topDegree == 13 {
            if let t = theta(7), eta3 <= t, ell(7, 0) == 0 { return (7, 0, [a, a2, a4, a6]) }
            if let t = theta(9), eta3 <= t, ell(9, 0) == 0 {
                return (9, 0, [a, a2, a4, a6, square(a4, sign: 1)])
            }
            let d10 = Swift.min(estimate(a4, a6, 10), root(norm4 * norm6, 10))
            guard d10.isFinite else { return nil }
            let eta5 = Swift.min(eta3, Swift.max(d8, d10))
            return (13, squarings(eta5, parameters.topTheta) { ell(13, $0) }, [a, a2, a4, a6])
        } else {
            // Float: degree 7 is the top; p = 2 or 3 in α_p.
            let eta = Swift.min(Swift.max(d4, d6), eta3)
            return (7, squarings(eta, parameters.topTheta) { ell(7, $0) }, [a, a2, a4, a6])
        }
    }

    /// s = max(⌈log₂(η/θ)⌉, 0) + ℓ(2^{-s}A, m).
    @inlinable
    static func squarings(_ eta: Double, _ theta: Double, ell: (Int) -> Int) -> Int {
        let s = eta == 0 ? 0 : Swift.max(Int(Double.log2(eta / theta).rounded(.up)), 0)
        return s + ell(s)
    }
}
