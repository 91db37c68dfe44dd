/// `Q diag(f(λ)) Qᵀ` for a symmetric `S = Q diag(λ) Qᵀ`, batched, with the Daleckii–Krein
/// pullback, which stays finite for repeated eigenvalues.
///
/// The derivative of a spectral function is `dP = Q (F ∘ (Qᵀ dS Q)) Qᵀ` with the first divided
/// differences `Fᵢⱼ = (f(λᵢ) − f(λⱼ)) / (λᵢ − λⱼ)`, and `Fᵢⱼ = f′((λᵢ + λⱼ)/2)` when the two
/// eigenvalues agree to `√ε` relative (the quotient would cancel; the midpoint derivative is
/// within `O(|λᵢ − λⱼ|²)` of it). `F` is symmetric, so the pullback of `P̄` is
/// `Q (F ∘ (Qᵀ sym(P̄) Q)) Qᵀ`. Unlike differentiating through `eigh` (whose pullback divides
/// by `λᵢ − λⱼ`), this is exact at the identity, where a positive definite original often starts.
enum SpectralFunction {
    /// `Q diag(f(λ)) Qᵀ`, differentiable in `s` (symmetric; only its symmetric part matters).
    static func apply<Scalar: TensorScalar>(
        _ s: Tensor<Scalar>, operation: String, subject: String,
        _ f: @escaping (Scalar) -> Scalar, derivative: @escaping (Scalar) -> Scalar
    ) throws -> Tensor<Scalar> {
        let n = s.shape[s.rank - 1]
        let (values, vectors) = try ConstrainedError.wrappingLinearAlgebra(operation, subject: subject) {
            try eigh(s.detached())
        }
        let batch = Array(values.shape.dropLast())
        let fv = values.map(f)
        var p = matmul(vectors * fv.reshaped(to: batch + [1, n]), transposed: false, vectors, transposed: true)
        if let tapeID = Tensor<Scalar>.recordingTapeID(s) {
            let lambdas = values.scalars, fs = fv.scalars
            let count = Shape.count(of: batch)
            var divided = [Scalar](repeating: 0, count: count * n * n)
            let scale = Scalar.ulpOfOne.squareRoot()
            for b in 0..<count {
                for i in 0..<n {
                    for j in 0..<n {
                        let li = lambdas[b * n + i], lj = lambdas[b * n + j]
                        let gap = li - lj
                        divided[(b * n + i) * n + j] = Swift.abs(gap) > scale * Swift.max(1, Swift.max(Swift.abs(li), Swift.abs(lj)))
                            ? (fs[b * n + i] - fs[b * n + j]) / gap
                            : derivative((li + lj) / 2)
                    }
                }
            }
            let weights = Tensor<Scalar>(shape: batch + [n, n], scalars: divided)
            p.record(tapeID, "spectralFunction", s) { g in
                let symmetric = (g + g.transposed()) * Scalar(0.5)
                let inner = matmul(matmul(vectors, transposed: true, symmetric, transposed: false), vectors) * weights
                return matmul(matmul(vectors, inner), transposed: false, vectors, transposed: true)
            }
        }
        return p
    }
}
