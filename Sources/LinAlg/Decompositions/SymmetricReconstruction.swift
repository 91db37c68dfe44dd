/// The symmetric matrix `V diag(λ) Vᵀ` with the given eigenvalues and eigenvectors (the
/// columns of `V`), batched: `eigenvalues` `(..., k)`, `eigenvectors` `(..., n, k)`, result
/// `(..., n, n)`. Not recorded on a gradient tape (callers differentiate spectral functions
/// with their own pullbacks).
///
/// The weights are split by sign, `V diag(λ) Vᵀ = B₊B₊ᵀ − B₋B₋ᵀ` with `B± = V diag(√max(±λ, 0))`,
/// and each term is one symmetric rank-k update (`syrk`) of the columns with that sign, so the
/// whole product costs `n² k` flops instead of GEMM's `2 n² k`, and the result is exactly
/// symmetric (one triangle is computed and mirrored). `eigh` returns the eigenvalues in
/// ascending order, so each sign's columns are contiguous; otherwise the columns of each sign
/// are gathered first. Rounding: each entry carries the error of an inner product of length
/// `k` plus that of the square roots, `O(k ε) Σⱼ |λⱼ| |vᵢⱼ vₗⱼ|`, as GEMM's.
///
/// ```swift
/// let (values, vectors) = try eigh(s)
/// let p = symmetricMatrix(eigenvalues: values.map { $0.squareRoot() }, eigenvectors: vectors)  // s^½
/// ```
///
/// - Precondition: the shapes match as above.
@inlinable
public func symmetricMatrix<Scalar: TensorScalar>(eigenvalues: Tensor<Scalar>, eigenvectors: Tensor<Scalar>) -> Tensor<Scalar> {
    let v = eigenvectors
    precondition(v.rank >= 2 && eigenvalues.rank == v.rank - 1
                    && Array(eigenvalues.shape.dropLast()) == Array(v.shape.dropLast(2))
                    && eigenvalues.shape.last == v.shape.last,
                 "symmetricMatrix: eigenvalues \(eigenvalues.shape) do not fit eigenvectors \(v.shape)")
    let n = v.shape[v.rank - 2], k = v.shape[v.rank - 1]
    let batch = Array(v.shape.dropLast(2))
    let count = Shape.count(of: batch)
    var scaled = [Scalar](repeating: 0, count: n * k)
    return Tensor<Scalar>(shape: batch + [n, n]) { out in
        let c = out.baseAddress!
        guard n > 0 else { return }
        scaled.withUnsafeMutableBufferPointer { bBuffer in
            let b = bBuffer.baseAddress!
            for t in 0..<count {
                let lambda = eigenvalues.storage.base + t * k, q = v.storage.base + t * n * k
                let dst = c + t * n * n
                // Columns ordered negative weights first, then positive (zero weights dropped).
                var negative: [Int] = [], positive: [Int] = []
                for j in 0..<k {
                    if lambda[j] < 0 { negative.append(j) } else if lambda[j] > 0 { positive.append(j) }
                }
                let columns = negative + positive
                let width = columns.count
                for i in 0..<n {
                    let row = q + i * k, target = b + i * Swift.max(width, 1)
                    for (slot, j) in columns.enumerated() { target[slot] = row[j] * Swift.abs(lambda[j]).squareRoot() }
                }
                if width == 0 {
                    dst.initialize(repeating: 0, count: n * n)
                    continue
                }
                // Lower triangle: + B₊B₊ᵀ, then − B₋B₋ᵀ.
                if positive.isEmpty {
                    dst.initialize(repeating: 0, count: n * n)
                } else {
                    Scalar.syrk(upper: false, transA: false, n: n, k: positive.count, alpha: 1,
                                a: b + negative.count, lda: width, beta: 0, c: dst, ldc: n)
                }
                if !negative.isEmpty {
                    Scalar.syrk(upper: false, transA: false, n: n, k: negative.count, alpha: -1,
                                a: b, lda: width, beta: positive.isEmpty ? 0 : 1, c: dst, ldc: n)
                }
                for i in 0..<n {
                    for j in (i + 1)..<Swift.max(n, i + 1) { dst[i * n + j] = dst[j * n + i] }
                }
            }
        }
    }
}
