// The evaluation schemes of the Taylor polynomials of exp used by TaylorExponential.swift:
// degrees 8, 12 and 18 in 3, 4 and 5 matrix products (Bader, Blanes & Casas, "Computing the
// matrix exponential with an optimized Taylor polynomial approximation", Mathematics 7(12),
// 2019, §3–4: for 8 the closed-form solution, for 12 and 18 the solutions that minimise the
// 1-norm of the coefficients).
//
// Each scheme is exactly Σ_{k ≤ m} X^k / k! in exact arithmetic: expanding it with these
// constants in 60-digit arithmetic reproduces every 1/k! (to 2e-61 for degree 8, whose
// constants are algebraic, and 4e-30 for 12 and 18, whose constants have 30 digits);
// Scripts/fixtures/taylor_exponential.py does so and writes the fixture the tests check the
// Swift constants against.
//
// Backward error. T_m(X) = exp(X + h(X)) with h(x) = log(e^{-x} T_m(x)) = Σ_{k > m} c_k x^k.
// θ_m is the largest θ with Σ |c_k| θ^{k−1} ≤ u (the same script, from the c_k in 60 digits):
//
//     m         8                     12                    18
//     Double    0.049912288711153226  0.2996158913811581    1.0908637192900361
//     Float     0.5800524627688768    1.4616615072090335    3.0100663628176343
//
// For a normal matrix (symmetric or skew-symmetric) ‖h(X)‖₂ = max over the eigenvalues of
// |h(λ)| ≤ Σ |c_k| ρ(X)^k, so ρ(2^{-s}A) ≤ θ_m gives ‖ΔA‖₂ ≤ u‖A‖₂: the degree and the
// squarings are chosen from an upper bound of the spectral radius, not from ‖A‖₁, which for a
// random 256 × 256 skew matrix is about six times larger (two to three squarings fewer).
//
// Slots. Every scheme starts from the same powers, which the choice of degree forms one by
// one: slot 0 = X, 1 = X², 2 = X³ = X²X, 3 = X⁶ = (X³)². Degree 8 reads slots 0–1, 12 reads
// 0–2, 18 reads 0–3; their own steps use the slots after those. A slot a product reads is never
// written again, so the Fréchet derivative can read every factor's final value.

/// One step of a scheme on n × n matrices held in numbered slots.
@usableFromInline
enum TaylorStep: Sendable {
    /// `slot[target] ← Σ coefficient · slot[operand] + identity · I` (the target may be an
    /// operand: the pass is elementwise).
    case combine(target: Int, terms: [Term], identity: Double)
    /// `slot[target] ← slot[left] · slot[right]`, plus the old `slot[target]` when accumulating.
    case product(target: Int, left: Int, right: Int, accumulate: Bool)
    /// `slot[target] ← slot[of]²`, for a power of X: `±slot[of] slot[of]ᵀ`, one `syrk` (minus for
    /// an odd power of a skew X).
    case square(target: Int, of: Int, oddPower: Bool)

    /// One term of a combination.
    @usableFromInline
    struct Term: Sendable {
        @usableFromInline let slot: Int
        @usableFromInline let coefficient: Double

        @inlinable
        init(_ slot: Int, _ coefficient: Double) {
            self.slot = slot
            self.coefficient = coefficient
        }
    }
}

/// A Taylor polynomial of exp of degree m and the steps that evaluate it.
@usableFromInline
struct TaylorScheme: Sendable {
    @usableFromInline let degree: Int
    /// θ_m for u = 2⁻⁵³ and 2⁻²⁴.
    @usableFromInline let thetaDouble: Double
    @usableFromInline let thetaFloat: Double
    /// How many of the powers X, X², X³, X⁶ (slots 0…) the steps read.
    @usableFromInline let powers: Int
    @usableFromInline let slotCount: Int
    @usableFromInline let steps: [TaylorStep]
    /// The slot that holds T_m(X) after the steps.
    @usableFromInline let result: Int

    /// θ_m for a scalar type: the single-precision value when its unit roundoff is larger
    /// than double's.
    @inlinable
    func theta<Scalar: TensorScalar>(_: Scalar.Type) -> Double {
        Scalar.significandBitCount >= 52 ? thetaDouble : thetaFloat
    }
}

@usableFromInline
enum TaylorParameters {
    @usableFromInline typealias T = TaylorStep.Term

    /// The steps that form the powers: X² (slot 1), X³ (slot 2), X⁶ (slot 3).
    @usableFromInline
    static let powerSteps: [TaylorStep] = [
        .square(target: 1, of: 0, oddPower: true),
        .product(target: 2, left: 1, right: 0, accumulate: false),
        .square(target: 3, of: 2, oddPower: true),
    ]

    /// Degree 8 in three products (X² and two more):
    /// `A₄ = X²(a₁X + a₂X²)`, `A₈ = (x₃X² + A₄)(c₀I + c₁X + c₂X² + c₄A₄)`,
    /// `T₈ = I + X + u₂X² + A₈`, with `x₃ = 2/3` and the other constants in closed form with √177.
    @usableFromInline
    static let degree8 = TaylorScheme(
        degree: 8, thetaDouble: 0.049912288711153226, thetaFloat: 0.5800524627688768, powers: 2, slotCount: 7,
        steps: [
            .combine(target: 2, terms: [T(0, 0.108364656785227808523075991016086843),
                                        T(1, 0.0270911641963069521307689977540217108)], identity: 0),
            .product(target: 3, left: 1, right: 2, accumulate: false),                       // A₄
            .combine(target: 4, terms: [T(1, 2.0 / 3.0), T(3, 1)], identity: 0),
            .combine(target: 5, terms: [T(0, 0.161125573395417592827983736851616781),
                                        T(1, 0.0140909171583782077308054580224280048),
                                        T(3, 0.0337927970108705041406044505294091682)],
                     identity: 0.546761457970724052506356636236097311),
            .combine(target: 6, terms: [T(0, 1), T(1, 0.135492361352850631662428909175935126)], identity: 1),
            .product(target: 6, left: 4, right: 5, accumulate: true),                         // + A₈
        ],
        result: 6)

