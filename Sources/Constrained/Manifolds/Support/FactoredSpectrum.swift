/// The shared machinery of the sets written as `U diag(g(s)) Vᵀ` (``LowRank``, ``FixedRank``,
/// ``AlmostOrthogonal``), as geotorch's product manifold Stiefel × ℝʳ × Stiefel, in one packed
/// original.
///
/// For a value `(…, m, k)` of rank `r` the original is `(…, m + k + 1, r)`: rows `0..<m` are the
/// free entries of `U` (`m × r`, orthonormal columns through ``Orthogonal``'s Householder map),
/// rows `m..<m+k` those of `V` (`k × r`), and the last row is `s`. One tensor, so optimizers,
/// traversal and checkpoints see the whole parametrization as one original. Cost O((m + k) r²)
/// for the map and its gradient; the right inverse and projection run one reduced SVD.
struct FactoredSpectrum<Scalar: TensorScalar> {
    /// The sizes of the value and the rank.
    let rows: Int, columns: Int, rank: Int

    /// The packed original's shape for a value of `shape`.
    func originalShape(batch: [Int]) -> [Int] { batch + [rows + columns + 1, rank] }

    /// `U diag(g(s)) Vᵀ` from a packed original.
    func value(_ x: Tensor<Scalar>, _ g: (Tensor<Scalar>) -> Tensor<Scalar>) throws -> Tensor<Scalar> {
        let axis = x.rank - 2
        let u = try Self.stiefel(x.slice(0..<rows, alongAxis: axis))
        let v = try Self.stiefel(x.slice(rows..<(rows + columns), alongAxis: axis))
        let s = g(x.slice((rows + columns)..<(rows + columns + 1), alongAxis: axis))   // (…, 1, r)
        return matmul(u * s, transposed: false, v, transposed: true)
    }

    /// `U diag(g(s) ⊙ (1, …, 1, t)) Vᵀ` for a square value, with `t = sign(det U · det V)`
    /// (locally constant, not differentiated): the determinant is `∏ g(s)` times `t² = 1`, so
    /// positive whenever `g > 0`.
    func valueWithPositiveDeterminant(_ x: Tensor<Scalar>, _ g: (Tensor<Scalar>) -> Tensor<Scalar>) throws -> Tensor<Scalar> {
        let axis = x.rank - 2
        let u = try Self.stiefel(x.slice(0..<rows, alongAxis: axis))
        let v = try Self.stiefel(x.slice(rows..<(rows + columns), alongAxis: axis))
        let s = g(x.slice((rows + columns)..<(rows + columns + 1), alongAxis: axis))   // (…, 1, r)
        let signs = try withoutRecording { () throws -> Tensor<Scalar> in
            let product = try determinant(u.detached()) * determinant(v.detached())
            let count = product.scalarCount
            var out = [Scalar](repeating: 1, count: count * rank)
            for b in 0..<count where product.scalars[b] < 0 { out[b * rank + rank - 1] = -1 }
            return Tensor(shape: s.shape, scalars: out)
        }
        return matmul(u * (s * signs), transposed: false, v, transposed: true)
    }

    /// The reduced SVD of `y`, its singular values as `(…, min(m, k))`.
    static func decompose(_ y: Tensor<Scalar>, subject: String, operation: String) throws
    -> (u: Tensor<Scalar>, s: Tensor<Scalar>, vt: Tensor<Scalar>) {
        try ConstrainedError.wrappingLinearAlgebra(operation, subject: subject) { try svd(y.detached()) }
    }

    /// The packed original for `y = U diag(σ) Vᵀ` (first `rank` triplets) with `s = inverse(σ)`.
    func original(u: Tensor<Scalar>, s: Tensor<Scalar>, vt: Tensor<Scalar>,
                  _ inverse: (Tensor<Scalar>) -> Tensor<Scalar>) throws -> Tensor<Scalar> {
        let ur = u.slice(0..<rank, alongAxis: u.rank - 1)
        let vr = vt.slice(0..<rank, alongAxis: vt.rank - 2).transposed()
        let sr = s.slice(0..<rank, alongAxis: s.rank - 1)
        let batch = Array(sr.shape.dropLast())
        var uMap = Orthogonal<Scalar>(map: .householder, usesTrivialization: false)
        var vMap = Orthogonal<Scalar>(map: .householder, usesTrivialization: false)
        return concatenate([try uMap.rightInverse(ur), try vMap.rightInverse(vr),
                            inverse(sr).reshaped(to: batch + [1, rank])], alongAxis: ur.rank - 2)
    }

    /// `U diag(σ) Vᵀ` of the first `rank` triplets, σ given.
    func compose(u: Tensor<Scalar>, s: Tensor<Scalar>, vt: Tensor<Scalar>) -> Tensor<Scalar> {
        let ur = u.slice(0..<rank, alongAxis: u.rank - 1)
        let vtr = vt.slice(0..<rank, alongAxis: vt.rank - 2)
        let sr = s.slice(0..<rank, alongAxis: s.rank - 1)
        let batch = Array(sr.shape.dropLast())
        return matmul(ur * sr.reshaped(to: batch + [1, rank]), vtr)
    }

    /// A random value: Haar `U`, `V` and the singular values `sigma` draws (descending or not).
    func sample<G: RandomNumberGenerator>(batch: [Int], using generator: inout G,
                                          sigma: (Int, inout G) -> Tensor<Scalar>) throws -> Tensor<Scalar> {
        let haar = Orthogonal<Scalar>()
        let u = try haar.sample(shape: batch + [rows, rank], using: &generator)
        let v = try haar.sample(shape: batch + [columns, rank], using: &generator)
        let s = sigma(Shape.count(of: batch) * rank, &generator).reshaped(to: batch + [1, rank])
        return matmul(u * s, transposed: false, v, transposed: true)
    }

    /// The orthonormal columns of a tall free matrix (Householder map, signs from the diagonal).
    static func stiefel(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try Orthogonal<Scalar>(map: .householder, usesTrivialization: false).forward(x)
    }

    /// The packed original's shape for values of `shape`, `(…, m + k + 1, r)`.
    static func packedShape(_ shape: [Int], rank: Int) -> [Int] {
        Array(shape.dropLast(2)) + [shape[shape.count - 2] + shape[shape.count - 1] + 1, rank]
    }

    /// Throws unless `shape` is a (batch of) matrix and `rank` is in `1...min(m, k)`.
    static func validate(_ shape: [Int], rank: Int, subject: String, operation: String) throws {
        try ConstrainedError.requireMatrix(subject, shape, operation: operation)
        let m = shape[shape.count - 2], k = shape[shape.count - 1]
        guard rank >= 1 && rank <= Swift.min(m, k) else {
            throw ConstrainedError(operation, subject: subject, shape: shape,
                                   cause: .invalidArgument("rank must be in 1...\(Swift.min(m, k)) (the smaller side of \(m) × \(k)), got \(rank)"))
        }
    }
}
