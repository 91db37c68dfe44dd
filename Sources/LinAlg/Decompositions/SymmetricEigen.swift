/// The eigenvalues (ascending) and orthonormal eigenvectors (the columns of `vectors`) of each
/// symmetric matrix, batched: `A = V diag(λ) Vᵀ`.
///
/// Only the lower triangle of `a` is read (as `torch.linalg.eigh` and `numpy.linalg.eigh`).
/// The steps of LAPACK's divide-and-conquer driver `syevd` run on the row-major buffer, the
/// column-major Aᵀ = A, with `uplo = U` (its upper triangle is our lower one): `sytrd` reduces
/// it to a tridiagonal `T = Qᵀ A Q`; then `stedc` finds `T = Z Λ Zᵀ` while `orgtr` forms `Q`
/// from the reflectors, side by side on two threads for 96 ≤ n ≤ 384 (each step makes little
/// use of a second core there; see ``ElementwiseKernels/concurrently(_:_:)``); one GEMM
/// gives `V = Q Z`, written straight into our row-major columns. With `syevd`'s scaling of
/// matrices whose largest entry is near under- or overflow. At n = 256 in Double on two
/// threads, medians of ten processes: 4.9 ms against 5.5 ms for the driver's order (`ormtr`
/// after `stedc`); see Docs/LinAlg.md for the spread.
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
    var values = Tensor<Scalar>(shape: layout.batch + [n], repeating: 0)
    var vectors = try Tensor<Scalar>(shape: a.shape) { out in
        // `values` is a fresh tensor: its storage is ours to write.
        try SymmetricEigenKernels.decompose(a.storage.base, layout, values: values.storage.base,
                                            vectors: out.baseAddress!, shape: a.shape)
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

/// The decomposition behind ``eigh(_:)``, one matrix after another.
@usableFromInline
enum SymmetricEigenKernels {
    /// The sizes at which `stedc` and `orgtr` run side by side. Measured on two threads (AMD
    /// EPYC, OpenBLAS 0.3.21), best of 6 alternated runs, sequential → side by side: n = 128
    /// 1.40 → 1.32 ms, 192 2.94 → 2.36, 256 5.25 → 4.08, 320 8.34 → 6.88, 384 12.3 → 10.3;
    /// at 512 the medians no longer improve, and at 768 side by side is slower (61 → 72 ms):
    /// `stedc`'s merges become GEMMs that need OpenBLAS's threads.
    @usableFromInline
    static let concurrentSizes = 96...384

    /// Writes the ascending eigenvalues of each symmetric matrix of the batch at `a` (lower
    /// triangle read) to `values` and its eigenvectors, as row-major columns, to `vectors`.
    ///
    /// As `syevd`: a matrix whose largest entry `m` lies outside `[√(σ/ε), √(ε/σ)]`
    /// (`σ` the least normal number) is scaled to that bound first and its eigenvalues are
    /// scaled back, so that the reduction neither under- nor overflows.
    ///
    /// - Throws: ``LinAlgError`` when `stedc` does not converge or LAPACK rejects an argument.
    @inlinable
    static func decompose<Scalar: TensorScalar>(_ a: UnsafePointer<Scalar>, _ layout: MatrixBatch,
                                                values: UnsafeMutablePointer<Scalar>,
                                                vectors: UnsafeMutablePointer<Scalar>, shape: [Int]) throws {
        let n = layout.rows, size = n * n
        guard n > 0 else { return }
        let upper = UInt8(ascii: "U"), n32 = Int32(n)
        let small = (Scalar.leastNormalMagnitude / Scalar.ulpOfOne).squareRoot()
        let large = 1 / small
        // One scratch allocation: the reflectors (then Q), Z, the off-diagonal, τ, the workspace
        // of sytrd, stedc and ormtr and, apart, orgtr's (it may run beside stedc; the size
        // queries read no matrix). Four separate multi-megabyte buffers at n = 512 cost about
        // 1,000 more page faults per call, 11 % of the time.
        var query = Scalar.zero
        var lwork = n > 1 ? 1 + 4 * n + n * n : 1
        var (a0, d0, e0, t0) = (Scalar.zero, Scalar.zero, Scalar.zero, Scalar.zero)
        _ = Scalar.sytrd(uplo: upper, n: n32, a: &a0, lda: n32, d: &d0, e: &e0, tau: &t0, work: &query, lwork: -1)
        lwork = Swift.max(lwork, Int(query))
        var c0 = Scalar.zero
        _ = Scalar.ormtr(uplo: upper, n: n32, a: &a0, lda: n32, tau: &t0, c: &c0, ldc: n32, work: &query, lwork: -1)
        lwork = Swift.max(lwork, Int(query))
        let sideBySide = concurrentSizes.contains(n) && ElementwiseKernels.threadCount >= 2
        _ = Scalar.orgtr(uplo: upper, n: n32, a: &a0, lda: n32, tau: &t0, work: &query, lwork: -1)
        let orgtrWork = sideBySide ? Swift.max(1, Int(query)) : 0
        let liwork = n > 1 ? 3 + 5 * n : 1
        let scratch = UnsafeMutablePointer<Scalar>.allocate(capacity: 2 * size + 2 * n + lwork + orgtrWork)
        let iwork = UnsafeMutablePointer<Int32>.allocate(capacity: liwork)
        defer { scratch.deallocate(); iwork.deallocate() }
        let reflectors = scratch, z = scratch + size, offDiagonal = scratch + 2 * size
        let tau = offDiagonal + n, work = tau + n

        func check(_ info: Int32, _ routine: String, _ b: Int) throws {
            guard info != 0 else { return }
            throw LinAlgError(operation: "eigh", shape: shape,
                              cause: info > 0
                                ? .noConvergence(detail: "\(routine) failed to converge on a subproblem (info \(info))")
                                : .lapack(routine: routine, info: Int(info)),
                              batchIndex: layout.index(of: b))
        }
        for b in 0..<layout.count {
            let source = a + b * size, lambda = values + b * n
            reflectors.update(from: source, count: size)
            // The largest entry of the lower triangle (row-major), the part LAPACK reads.
            var largest = Scalar.zero
            for i in 0..<n {
                for j in 0...i { largest = Swift.max(largest, Swift.abs(source[i * n + j])) }
            }
            var scale: Scalar = 1
            if largest > 0 && largest < small { scale = small / largest }
            if largest > large { scale = large / largest }
            if scale != 1 {
                for i in 0..<size { reflectors[i] *= scale }
            }
            try check(Scalar.sytrd(uplo: upper, n: n32, a: reflectors, lda: n32, d: lambda, e: offDiagonal, tau: tau,
                                   work: work, lwork: Int32(lwork)), "sytrd", b)
            if sideBySide {
                // stedc finds Z while orgtr turns the reflectors into Q; then one GEMM. Q and Z
                // are column-major: read row-major they are Qᵀ and Zᵀ, and the row-major product
                // of their transposes is V = Q Z, in our layout.
                var (stedcInfo, orgtrInfo): (Int32, Int32) = (0, 0)
                ElementwiseKernels.concurrently({
                    stedcInfo = Scalar.stedc(n: n32, d: lambda, e: offDiagonal, z: z, ldz: n32, work: work,
                                             lwork: Int32(lwork), iwork: iwork, liwork: Int32(liwork))
                }, {
                    orgtrInfo = Scalar.orgtr(uplo: upper, n: n32, a: reflectors, lda: n32, tau: tau,
                                             work: work + lwork, lwork: Int32(orgtrWork))
                })
                try check(stedcInfo, "stedc", b)
                try check(orgtrInfo, "orgtr", b)
                Scalar.gemm(transA: true, transB: true, m: n, n: n, k: n, alpha: 1, a: reflectors, lda: n,
                            b: z, ldb: n, beta: 0, c: vectors + b * size, ldc: n)
            } else {
                try check(Scalar.stedc(n: n32, d: lambda, e: offDiagonal, z: z, ldz: n32, work: work,
                                       lwork: Int32(lwork), iwork: iwork, liwork: Int32(liwork)), "stedc", b)
                try check(Scalar.ormtr(uplo: upper, n: n32, a: reflectors, lda: n32, tau: tau, c: z, ldc: n32,
                                       work: work, lwork: Int32(lwork)), "ormtr", b)
                transposeMatrix(z, rows: n, columns: n, into: vectors + b * size)
            }
            if scale != 1 {
                for i in 0..<n { lambda[i] /= scale }
            }
        }
    }
}
