/// The symmetric case of `FactoredSpectrum`: `U diag(g(s)) Uᵀ` with one Stiefel factor, for the
/// rank variants of ``PositiveSemidefinite`` (geotorch's `SymF`: Stiefel × ℝʳ).
///
/// For a value `(…, n, n)` of rank `r` the original is `(…, n + 1, r)`: rows `0..<n` are the
/// free entries of `U` (orthonormal columns through ``Orthogonal``'s Householder map, as for
/// ``LowRank``), the last row is `s`. Cost O(n r²) for the map and its gradient, plus the
/// `n × n` product `U diag Uᵀ`; the right inverse and projection run one `eigh`.
extension FactoredSpectrum {
    /// The packed original's shape of a symmetric value, `batch + [n + 1, r]`.
    func symmetricOriginalShape(batch: [Int]) -> [Int] { batch + [rows + 1, rank] }

    /// `U diag(g(s)) Uᵀ` from a packed symmetric original.
    func symmetricValue(_ x: Tensor<Scalar>, _ g: (Tensor<Scalar>) -> Tensor<Scalar>) throws -> Tensor<Scalar> {
        let axis = x.rank - 2
        let u = try Self.stiefel(x.slice(0..<rows, alongAxis: axis))
        let s = g(x.slice(rows..<(rows + 1), alongAxis: axis))   // (…, 1, r)
        return matmul(u * s, transposed: false, u, transposed: true)
    }

    /// The packed symmetric original for `y = Q diag(λ) Qᵀ` (`eigh`'s ascending order): the
    /// last `rank` eigenpairs, with `s = inverse(λ)`.
    func symmetricOriginal(values: Tensor<Scalar>, vectors: Tensor<Scalar>,
                           _ inverse: (Tensor<Scalar>) -> Tensor<Scalar>) throws -> Tensor<Scalar> {
        let n = values.shape[values.rank - 1]
        let u = vectors.slice((n - rank)..<n, alongAxis: vectors.rank - 1)
        let l = values.slice((n - rank)..<n, alongAxis: values.rank - 1)
        let batch = Array(l.shape.dropLast())
        var uMap = Orthogonal<Scalar>(map: .householder, usesTrivialization: false)
        return concatenate([try uMap.rightInverse(u), inverse(l).reshaped(to: batch + [1, rank])],
                           alongAxis: u.rank - 2)
    }

    /// `Q diag(λ) Qᵀ` for eigenpairs `values` `(…, n)`, `vectors` `(…, n, n)`, symmetrised.
    static func symmetricCompose(values: Tensor<Scalar>, vectors: Tensor<Scalar>) -> Tensor<Scalar> {
        let n = values.shape[values.rank - 1]
        let batch = Array(values.shape.dropLast())
        let p = matmul(vectors * values.reshaped(to: batch + [1, n]), transposed: false, vectors, transposed: true)
        return (p + p.transposed()) * Scalar(0.5)
    }

    /// `Q diag(λ) Qᵀ` with `Q` Haar (`n × r`) and `λ` from `lambda`, symmetrised.
    func symmetricSample<G: RandomNumberGenerator>(batch: [Int], using generator: inout G,
                                                   lambda: (Int, inout G) -> Tensor<Scalar>) throws -> Tensor<Scalar> {
        let u = try Orthogonal<Scalar>().sample(shape: batch + [rows, rank], using: &generator)
        let l = lambda(Shape.count(of: batch) * rank, &generator).reshaped(to: batch + [1, rank])
        let p = matmul(u * l, transposed: false, u, transposed: true)
        return (p + p.transposed()) * Scalar(0.5)
    }
}
