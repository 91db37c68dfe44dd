/// `Q diag(f(λ)) Qᵀ` for a symmetric `S = Q diag(λ) Qᵀ`, batched, with the Daleckii–Krein
/// pullback, which stays finite for repeated eigenvalues.
///
/// The derivative of a spectral function is `dP = Q (F ∘ (Qᵀ dS Q)) Qᵀ` with the first divided
/// differences `Fᵢⱼ = (f(λᵢ) − f(λⱼ)) / (λᵢ − λⱼ)`, and `Fᵢⱼ = f′((λᵢ + λⱼ)/2)` when the two
/// eigenvalues agree to `√ε` relative (the quotient would cancel; the midpoint derivative is
/// within `O(|λᵢ − λⱼ|²)` of it). `F` is symmetric, so the pullback of `P̄` is
/// `Q (F ∘ (Qᵀ sym(P̄) Q)) Qᵀ`. Unlike differentiating through `eigh` (whose pullback divides
/// by `λᵢ − λⱼ`), this is exact at the identity, where a positive definite original often starts.
///
/// The forward pass is one `eigh` and one symmetric rank-k update (``symmetricMatrix(eigenvalues:eigenvectors:)``);
/// the divided differences are formed only when the pullback runs, so a forward pass whose
/// gradient is never asked for does no `O(n²)` setup beyond keeping `λ`, `f(λ)` and `Q`.
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
        let fv = values.map(f)
        var p = symmetricMatrix(eigenvalues: fv, eigenvectors: vectors)
        if let tapeID = Tensor<Scalar>.recordingTapeID(s) {
            p.record(tapeID, "spectralFunction", s) { g in
                let weights = dividedDifferences(values, fv, n: n, derivative: derivative)
                let symmetric = (g + g.transposed()) * Scalar(0.5)
                let inner = matmul(matmul(vectors, transposed: true, symmetric, transposed: false), vectors) * weights
                return matmul(matmul(vectors, inner), transposed: false, vectors, transposed: true)
            }
        }
        return p
    }

    /// `Fᵢⱼ = (f(λᵢ) − f(λⱼ)) / (λᵢ − λⱼ)`, or `f′((λᵢ + λⱼ)/2)` when the two agree to `√ε`
    /// relative; symmetric, so each pair is computed once.
    static func dividedDifferences<Scalar: TensorScalar>(
        _ values: Tensor<Scalar>, _ fv: Tensor<Scalar>, n: Int, derivative: (Scalar) -> Scalar
    ) -> Tensor<Scalar> {
        let batch = Array(values.shape.dropLast())
        let count = Shape.count(of: batch)
        let scale = Scalar.ulpOfOne.squareRoot()
        return Tensor<Scalar>(shape: batch + [n, n]) { out in
            let w = out.baseAddress!
            values.withUnsafeBufferPointer { lambdas in
                fv.withUnsafeBufferPointer { fs in
                    for b in 0..<count {
                        let l = lambdas.baseAddress! + b * n, fb = fs.baseAddress! + b * n, d = w + b * n * n
                        for i in 0..<n {
                            d[i * n + i] = derivative(l[i])
                            for j in (i + 1)..<Swift.max(n, i + 1) {
                                let li = l[i], lj = l[j], gap = li - lj
                                let value = Swift.abs(gap) > scale * Swift.max(1, Swift.max(Swift.abs(li), Swift.abs(lj)))
                                    ? (fb[i] - fb[j]) / gap
                                    : derivative((li + lj) / 2)
                                d[i * n + j] = value
                                d[j * n + i] = value
                            }
                        }
                    }
                }
            }
        }
    }
}
