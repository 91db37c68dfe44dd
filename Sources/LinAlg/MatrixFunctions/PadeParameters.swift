// The constants of scaling and squaring with diagonal Padé approximants r_m = p_m / q_m of
// exp, for Double and for Float.
//
// Backward error. For ‖2^{-s} A‖ small enough, r_m(2^{-s} A)^{2^s} = exp(A + ΔA) with
// ΔA = 2^s h_{2m+1}(2^{-s} A), where h_{2m+1}(x) = log(e^{-x} r_m(x)) = Σ_{k ≥ 2m+1} c_k x^k.
// θ_m is the largest θ with Σ |c_k| θ^{k−1} ≤ u (the unit roundoff): whenever the scaled
// matrix's "size" is at most θ_m, ‖ΔA‖ ≤ u‖A‖, so the truncation error of the approximant is
// no larger than the rounding error of storing A (Higham 2005, §2, Table 2.1 and 2.3).
//
// Double (u = 2⁻⁵³), degrees 3, 5, 7, 9, 13. θ_3 … θ_9 are Higham's (2005, Table 2.3);
// degree 13 uses θ_13 = 4.25, the value Al-Mohy & Higham (2009, "A new scaling and squaring
// algorithm for the matrix exponential", SIAM J. Matrix Anal. Appl. 31(3)) adopt for their
// algorithm (Higham 2005 had 5.37; SciPy's expm uses 4.25 too).
//
// Float (u = 2⁻²⁴), degrees 3, 5, 7. Higham (2005, Table 2.1, and MATLAB's expm for single)
// gives θ_3 = 0.4259, θ_5 = 1.880, θ_7 = 3.926 for single precision. Degree 7 is the largest
// worth using there: it already reaches a backward error of u at ‖A‖ ≈ 3.9, and a higher
// degree would save at most one squaring for 2–3 more matrix products. (SciPy instead reuses
// the double-precision θ's for float32, which costs it one or two extra squarings.)
//
// Size. Instead of ‖A‖₁, Al-Mohy & Higham (2009) bound h_{2m+1}(A) = A·g(A²) through
// α_p = max(d_{2p}, d_{2p+2}) with d_k = ‖A^k‖₁^{1/k}, valid when m ≥ p(p−1). d_k ≤ ‖A‖₁
// always, and for non-normal matrices d_k ≪ ‖A‖₁ (d_k tends to the spectral radius), which
// is what stops the overscaling that ruins the 2005 algorithm on, e.g., [[−1, 10⁴], [0, −2]].
// So degrees 3 and 5 use η = max(d₄, d₆) (p = 2); 7 and 9 use max(d₆, d₈) (p = 3); 13 uses
// min(max(d₆, d₈), max(d₈, d₁₀)) (p = 3 or 4); Float's top degree 7 uses
// min(max(d₄, d₆), max(d₆, d₈)) (p = 2 or 3).
//
// Rounding guard. Because the η's may be far below ‖A‖, the evaluation of r_m can still lose
// accuracy to cancellation. The test ℓ(A, m) = max(⌈log₂(α/u) / 2m⌉, 0) with
// α = |c_{2m+1}| ‖|A|^{2m+1}‖₁ / ‖A‖₁ (Al-Mohy & Higham 2009, §5) adds squarings until the
// leading term of the backward error, evaluated on |A|, is below u. Here
// 1/|c_{2m+1}| = (2m)!(2m+1)! / (m!)², the leading coefficient of e^x − r_m(x).
//
// Fréchet derivative. Al-Mohy & Higham ("Computing the Fréchet derivative of the matrix
// exponential, with an application to condition number estimation", SIAM J. Matrix Anal.
// Appl. 30(4), 2009, Algorithm 6.4) differentiate the same r_m(2^{-s}A)^{2^s}, choosing s
// from ‖A‖₁ and thresholds ℓ_m slightly below θ_m (ℓ_3 = 0.0108, ℓ_5 = 0.200, ℓ_7 = 0.783,
// ℓ_9 = 1.78, ℓ_13 = 4.74) so that the derivative's backward error in E is also below u.
// We reuse the forward's (m, s) instead, so that the pullback reuses its powers, Padé terms
// and LU factors. The derivative then has the forward's backward error in A; its error in E
// can exceed u by a modest factor (for ‖2^{-s}A‖ ≤ θ_m it grows like (θ_m/ℓ_m)^{2m}, at most
// ≈ 7 for degree 3), and for non-normal matrices where the η's allow ‖2^{-s}A‖ > ℓ_m there
// is no a priori bound (the terms A^j E A^{k−1−j} do not factor through ‖A^k‖). The fixtures,
// including a non-normal and a large-norm case, agree with SciPy's expm_frechet and with a
// 60-digit block exponential to ~1e-13 in Double.

@usableFromInline
struct PadeParameters: Sendable {
    /// The degrees tried without scaling, smallest first, with their θ.
    @usableFromInline let unscaledDegrees: [(degree: Int, theta: Double)]
    /// The degree used with scaling, and its θ.
    @usableFromInline let topDegree: Int
    @usableFromInline let topTheta: Double
    /// log₂ of the unit roundoff.
    @usableFromInline let log2UnitRoundoff: Double

    @usableFromInline
    static let double = PadeParameters(
        unscaledDegrees: [(3, 1.495585217958292e-2), (5, 2.539398330063230e-1),
                          (7, 9.504178996162932e-1), (9, 2.097847961257068e0)],
        topDegree: 13, topTheta: 4.25, log2UnitRoundoff: -53)

    @usableFromInline
    static let float = PadeParameters(
        unscaledDegrees: [(3, 4.258730016922831e-1), (5, 1.880152677804762e0)],
        topDegree: 7, topTheta: 3.925724783138660e0, log2UnitRoundoff: -24)

    /// The set for a scalar type: single-precision constants when its unit roundoff is
    /// larger than double's.
    @inlinable
    static func forScalar<Scalar: TensorScalar>(_: Scalar.Type) -> PadeParameters {
        Scalar.significandBitCount >= 52 ? .double : .float
    }

    /// The coefficients b_0 … b_m of p_m(x) = Σ b_j x^j, with q_m(x) = p_m(−x), scaled so
    /// that b_m = 1: b_j = (2m − j)! / (j! (m − j)!). Integers, exact in Double.
    @inlinable
    static func coefficients(degree m: Int) -> [Double] {
        switch m {
        case 3: return [120, 60, 12, 1]
        case 5: return [30240, 15120, 3360, 420, 30, 1]
        case 7: return [17297280, 8648640, 1995840, 277200, 25200, 1512, 56, 1]
        case 9: return [17643225600, 8821612800, 2075673600, 302702400, 30270240, 2162160,
                        110880, 3960, 90, 1]
        case 13: return [64764752532480000, 32382376266240000, 7771770303897600,
                         1187353796428800, 129060195264000, 10559470521600, 670442572800,
                         33522128640, 1323241920, 40840800, 960960, 16380, 182, 1]
        default: preconditionFailure("no Padé approximant of degree \(m) is used")
        }
    }

    /// log₂((2m)!(2m+1)!/(m!)²) = −log₂|c_{2m+1}|, the leading backward-error coefficient.
    @inlinable
    static func log2ReciprocalLeadingCoefficient(degree m: Int) -> Double {
        var s = 0.0
        for k in 1...(2 * m) { s += Double.log2(Double(k)) }      // (2m)!
        for k in 1...(2 * m + 1) { s += Double.log2(Double(k)) }  // (2m+1)!
        for k in 1...m { s -= 2 * Double.log2(Double(k)) }        // (m!)²
        return s
    }
}
