// The matrix exponential of one normal (symmetric or skew-symmetric) n × n row-major matrix by
// scaling and squaring with Taylor polynomials of degree 8, 12 or 18 in 3, 4 or 5 products, and
// the state its Fréchet derivative reuses. The schemes, their constants and the error analysis
// are in TaylorParameters.swift.
//
// Why a second algorithm: for these matrices the even powers are symmetric rank-n updates
// (`syrk`, half a GEMM), the spectral radius bounds the backward error exactly, and there is
// no LU solve. The Padé path's LU (`getrf` and two `trsm`, which OpenBLAS runs at a third of
// GEMM's speed at n = 256) cost as much as five products; here a 256 × 256 skew matrix of
// spectral radius 2 takes four GEMM-equivalents and two squarings, and a small one (ρ ≤ 0.05,
// as an orthogonal kernel near its base) two and a half.

/// What the forward pass of the Taylor exponential of one matrix computed, kept for its
/// Fréchet derivative.
///
/// With `X = 2^{-s}A`: `exp(A) ≈ R_s`, `R_0 = T_m(X)`, `R_{k+1} = R_k²`.
@usableFromInline
final class TaylorExponentialState<Scalar: TensorScalar> {
    @usableFromInline let n: Int
    @usableFromInline let scheme: TaylorScheme
    /// The number of squarings s.
    @usableFromInline let squarings: Int
    /// The scheme's slots after its steps (slot 0 is X).
    @usableFromInline let slots: [TensorStorage<Scalar>]
    /// `R_0, …, R_{max(s,1)−1}`.
    @usableFromInline let squares: [TensorStorage<Scalar>]

    @inlinable
    init(n: Int, scheme: TaylorScheme, squarings: Int, slots: [TensorStorage<Scalar>],
         squares: [TensorStorage<Scalar>]) {
        self.n = n
        self.scheme = scheme
        self.squarings = squarings
        self.slots = slots
        self.squares = squares
    }
}

@usableFromInline
enum TaylorExponential<Scalar: TensorScalar> {
    @usableFromInline typealias Matrix = SquareMatrix<Scalar>

    /// Whether normal matrices of this scalar type take this path: in `Double` only. In
    /// `Float`, θ₁₈ = 3.01 lets the terms of the scheme grow to about e^θ ≈ 20 times a skew
    /// matrix's orthogonal exponential before they cancel, and the error measured 1.1–44 times
    /// Padé degree 7's (1.7e-5 against 3.8e-7 on a 6 × 6 skew matrix of norm 30).
    @inlinable
    static var isPreferred: Bool { Scalar.significandBitCount >= 52 }

