/// The geodesics of orthonormal frames: exact exponential maps of the Stiefel manifold (with the
/// embedding metric) and of the Grassmannian, on tall frames `(…, n, k)`.
extension StiefelGeometry {
    /// The Stiefel geodesic from `x` with velocity `u` (tangent), at time 1, for the metric of
    /// the embedding (Edelman, Arias & Smith 1998, §2.2.2; geoopt's `EuclideanStiefelExact`):
    /// ```
    /// exp_x(u) = [x  u] · exp([[A, −S], [I, A]])[:, :k] · exp(−A),   A = xᵀu (skew), S = uᵀu
    /// ```
    /// Two matrix exponentials of sizes 2k and k and two products of `n · 2k · k` flops: no
    /// n × n matrix, so it is cheap for a tall frame. For a square `x` it is `x exp(xᵀu)`.
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func stiefelExponential<Scalar>(_ u: Tensor<Scalar>, at x: Tensor<Scalar>, _ subject: String) throws
        -> Tensor<Scalar> {
        let rank = x.rank, k = x.shape[rank - 1]
        let batch = Array(x.shape.dropLast(2))
        let a = matmul(x, transposed: true, u, transposed: false)
        let a0 = (a - a.transposed()) * Scalar(0.5)   // skew to rounding; made exactly so
        let s = matmul(u, transposed: true, u, transposed: false)
        let eye = Tensor<Scalar>.eye(rows: k, columns: k, batch: batch)
        let block = concatenate([concatenate([a0, -s], alongAxis: rank - 1), concatenate([eye, a0], alongAxis: rank - 1)],
                                alongAxis: rank - 2)
        return try ConstrainedError.wrappingLinearAlgebra("exponential", subject: subject) {
            let e = try matrixExp(block).slice(0..<k, alongAxis: rank - 1)     // (…, 2k, k)
            let mixing = matmul(e, try matrixExp(-a0))                         // (…, 2k, k)
            return matmul(concatenate([x, u], alongAxis: rank - 1), mixing)
        }
    }

    /// The Grassmannian geodesic from `x` with horizontal velocity `u` (`xᵀu = 0`), at time 1
    /// (Edelman, Arias & Smith 1998, Theorem 2.3): with the thin SVD `u = W Σ Vᵀ`,
    /// ```
    /// exp_x(u) = x V cos(Σ) Vᵀ + W sin(Σ) Vᵀ
    /// ```
    /// an orthonormal frame whose span is at principal angles `Σ` from `x`'s (for `σ ≤ π/2`).
    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    static func grassmannianExponential<Scalar>(_ u: Tensor<Scalar>, at x: Tensor<Scalar>, _ subject: String) throws
        -> Tensor<Scalar> {
        try ConstrainedError.wrappingLinearAlgebra("exponential", subject: subject) {
            let (w, sigma, vt) = try svd(u)
            let row = Array(sigma.shape.dropLast()) + [1, sigma.shape[sigma.rank - 1]]
            let cosines = sigma.map { Scalar.cos($0) }.reshaped(to: row)
            let sines = sigma.map { Scalar.sin($0) }.reshaped(to: row)
            return matmul(matmul(x, vt.transposed()) * cosines + w * sines, vt)
        }
    }
}

extension Orthogonal {
    /// The Stiefel geodesic `[x u] exp([[A, −S], [I, A]])[:, :k] exp(−A)`, `A = xᵀu`, `S = uᵀu`
    /// (transposed for a wide `x`); for a square `x`, `x exp(xᵀu)`.
    public func exponential(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try StiefelGeometry.onTall(x, u, description, "exponential") { x, u in
            try StiefelGeometry.stiefelExponential(u, at: x, description)
        }
    }
}

extension Grassmannian {
    /// The Grassmannian geodesic `x V cos(Σ) Vᵀ + W sin(Σ) Vᵀ`, `u = W Σ Vᵀ` (transposed for a
    /// wide `x`).
    public func exponential(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try StiefelGeometry.onTall(x, u, description, "exponential") { x, u in
            try StiefelGeometry.grassmannianExponential(u, at: x, description)
        }
    }
}
