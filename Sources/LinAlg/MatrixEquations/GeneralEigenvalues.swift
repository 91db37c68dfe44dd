/// The eigenvalues of each general (non-symmetric) square matrix, batched, as real and
/// imaginary parts `(…, n)` each, in LAPACK's order (complex pairs adjacent, the one with
/// positive imaginary part first), as `numpy.linalg.eigvals`.
///
/// LAPACK's `geev` without eigenvectors, on the row-major buffer, i.e. on `Aᵀ`, which has the
/// same eigenvalues. Accuracy: an eigenvalue moves by about `ε ‖A‖ κ`, with `κ` its condition
/// number (1 for a normal matrix; large for a non-normal one, and `ε^{1/k}` for a Jordan block of
/// size `k`). Not differentiable (the result is not recorded).
///
/// ```swift
/// let (re, im) = try eigvals(Tensor<Double>(shape: [2, 2], scalars: [0, 1, -1, 0]))   // ±i
/// ```
///
/// - Throws: ``LinAlgError`` when the QR algorithm does not converge or a matrix holds NaN or
///   infinity.
/// - Precondition: the last two axes are equal.
public func eigvals<Scalar>(_ a: Tensor<Scalar>) throws -> (real: Tensor<Scalar>, imaginary: Tensor<Scalar>) {
    let layout = MatrixBatch(a.shape, operation: "eigvals")
    layout.requireSquare("eigvals")
    try requireFinite(a, layout, operation: "eigvals")
    let n = layout.rows
    var work = a.detached().scalars
    var re = [Scalar](repeating: 0, count: layout.count * n), im = re
    if n > 0 {
        try work.withUnsafeMutableBufferPointer { w in
            try re.withUnsafeMutableBufferPointer { r in
                try im.withUnsafeMutableBufferPointer { i in
                    for b in 0..<layout.count {
                        let info = Scalar.geev(n: Int32(n), a: w.baseAddress! + b * n * n, lda: Int32(n),
                                               wr: r.baseAddress! + b * n, wi: i.baseAddress! + b * n)
                        if info != 0 {
                            throw LinAlgError(operation: "eigvals", shape: a.shape,
                                              cause: info > 0 ? .noConvergence(detail: "geev computed only eigenvalues \(info)...\(n - 1)")
                                                              : .lapack(routine: "geev", info: Int(info)),
                                              batchIndex: layout.index(of: b))
                        }
                    }
                }
            }
        }
    }
    return (Tensor(shape: layout.batch + [n], scalars: re), Tensor(shape: layout.batch + [n], scalars: im))
}