    /// Writes `exp(x)` to `out` for one normal n × n row-major matrix (`symmetry` is
    /// `.symmetric` or `.skew`, exactly), and returns the state the Fréchet derivative needs
    /// when `keepingState` is set.
    ///
    /// The powers X², X³, X⁶ are formed one by one and each tightens
    /// `ρ̂ = min(‖A‖₁, ‖A²‖₁^{1/2}, ‖A³‖₁^{1/3}, ‖A⁶‖₁^{1/6}, ‖A⁶‖_F^{1/6}) ≥ ρ(A) = ‖A‖₂`; the
    /// first degree whose θ_m bounds ρ̂ is used, else degree 18 with
    /// `s = ⌈log₂(ρ̂/θ₁₈)⌉` squarings, where `‖A¹²‖_F^{1/12}` also enters ρ̂ when ρ̂ lies within
    /// 25% above the bound for one squaring fewer.
    ///
    /// - Throws: ``LinAlgError`` (`.overflow`) when the result does not fit the scalar type
    ///   (a symmetric matrix with a large positive eigenvalue).
    @inlinable
    static func exponential(of x: UnsafePointer<Scalar>, n: Int, symmetry: Matrix.Symmetry,
                            into out: UnsafeMutablePointer<Scalar>, keepingState: Bool,
                            shape: [Int], batchIndex: [Int]? = nil) throws -> TaylorExponentialState<Scalar>? {
        precondition(symmetry != .none, "TaylorExponential: the matrix must be symmetric or skew")
        let count = n * n
        let top = TaylorParameters.degree18, topTheta = top.theta(Scalar.self)
        let overflow = LinAlgError(operation: "matrixExp", shape: shape, cause: .overflow,
                                   batchIndex: batchIndex)

        var slots = (0..<top.slotCount).map { _ in Matrix.allocate(n) }
        slots[0].base.update(from: x, count: count)
        let normA = Matrix.oneNorm(slots[0].base, n: n)
        guard normA.isFinite else { throw overflow }

        // A⁶ must not overflow before the squarings are chosen: a matrix that large is first
        // scaled by its 1-norm bound, as the Padé path does.
        var preScaling = 0
        let log2Limit = Double(Scalar.greatestFiniteMagnitude.exponent) - Double.log2(Double(Swift.max(n, 1))) - 4
        if normA > 0, 6 * Double.log2(normA) > log2Limit {
            preScaling = Swift.max(Int(Double.log2(normA / topTheta).rounded(.up)), 0)
            guard Matrix.scaleInSteps(slots[0].base, count: count, byPowerOfTwo: -preScaling) else { throw overflow }
        }

        // Form the powers one at a time until a degree fits without scaling.
        var bound = preScaling > 0 ? Matrix.oneNorm(slots[0].base, n: n) : normA
        var scheme = top, s = 0
        for (index, power) in [2, 3, 6].enumerated() {
            run(TaylorParameters.powerSteps[index], on: slots, n: n, symmetry: symmetry)
            let slot = slots[index + 1].base
            bound = Swift.min(bound, Double.pow(Matrix.oneNorm(slot, n: n), 1 / Double(power)))
            if power == 6 { bound = Swift.min(bound, Double.pow(frobeniusNormSquared(slot, count: count), 1.0 / 12)) }
            guard bound.isFinite else { throw overflow }
            if let fitting = TaylorParameters.schemes.first(where: { $0.powers == index + 2 }),
               bound <= fitting.theta(Scalar.self) {
                scheme = fitting
                break
            }
        }
        if scheme.degree == top.degree, bound > topTheta {
            s = Swift.max(Int(Double.log2(bound / topTheta).rounded(.up)), 0)
            // Within a quarter of one squaring fewer, ‖A¹²‖_F^{1/12} (one more syrk, half a
            // squaring's cost) usually decides it: it overestimates ρ by at most n^{1/24}
            // where ‖A⁶‖_F^{1/6} may by n^{1/12}.
            if bound <= 1.25 * topTheta * Double.exp2(Double(s - 1)) {
                let a12 = Matrix.allocate(n)
                Matrix.gram(a12.base, slots[3].base, n: n, alpha: 1)
                let sharper = Double.pow(frobeniusNormSquared(a12.base, count: count), 1.0 / 24)
                if sharper.isFinite, sharper < bound {
                    bound = sharper
                    s = Swift.max(Int(Double.log2(bound / topTheta).rounded(.up)), 0)
                }
            }
            // (2^{-s}A)^k = 2^{-ks}A^k, exact unless the factor leaves the normal range; then
            // the powers are formed again from the scaled A.
            var exact = true
            for (slot, k) in zip(slots, [1, 2, 3, 6]) where exact {
                exact = Matrix.scale(slot.base, count: count, byPowerOfTwo: -k * s)
            }
            if !exact {
                slots[0].base.update(from: x, count: count)
                guard Matrix.scaleInSteps(slots[0].base, count: count, byPowerOfTwo: -(s + preScaling)) else {
                    throw overflow
                }
                for step in TaylorParameters.powerSteps { run(step, on: slots, n: n, symmetry: symmetry) }
            }
        }
        let squarings = s + preScaling
        slots.removeLast(top.slotCount - scheme.slotCount)

        for step in scheme.steps { run(step, on: slots, n: n, symmetry: symmetry) }
        // At A = 0 every scheme gives I exactly in Double (its constant term rounds to 1;
        // checked by MatrixExponentialTests).
        let squares = Matrix.squarings(of: slots[scheme.result], squarings, n: n, into: out, keeping: keepingState)
        for i in 0..<count where !out[i].isFinite { throw overflow }

        guard keepingState else { return nil }
        return TaylorExponentialState(n: n, scheme: scheme, squarings: squarings, slots: slots, squares: squares)
    }

