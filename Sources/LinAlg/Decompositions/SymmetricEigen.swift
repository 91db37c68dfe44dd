/// The eigenvalues (ascending) and orthonormal eigenvectors (the columns of `vectors`) of each
/// symmetric matrix, batched: `A = V diag(λ) Vᵀ`.
///
/// Only the lower triangle of `a` is read (as `torch.linalg.eigh` and `numpy.linalg.eigh`).
/// LAPACK's divide-and-conquer driver `syevd` runs on the row-major buffer, the column-major
/// Aᵀ = A, with `uplo = U` (its upper triangle is our lower one); the eigenvectors come back as
/// the columns of a column-major matrix, so one transposing copy puts them in our columns.
/// Eigenvalues are accurate to about `ε ‖A‖` in absolute terms; an eigenvector's angular error
/// is about `ε ‖A‖ / gap`, where `gap` is the distance to the nearest other eigenvalue.
/// Each eigenvector's sign is arbitrary (LAPACK's choice).
///
/// **Gradient** (symmetric, i.e. with respect to symmetric perturbations, as PyTorch):
/// `Ā = V (diag(λ̄) + F ∘ ½(Vᵀ V̄ − V̄ᵀ V)) Vᵀ` with `Fᵢⱼ = 1 / (λⱼ − λᵢ)` off the diagonal.
/// It needs distinct eigenvalues whenever the eigenvectors' cotangent is used; with repeated
/// eigenvalues the eigenvectors are not unique and the gradient is not finite. A loss of the
/// eigenvalues alone (`V̄ = 0`) has the gradient `V diag(λ̄) Vᵀ`, finite for repeated ones too.
/// A loss of the eigenvectors should not depend on their signs (e.g. use `V diag(c) Vᵀ`).
///
/// ```swift
/// let (values, vectors) = try eigh(Tensor<Double>(shape: [2, 2], scalars: [2, 1, 1, 2]))
/// // values [1, 3]; vectors ±[[−1, 1], [1, 1]] / √2
/// ```
///
/// - Throws: ``LinAlgError`` when the algorithm does not converge or a matrix holds NaN or
///   infinity.
/// - Precondition: the last two axes are equal.
@inlinable
public func eigh<Scalar>(_ a: Tensor<Scalar>) throws -> (values: Tensor<Scalar>, vectors: Tensor<Scalar>) {
    let layout = MatrixBatch(a.shape, operation: "eigh")
    layout.requireSquare("eigh")
    try requireFinite(a, layout, operation: "eigh", lower: -layout.rows, upper: 0)
    let n = layout.rows
    var work = a.scalars
    var values = Tensor<Scalar>(shape: layout.batch + [n], repeating: 0)
    var vectors = try Tensor<Scalar>(shape: a.shape) { out in
        guard n > 0 else { return }
        try work.withUnsafeMutableBufferPointer { w in
            for b in 0..<layout.count {
                let p = w.baseAddress! + b * n * n
                // `values` is a fresh tensor: its storage is ours to write.
                let info = Scalar.syevd(jobz: UInt8(ascii: "V"), uplo: UInt8(ascii: "U"), n: Int32(n), a: p,
                                        lda: Int32(n), w: values.storage.base + b * n)
                if info != 0 {
                    throw LinAlgError(operation: "eigh", shape: a.shape,
                                      cause: info > 0
                                        ? .noConvergence(detail: "syevd failed to converge on \(info) eigenvalues")
                                        : .lapack(routine: "syevd", info: Int(info)),
                                      batchIndex: layout.index(of: b))
                }
                transposeMatrix(p, rows: n, columns: n, into: out.baseAddress! + b * n * n)
            }
        }
    }
    if let tapeID = Tensor.recordingTapeID(a) {
        let lambda = values.detached(), v = vectors.detached()
        var outputs = [values, vectors]
        Tensor.record(tapeID, "eigh", inputs: [a], outputs: &outputs) { g in
            [SymmetricEigenGradient.pullback(values: lambda, vectors: v, valuesBar: g[0], vectorsBar: g[1])]
        }
        values = outputs[0]
        vectors = outputs[1]
    }
    return (values, vectors)
}

@usableFromInline
enum SymmetricEigenGradient {
    /// `V (diag(λ̄) + F ∘ ½(Vᵀ V̄ − V̄ᵀ V)) Vᵀ`, batched.
    @inlinable
    static func pullback<Scalar: TensorScalar>(
        values: Tensor<Scalar>, vectors v: Tensor<Scalar>, valuesBar: Tensor<Scalar>, vectorsBar: Tensor<Scalar>
    ) -> Tensor<Scalar> {
        let n = v.shape[v.rank - 1]
        let count = n == 0 ? 0 : v.scalarCount / (n * n)
        let useVectors = !isAllZero(vectorsBar)
        // Inner matrix: Vᵀ V̄ (when needed), then its skew part over the eigenvalue gaps.
        var inner = useVectors ? matmul(v, transposed: true, vectorsBar, transposed: false)
                               : Tensor<Scalar>(shape: v.shape, repeating: 0)
        inner.withUnsafeMutableBufferPointer { q in
            let lambda = values.storage.base, lambdaBar = valuesBar.storage.base
            for b in 0..<count {
                let k = q.baseAddress! + b * n * n, l = lambda + b * n
                if useVectors {
                    for i in 0..<n {
                        for j in (i + 1)..<n {
                            // Symmetric: ½(Kᵢⱼ − Kⱼᵢ) / (λⱼ − λᵢ) at (i, j) and, with both
                            // signs flipped, the same value at (j, i).
                            let value = (k[i * n + j] - k[j * n + i]) / (2 * (l[j] - l[i]))
                            k[i * n + j] = value
                            k[j * n + i] = value
                        }
                    }
                }
                for i in 0..<n { k[i * (n + 1)] = lambdaBar[b * n + i] }
            }
        }
        return matmul(matmul(v, inner), transposed: false, v, transposed: true)
    }
}
