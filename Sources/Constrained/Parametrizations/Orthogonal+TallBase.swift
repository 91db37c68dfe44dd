// A tall base for dynamic trivialisation that never forms an n × n matrix.
//
// The value is Q = B̂ · map(X), with B̂ an n × n orthogonal completion of the base point
// Y (n × k, YᵀY = I). Any fixed completion gives a valid chart (only its first k columns
// are pinned, by Q(X₀) = Y); the one used here is the Householder factor of Y's QR
// factorisation, which is O(n k) to store and O(n k²) to apply:
//
//     Y = H₀ ⋯ H_{k−1} [R; 0],   R = D + O(ε) with D = diag(±1) (R is orthogonal and triangular)
//     B̂ = H diag(d₀, …, d_{k−1}, 1, …, 1),   H = I − V T Vᵀ (compact WY; V n × k, T k × k)
//
// so B̂ [I; 0] = H [D; 0] = Y to rounding, and B̂ · M = M' − V (T (Vᵀ M')) with M' the rows
// of M scaled by the signs: three GEMMs of n k² flops, differentiable through `matmul`
// (V and T are constants). PyTorch's n × n base is still accepted when set directly.

extension Orthogonal {
    /// The compact-WY factors of the completion of a tall base point (see the file's notes).
    struct TallBaseFactors {
        /// `(..., n, k)`: the unit lower-trapezoidal Householder vectors.
        let v: Tensor<Scalar>
        /// `(..., k, k)`: the upper triangular factor with `H = I − V T Vᵀ`.
        let t: Tensor<Scalar>
        /// `(..., n, 1)`: the signs `d` of R's diagonal, then ones.
        let signs: Tensor<Scalar>
    }

    /// The factors of a tall base `y` `(..., n, k)`, from `geqrf` per matrix.
    ///
    /// - Throws: `LinAlgError` when `geqrf` fails (NaN or infinity in the base).
    static func tallBaseFactors(_ y: Tensor<Scalar>) throws -> TallBaseFactors {
        let n = y.shape[y.rank - 2], k = y.shape[y.rank - 1]
        let batch = Array(y.shape.dropLast(2))
        let count = Shape.count(of: batch)
        var work = [Scalar](repeating: 0, count: n * k)
        var tau = [Scalar](repeating: 0, count: k)
        var vScalars = [Scalar](repeating: 0, count: count * n * k)
        var tScalars = [Scalar](repeating: 0, count: count * k * k)
        var signScalars = [Scalar](repeating: 1, count: count * n)
        var gram = [Scalar](repeating: 0, count: k * k)
        try y.withUnsafeBufferPointer { p in
            for b in 0..<count {
                let a = p.baseAddress! + b * n * k
                // Column-major n × k for LAPACK (the row-major buffer read column-major is Yᵀ).
                for i in 0..<n { for j in 0..<k { work[j * n + i] = a[i * k + j] } }
                let info = work.withUnsafeMutableBufferPointer { w in
                    tau.withUnsafeMutableBufferPointer { t in
                        Scalar.geqrf(m: Int32(n), n: Int32(k), a: w.baseAddress!, lda: Int32(n), tau: t.baseAddress!)
                    }
                }
                guard info == 0 else {
                    throw LinAlgError(operation: "Orthogonal base (geqrf)", shape: y.shape,
                                      cause: .lapack(routine: "geqrf", info: Int(info)))
                }
                let vo = b * n * k
                for i in 0..<n {
                    for j in 0..<k {
                        vScalars[vo + i * k + j] = i == j ? 1 : (i > j ? work[j * n + i] : 0)
                    }
                }
                for j in 0..<k where work[j * n + j] < 0 { signScalars[b * n + j] = -1 }
                // G = VᵀV (only the upper triangle is used), then T column by column:
                // T[j, j] = τⱼ, T[0..<j, j] = −τⱼ · T[0..<j, 0..<j] · G[0..<j, j] (LAPACK's larft).
                vScalars.withUnsafeBufferPointer { vp in
                    gram.withUnsafeMutableBufferPointer { g in
                        Scalar.gemm(transA: true, transB: false, m: k, n: k, k: n, alpha: 1,
                                    a: vp.baseAddress! + vo, lda: k, b: vp.baseAddress! + vo, ldb: k,
                                    beta: 0, c: g.baseAddress!, ldc: k)
                    }
                }
                let to = b * k * k
                for j in 0..<k {
                    tScalars[to + j * k + j] = tau[j]
                    for i in 0..<j {
                        var s: Scalar = 0
                        for l in i..<j { s += tScalars[to + i * k + l] * gram[l * k + j] }
                        tScalars[to + i * k + j] = -tau[j] * s
                    }
                }
            }
        }
        return TallBaseFactors(v: Tensor(shape: batch + [n, k], scalars: vScalars),
                               t: Tensor(shape: batch + [k, k], scalars: tScalars),
                               signs: Tensor(shape: batch + [n, 1], scalars: signScalars))
    }

    /// `B̂ · m` for the completion `B̂` of the tall base described by `factors` (differentiable
    /// in `m`; O(n k²)).
    static func applyTallBase(_ factors: TallBaseFactors, to m: Tensor<Scalar>) -> Tensor<Scalar> {
        let scaled = m * factors.signs
        let projected = matmul(factors.v, transposed: true, scaled, transposed: false)   // k × k
        return scaled - matmul(factors.v, matmul(factors.t, projected))
    }
}

/// The factors of the last tall base seen, keyed on its storage and version, so that an
/// unchanged base is factored once rather than on every evaluation.
final class TallBaseCache<Scalar: TensorScalar>: @unchecked Sendable {
    private let entry = Lock<(id: UInt64, version: UInt64, factors: Orthogonal<Scalar>.TallBaseFactors)?>(nil)

    /// The factors of `base`, computed once per (storage, version).
    func factors(of base: Tensor<Scalar>) throws -> Orthogonal<Scalar>.TallBaseFactors {
        if let hit = entry.withLock({ e -> Orthogonal<Scalar>.TallBaseFactors? in
            guard let e, e.id == base.storageID, e.version == base.version else { return nil }
            return e.factors
        }) {
            return hit
        }
        let factors = try Orthogonal<Scalar>.tallBaseFactors(base)
        entry.withLock { $0 = (base.storageID, base.version, factors) }
        return factors
    }
}