    /// Applies one step of a scheme to the slots.
    @inlinable
    static func run(_ step: TaylorStep, on slots: [TensorStorage<Scalar>], n: Int, symmetry: Matrix.Symmetry) {
        switch step {
        case let .combine(target, terms, identity):
            Matrix.combine(into: slots[target].base, n: n, terms.map { Scalar($0.coefficient) },
                           terms.map { UnsafePointer(slots[$0.slot].base) }, identity: Scalar(identity))
        case let .product(target, left, right, accumulate):
            Matrix.multiply(slots[target].base, slots[left].base, false, slots[right].base, false, n: n,
                            beta: accumulate ? 1 : 0)
        case let .square(target, of, oddPower):
            Matrix.gram(slots[target].base, slots[of].base, n: n, alpha: oddPower && symmetry == .skew ? -1 : 1)
        }
    }

    /// `‖A‖_F²` of an n × n buffer, in `Double`.
    @inlinable
    static func frobeniusNormSquared(_ a: UnsafePointer<Scalar>, count: Int) -> Double {
        var sum = 0.0
        for i in 0..<count { let v = Double(a[i]); sum += v * v }
        return sum
    }

    /// Writes `L(op(A), E)` for the matrix `A` whose forward pass produced `state`, where
    /// `op(A) = Aᵀ` when `transposed` is set (the pullback of `exp` at `A` with cotangent `E`).
    ///
    /// The scheme's steps differentiated along `E ← 2^{-s}E` by the product rule, in the same
    /// order, with `D` the derivative of each slot (`D₀ = E`): a combination gives the same
    /// combination of the `D`s (no identity), a product `L·R` gives `D_L R + L D_R`, a square
    /// `D P + P D`. Every slot holds a polynomial in `A` read through GEMM's transpose flag
    /// (`p(Aᵀ) = p(A)ᵀ`), and at its final value, since no slot a product reads is written
    /// afterwards. Then `L ← R_k L + L R_k` through the squarings. Cost: two products per
    /// product of the forward pass and two per squaring.
    @inlinable
    static func frechetDerivative(_ state: TaylorExponentialState<Scalar>, along g: UnsafePointer<Scalar>,
                                  transposed t: Bool, into out: UnsafeMutablePointer<Scalar>) {
        let n = state.n, count = n * n, s = state.squarings
        let values = state.slots.map { UnsafePointer($0.base) }
        let d = (0..<state.slots.count).map { _ in Matrix.allocate(n) }
        d[0].base.update(from: g, count: count)
        _ = Matrix.scaleInSteps(d[0].base, count: count, byPowerOfTwo: -s)

        for step in TaylorParameters.powerSteps.prefix(state.scheme.powers - 1) + state.scheme.steps {
            switch step {
            case let .combine(target, terms, _):
                Matrix.combine(into: d[target].base, n: n, terms.map { Scalar($0.coefficient) },
                               terms.map { UnsafePointer(d[$0.slot].base) })
            case let .product(target, left, right, accumulate):
                Matrix.multiply(d[target].base, d[left].base, false, values[right], t, n: n, beta: accumulate ? 1 : 0)
                Matrix.multiply(d[target].base, values[left], t, d[right].base, false, n: n, beta: 1)
            case let .square(target, of, _):
                Matrix.multiply(d[target].base, d[of].base, false, values[of], t, n: n)
                Matrix.multiply(d[target].base, values[of], t, d[of].base, false, n: n, beta: 1)
            }
        }

        var current = d[state.scheme.result]
        var spare = d[0]
        for k in 0..<s {
            let r = UnsafePointer(state.squares[k].base)
            let target = k == s - 1 ? out : spare.base
            Matrix.multiply(target, r, t, current.base, false, n: n)
            Matrix.multiply(target, current.base, false, r, t, n: n, beta: 1)
            if k < s - 1 { swap(&current, &spare) }
        }
        if s == 0 { out.update(from: current.base, count: count) }
    }
}