    /// Degree 12 in four products (X², X³ and two more): `q₃ⱼ = a₀ⱼI + a₁ⱼX + a₂ⱼX² + a₃ⱼX³`,
    /// `q₆₁ = q₃₃ + q₃₄²`, `T₁₂ = q₃₁ + (q₃₂ + q₆₁) q₆₁`.
    @usableFromInline
    static let degree12 = TaylorScheme(
        degree: 12, thetaDouble: 0.2996158913811581, thetaFloat: 1.4616615072090335, powers: 3, slotCount: 7,
        steps: [
            .combine(target: 3, terms: [T(0, -0.00500702322573317730979741843919),
                                        T(1, -0.573420122960522263905952420789),
                                        T(2, -0.133399693943892059700768926983)],
                     identity: -0.0186023205146205532243437300433),                       // q₃₁
            .combine(target: 4, terms: [T(0, 0.992875103538486836140479571505),
                                        T(1, -0.132445561052799638845074997454),
                                        T(2, 0.0017299)], identity: 4.6),                   // q₃₂
            .combine(target: 5, terms: [T(0, 0.158224384715726725371768893252),
                                        T(1, 0.165635169436727415011171668419),
                                        T(2, 0.0107862779315792425026320640108)],
                     identity: 0.211693118299809442949323323336),                         // q₃₃
            .combine(target: 6, terms: [T(0, -0.131810610138301840156819349464),
                                        T(1, -0.0202785554058925907933568229945),
                                        T(2, -0.00675951846863086359778560766482)], identity: 0),  // q₃₄
            .product(target: 5, left: 6, right: 6, accumulate: true),                         // q₆₁
            .combine(target: 4, terms: [T(4, 1), T(5, 1)], identity: 0),                      // q₃₂ + q₆₁
            .product(target: 3, left: 4, right: 5, accumulate: true),                         // T₁₂
        ],
        result: 3)

    /// Degree 18 in five products (X², X³, X⁶ and two more):
    /// `q₃₁ = a₁X + a₂X² + a₃X³`, `q₆ⱼ = b₀ⱼI + b₁ⱼX + b₂ⱼX² + b₃ⱼX³ + b₆ⱼX⁶` (j = 1 … 4),
    /// `q₉₁ = q₃₁q₆₄ + q₆₃`, `T₁₈ = q₆₁ + (q₆₂ + q₉₁) q₉₁`.
    @usableFromInline
    static let degree18 = TaylorScheme(
        degree: 18, thetaDouble: 1.0908637192900361, thetaFloat: 3.0100663628176343, powers: 4, slotCount: 9,
        steps: [
            .combine(target: 4, terms: [T(0, -0.100365581030144620014614939405),
                                        T(1, -0.00802924648241156960116919515244),
                                        T(2, -0.000892138498045729955685466128049)], identity: 0),   // q₃₁
            .combine(target: 5, terms: [T(0, 0.39784974949964507614519612771028457569650810840769),
                                        T(1, 1.36783778460411719922523706878222824210645354065492),
                                        T(2, 0.49828962252538267755685881726227335618491813973197),
                                        T(3, -0.00063789819459472330924155005649192855187738275810133)],
                     identity: 0),                                                                 // q₆₁
            .combine(target: 6, terms: [T(0, 1.68015813878906197182785401724810509527857901059057),
                                        T(1, 0.057177984647886551270287171322524813172749750937076),
                                        T(2, -0.0069821012248805208429046648380155316643898381520778),
                                        T(3, 0.000033497501708607053831336734066843980202259964449916)],
                     identity: -10.9676396052962062593517462675368412486304187625477),              // q₆₂
            .combine(target: 7, terms: [T(0, -0.067640451907138190756007990037970748545628260132731),
                                        T(1, 0.067596130177045964608279919507893705650710007681383),
                                        T(2, 0.029555257042931552742606918224223124374730464727435),
                                        T(3, -0.000013918025751606070112473997934374240280741023052349)],
                     identity: -0.090431683239081056197146887701834954994708662811626),             // q₆₃
            .combine(target: 8, terms: [T(1, -0.0923364619367118592764570775143),
                                        T(2, -0.0169364939002081717191385115723),
                                        T(3, -0.0000140086798182036159794363205726)], identity: 0),  // q₆₄
            .product(target: 7, left: 4, right: 8, accumulate: true),                                 // q₉₁
            .combine(target: 6, terms: [T(6, 1), T(7, 1)], identity: 0),                              // q₆₂ + q₉₁
            .product(target: 5, left: 6, right: 7, accumulate: true),                                 // T₁₈
        ],
        result: 5)

    /// The schemes, lowest degree first.
    @usableFromInline
    static let schemes = [degree8, degree12, degree18]
}
