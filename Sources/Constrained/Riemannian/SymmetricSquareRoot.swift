/// The principal square root `m^½` of a (batch of) symmetric positive definite matrix, cheap
/// when `m` is near the identity, as the matrices of an optimizer's parallel transport are.
///
/// With `m = I + d`, `m^½ = Σₖ cₖ dᵏ`, `cₖ = binom(½, k)`, converges for `‖d‖₂ < 1`. For symmetric
/// `d` the truncation after degree `K` is at most `Σ_{k>K} |cₖ| ρᵏ ≤ |c_{K+1}| ρ^{K+1} / (1 − ρ)`
/// in the 2-norm (`|cₖ|` decreases), with `ρ ≥ ‖d‖₂`; `ρ = min(‖d‖_F, ‖d²‖_F^½)`. The degree is
/// the smallest that keeps this below `u/2 · ‖m^½‖₂ ≥ u/2 · √(1 − ρ)` (u the unit roundoff), so
/// the result is as accurate as the `eigh`-based one. It is evaluated in `d` and `d²`
/// (Paterson–Stockmeyer with two powers): `⌈K/2⌉` matrix products in all, two for the
/// steps of training (`ρ ≈ 10⁻³`, degree 4), where `eigh` costs about fifteen.
/// Beyond degree 12 (`ρ` above about 0.08 in `Double`, 0.37 in `Float`) it is `Q diag(√λ) Qᵀ`
/// from `eigh`.
enum SymmetricSquareRoot {
    /// The largest Taylor degree used before falling back to `eigh`.
    static let maximumDegree = 12

    /// `m^½`; `m` is read as given (callers symmetrise it).
    ///
    /// - Throws: `LinAlgError` from `eigh` on the fallback path.
    static func of<Scalar: TensorScalar>(_ m: Tensor<Scalar>, allowingSeries: Bool = true) throws -> Tensor<Scalar> {
        let n = m.shape[m.rank - 1], batch = Array(m.shape.dropLast(2))
        if allowingSeries, n > 0 {
            let identity = Tensor<Scalar>.eye(rows: n, columns: n, batch: batch)
            let d = m - identity
            let d2 = matmul(d, d)
            let rho = Swift.min(largestFrobeniusNorm(d), largestFrobeniusNorm(d2).squareRoot())
            if let degree = degree(for: rho, unitRoundoff: Double(Scalar.ulpOfOne) / 2) {
                return series(d, d2, identity, degree: degree)
            }
        }
        let (values, vectors) = try eigh(m)
        return RiemannianKernels.spectralFunction(values, vectors) { $0.squareRoot() }
    }

    /// `binom(½, k)` for k = 0 … maximumDegree + 1.
    static let coefficients: [Double] = {
        var c = [1.0]
        for k in 1...(maximumDegree + 1) { c.append(c[k - 1] * (0.5 - Double(k - 1)) / Double(k)) }
        return c
    }()

    /// The smallest degree whose truncation error is below `u/2 · √(1 − ρ)`, or nil.
    static func degree(for rho: Double, unitRoundoff u: Double) -> Int? {
        guard rho.isFinite, rho < 0.5 else { return nil }
        if rho == 0 { return 0 }
        let allowed = u / 2 * (1 - rho).squareRoot() * (1 - rho)
        for k in 1...maximumDegree where Swift.abs(coefficients[k + 1]) * Double.pow(rho, Double(k + 1)) <= allowed {
            return k
        }
        return nil
    }

    /// `Σ_{i ≤ K/2} (c₂ᵢ I + c₂ᵢ₊₁ d) (d²)ⁱ` by Horner's rule in `d²`.
    static func series<Scalar: TensorScalar>(_ d: Tensor<Scalar>, _ d2: Tensor<Scalar>, _ identity: Tensor<Scalar>,
                                             degree: Int) -> Tensor<Scalar> {
        func block(_ i: Int) -> Tensor<Scalar> {
            let even = Scalar(coefficients[2 * i]), odd = 2 * i + 1 <= degree ? Scalar(coefficients[2 * i + 1]) : 0
            return identity * even + d * odd
        }
        var i = degree / 2
        var result = block(i)
        while i > 0 {
            i -= 1
            result = matmul(result, d2) + block(i)
        }
        return result
    }

    /// The largest `‖·‖_F` over the matrices of a batch.
    static func largestFrobeniusNorm<Scalar: TensorScalar>(_ a: Tensor<Scalar>) -> Double {
        let squares = (a * a).sum(alongAxes: [a.rank - 2, a.rank - 1])
        return Double(squares.scalars.max() ?? 0).squareRoot()
    }
}
