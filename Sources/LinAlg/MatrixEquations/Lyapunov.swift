/// The solution `X` of the continuous Lyapunov equation `A X + X Aᵀ = Q`, batched over the
/// leading axes (`scipy.linalg.solve_continuous_lyapunov(a, q)`).
///
/// Bartels–Stewart: the real Schur form `A = Z T Zᵀ` (LAPACK `gees`) turns the equation into
/// `T Y + Y Tᵀ = Zᵀ Q Z` with `Y = Zᵀ X Z`, a quasi-triangular Sylvester equation that LAPACK's
/// `trsyl` solves by substitution; then `X = Z Y Zᵀ`. O(n³) (about 25 n³ flops, most of it in the
/// Schur form). The solution is unique exactly when no two eigenvalues of `A` sum to zero; its
/// error is about `ε ‖A‖ ‖X‖ / sep`, with `sep` the smallest `|λᵢ + λⱼ|`. For a Hurwitz `A` (every
/// eigenvalue in the left half-plane) and `Q = −I`, `X` is symmetric positive definite.
///
/// **Gradient.** With `Λ` solving the adjoint equation `Aᵀ Λ + Λ A = X̄`:
/// `Q̄ = Λ` and `Ā = −(Λ Xᵀ + Λᵀ X)`.
///
/// ```swift
/// let a = Tensor<Double>(shape: [2, 2], scalars: [-1, 2, 0, -3])
/// let x = try lyapunov(a, -Tensor<Double>.eye(2))   // a·x + x·aᵀ = −I
/// ```
///
/// - Throws: ``LinAlgError`` with cause ``LinAlgError/Cause/nearlySingular(detail:)`` when two
///   eigenvalues of a matrix of `A` (nearly) sum to zero, `.noConvergence` when the Schur form
///   does not converge, `.nonFinite` for NaN or infinity.
/// - Precondition: `a` is a (batch of) square matrix and `q` has its shape.
public func lyapunov<Scalar>(_ a: Tensor<Scalar>, _ q: Tensor<Scalar>) throws -> Tensor<Scalar> {
    precondition(a.shape == q.shape, "lyapunov: a has shape \(a.shape) and q \(q.shape); they must be equal")
    var x = try LyapunovSolver.solve(a.detached(), q.detached())
    if let tapeID = Tensor.recordingTapeID(a, q) {
        let aValue = a.detached(), xValue = x.detached()
        x.record(tapeID, "lyapunov", a, q) { g in
            // The adjoint equation Aᵀ Λ + Λ A = X̄ is the same equation for Aᵀ.
            guard let lambda = try? LyapunovSolver.solve(aValue.transposed(), g.detached()) else {
                let nan = Tensor<Scalar>(shape: g.shape, repeating: .nan)
                return (nan, nan)
            }
            let da = -(matmul(lambda, transposed: false, xValue, transposed: true)
                       + matmul(lambda, transposed: true, xValue, transposed: false))
            return (da, lambda)
        }
    }
    return x
}

/// The untracked Bartels–Stewart solve behind ``lyapunov(_:_:)``.
enum LyapunovSolver {
    static func solve<Scalar: TensorScalar>(_ a: Tensor<Scalar>, _ q: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let layout = MatrixBatch(a.shape, operation: "lyapunov")
        layout.requireSquare("lyapunov")
        try requireFinite(a, layout, operation: "lyapunov")
        try requireFinite(q, layout, operation: "lyapunov")
        let n = layout.rows
        guard n > 0 else { return a }
        var out = [Scalar](repeating: 0, count: a.scalarCount)
        let aT = a.transposed().scalars, qs = q.scalars
        var wr = [Scalar](repeating: 0, count: n), wi = [Scalar](repeating: 0, count: n)
        for b in 0..<layout.count {
            // The row-major buffer of Aᵀ is the column-major A.
            var t = Array(aT[(b * n * n)..<((b + 1) * n * n)])
            var zColumnMajor = [Scalar](repeating: 0, count: n * n)
            let info = Scalar.gees(n: Int32(n), a: &t, lda: Int32(n), wr: &wr, wi: &wi, vs: &zColumnMajor, ldvs: Int32(n))
            if info != 0 {
                throw LinAlgError(operation: "lyapunov", shape: a.shape,
                                  cause: info > 0 ? .noConvergence(detail: "gees failed to converge (info \(info))")
                                                  : .lapack(routine: "gees", info: Int(info)),
                                  batchIndex: layout.index(of: b))
            }
            // The column-major Z read row-major is Zᵀ.
            let z = Tensor<Scalar>(shape: [n, n], scalars: zColumnMajor).transposed()
            let qb = Tensor<Scalar>(shape: [n, n], scalars: Array(qs[(b * n * n)..<((b + 1) * n * n)]))
            let c = matmul(matmul(z, transposed: true, qb, transposed: false), z)
            var y = c.transposed().scalars   // column-major C
            var scale: Scalar = 1
            let solved = Scalar.trsyl(transA: UInt8(ascii: "N"), transB: UInt8(ascii: "T"), isgn: 1, m: Int32(n), n: Int32(n),
                                      a: t, lda: Int32(n), b: t, ldb: Int32(n), c: &y, ldc: Int32(n), scale: &scale)
            if solved < 0 {
                throw LinAlgError(operation: "lyapunov", shape: a.shape, cause: .lapack(routine: "trsyl", info: Int(solved)),
                                  batchIndex: layout.index(of: b))
            }
            var sep = Scalar.infinity
            for i in 0..<n { for j in 0..<n { sep = Swift.min(sep, ((wr[i] + wr[j]) * (wr[i] + wr[j]) + (wi[i] + wi[j]) * (wi[i] + wi[j])).squareRoot()) } }
            let norm = wr.indices.reduce(Scalar(1)) { Swift.max($0, (wr[$1] * wr[$1] + wi[$1] * wi[$1]).squareRoot()) }
            if solved == 1 || !(sep > Scalar(n) * Scalar.ulpOfOne * norm) || !(scale > 0) {
                throw LinAlgError(operation: "lyapunov", shape: a.shape, cause: .nearlySingular(
                    detail: "two eigenvalues of A sum to \(sep) (relative to \(norm)), so A X + X Aᵀ = Q has no unique solution"),
                                  batchIndex: layout.index(of: b))
            }
            let yMatrix = Tensor<Scalar>(shape: [n, n], scalars: y).transposed()
            let x = matmul(matmul(z, yMatrix), transposed: false, z, transposed: true) * (1 / scale)
            x.withUnsafeBufferPointer { p in
                for i in 0..<(n * n) { out[b * n * n + i] = p[i] }
            }
        }
        return Tensor(shape: a.shape, scalars: out)
    }
}
