/// The matrix exponential and its Fréchet derivative at `a` in the direction `e`.
///
/// The Fréchet derivative is the linear map `L(A, E)` with
/// `exp(A + E) = exp(A) + L(A, E) + o(‖E‖)`; equivalently `L(A, E)` is the upper-right block
/// of `exp([[A, E], [0, A]])`. It is computed by differentiating the scaling and squaring
/// algorithm of ``matrixExp(_:)`` (Al-Mohy & Higham 2009, "Computing the Fréchet derivative of
/// the matrix exponential", Algorithm 6.4): the Padé terms of `A` are differentiated along
/// `E` alongside, and the squarings become `L ← R L + L R`. The cost is about three
/// exponentials, against eight for the 2n × 2n block exponential.
///
/// Batched over leading axes: `a` and `e` have the same shape `(..., n, n)`. The result is not
/// recorded on a gradient tape.
///
/// ```swift
/// let (value, derivative) = try matrixExpFrechetDerivative(at: a, along: e)
/// ```
///
/// - Throws: ``LinAlgError`` as ``matrixExp(_:)`` does.
@inlinable
public func matrixExpFrechetDerivative<Scalar>(at a: Tensor<Scalar>, along e: Tensor<Scalar>) throws
    -> (value: Tensor<Scalar>, derivative: Tensor<Scalar>) {
    precondition(a.shape == e.shape,
                 "matrixExpFrechetDerivative: shapes \(a.shape) and \(e.shape) differ")
    let (value, states) = try MatrixExponentialKernel.forward(a, keepingState: true)
    let derivative = MatrixExponentialKernel.frechetDerivative(states!, along: e, transposed: false)
    return (value, derivative)
}

extension PadeExponential {
    /// Writes `L(op(A), E)` for the matrix `A` whose forward pass produced `state`, where
    /// `op(A) = Aᵀ` when `transposed` is set.
    ///
    /// The pullback of `exp` at `A` with cotangent `G` is `L(Aᵀ, G)` (the adjoint of
    /// `E ↦ L(A, E)` in the trace inner product). Nothing needs transposing: every saved
    /// matrix is a polynomial in `A`, and `p(Aᵀ) = p(A)ᵀ`, so the products read them with
    /// GEMM's transpose flag, and the LU of `Q = V − U` solves with `Qᵀ` as well.
    ///
    /// With `A` the scaled matrix, `E ← 2^{-s}E`, `M_{2k} = L(A^{2k}, E)` by the product rule:
    /// `M₂ = AE + EA`, `M₄ = A²M₂ + M₂A²`, `M₆ = A⁴M₂ + M₄A²`, `M₈ = A⁴M₄ + M₄A⁴`; then
    /// `L_U = A L_W + E W`, `L_V` likewise, and differentiating `Q R₀ = P`
    /// (P = V + U, Q = V − U) gives `Q L_R = (L_U + L_V) + (L_U − L_V) R₀`. Finally
    /// `L(R_k²) = R_k L + L R_k` through the squarings.
    ///
    /// Cost for degree 13: 12 products for the M's and L's, one for the right-hand side, one
    /// LU solve (≈ one product), 2 per squaring; the forward took 6 + one LU + 1 per squaring.
    @inlinable
    static func frechetDerivative(_ state: PadeExponentialState<Scalar>, along g: UnsafePointer<Scalar>,
                                  transposed t: Bool, into out: UnsafeMutablePointer<Scalar>) {
        let n = state.n, count = n * n, s = state.squarings, m = state.degree
        let b = PadeParameters.coefficients(degree: m).map { Scalar($0) }
        let p = state.powers.map { UnsafePointer($0.base) }
        func allocate() -> TensorStorage<Scalar> { Matrix.allocate(n) }

        // E ← 2^{-s} G (exact; in halves if 2^{-s} is below the normal range).
        let e = allocate()
        e.base.update(from: g, count: count)
        _ = Matrix.scaleInSteps(e.base, count: count, byPowerOfTwo: -s)

        // M_{2k} = L(A^{2k}, E).
        let m2 = allocate()
        Matrix.multiply(m2.base, p[0], t, e.base, false, n: n)
        Matrix.multiply(m2.base, e.base, false, p[0], t, n: n, beta: 1)
        var ms = [m2]
        if m >= 5 {
            let m4 = allocate()
            Matrix.multiply(m4.base, p[1], t, m2.base, false, n: n)
            Matrix.multiply(m4.base, m2.base, false, p[1], t, n: n, beta: 1)
            ms.append(m4)
        }
        if m >= 7 {
            let m6 = allocate()
            Matrix.multiply(m6.base, p[2], t, m2.base, false, n: n)
            Matrix.multiply(m6.base, ms[1].base, false, p[1], t, n: n, beta: 1)
            ms.append(m6)
        }
        if m == 9 {
            let m8 = allocate()
            Matrix.multiply(m8.base, p[2], t, ms[1].base, false, n: n)
            Matrix.multiply(m8.base, ms[1].base, false, p[2], t, n: n, beta: 1)
            ms.append(m8)
        }
        let mp = ms.map { UnsafePointer($0.base) }

        // L_W and L_V.
        let lw = allocate(), lv = allocate()
        if m == 13 {
            let lw1 = allocate(), lz1 = allocate()
            let m642 = [mp[2], mp[1], mp[0]]
            Matrix.combine(into: lw1.base, n: n, [b[13], b[11], b[9]], m642)
            Matrix.combine(into: lz1.base, n: n, [b[12], b[10], b[8]], m642)
            Matrix.combine(into: lw.base, n: n, [b[7], b[5], b[3]], m642)
            Matrix.combine(into: lv.base, n: n, [b[6], b[4], b[2]], m642)
            // L(A⁶W₁) = A⁶ L(W₁) + M₆ W₁, and likewise for Z₁.
            Matrix.multiply(lw.base, p[3], t, lw1.base, false, n: n, beta: 1)
            Matrix.multiply(lw.base, mp[2], false, state.w1!.base, t, n: n, beta: 1)
            Matrix.multiply(lv.base, p[3], t, lz1.base, false, n: n, beta: 1)
            Matrix.multiply(lv.base, mp[2], false, state.z1!.base, t, n: n, beta: 1)
        } else {
            let half = m / 2
            Matrix.combine(into: lw.base, n: n, (1...half).map { b[2 * $0 + 1] }, mp)
            Matrix.combine(into: lv.base, n: n, (1...half).map { b[2 * $0] }, mp)
        }

        // L_U = A L_W + E W.
        let lu = allocate()
        Matrix.multiply(lu.base, p[0], t, lw.base, false, n: n)
        Matrix.multiply(lu.base, e.base, false, state.w.base, t, n: n, beta: 1)

        // Q L_R = (L_U + L_V) + (L_U − L_V) R₀, solved with the forward's LU of Q.
        let rhs = lu, difference = lw
        for i in 0..<count {
            let u = lu.base[i], v = lv.base[i]
            difference.base[i] = u - v
            rhs.base[i] = u + v
        }
        Matrix.multiply(rhs.base, difference.base, false, state.squares[0].base, t, n: n, beta: 1)
        state.pivots.withUnsafeBufferPointer {
            Matrix.solve(lu: state.lu.base, pivots: $0.baseAddress!, rhs.base, n: n, transposed: t)
        }

        // Squarings: L(R_k²) = R_k L + L R_k.
        var current = rhs
        var spare = lv
        for k in 0..<s {
            let r = UnsafePointer(state.squares[k].base)
            let target = k == s - 1 ? out : spare.base
            Matrix.multiply(target, r, t, current.base, false, n: n)
            Matrix.multiply(target, current.base, false, r, t, n: n, beta: 1)
            if k < s - 1 { swap(&current, &spare) }
        }
        if s == 0 { out.update(from: rhs.base, count: count) }
    }
}
