/// The inverse of each square matrix, batched: shape `(..., n, n)`.
///
/// LU with partial pivoting (`getrf`) then `getri`, both on the row-major buffer: they invert
/// the column-major Aᵀ in place, and `(Aᵀ)⁻¹` read row-major is `A⁻¹`, so no copy is made
/// besides the output itself. Prefer ``solve(_:_:)`` to `matmul(inverse(a), b)`: it is
/// cheaper and more accurate (the inverse's error is about `κ(A) ε ‖A⁻¹‖`).
///
/// **Gradient.** `Ā = −A⁻ᵀ Ȳ A⁻ᵀ` with `Y = A⁻¹`: two matrix products with the result.
///
/// ```swift
/// let y = try inverse(Tensor<Double>(shape: [2, 2], scalars: [2, 0, 0, 4]))   // [[0.5, 0], [0, 0.25]]
/// ```
///
/// - Throws: ``LinAlgError`` when a matrix is singular (an exactly zero pivot) or holds NaN
///   or infinity.
/// - Precondition: the last two axes are equal.
@inlinable
public func inverse<Scalar>(_ a: Tensor<Scalar>) throws -> Tensor<Scalar> {
    let layout = MatrixBatch(a.shape, operation: "inverse")
    layout.requireSquare("inverse")
    try requireFinite(a, layout, operation: "inverse")
    var y = try Tensor<Scalar>(shape: a.shape) { out in
        let p = out.baseAddress!
        p.update(from: a.storage.base, count: a.scalarCount)
        try invertInPlace(p, layout, operation: "inverse", shape: a.shape)
    }
    if let tapeID = Tensor.recordingTapeID(a) {
        let result = y.detached()
        y.record(tapeID, "inverse", a) { g in
            -matmul(result, transposed: true, matmul(g, transposed: false, result, transposed: true), transposed: false)
        }
    }
    return y
}

/// Overwrites each row-major `n × n` matrix of the batch at `p` with its inverse: `getrf`
/// then `getri` on the column-major view, which inverts `Aᵀ` in place; `(Aᵀ)⁻¹` read row-major
/// is `A⁻¹`. About `2n³` flops per matrix (`getrs` on the identity would be `8n³/3`).
///
/// - Throws: ``LinAlgError`` naming `operation`, `shape` and the batch index when a matrix is
///   singular (an exactly zero pivot) or LAPACK rejects an argument.
@inlinable
func invertInPlace<Scalar: TensorScalar>(_ p: UnsafeMutablePointer<Scalar>, _ layout: MatrixBatch,
                                         operation: String, shape: [Int]) throws {
    let n = layout.rows
    guard n > 0 else { return }
    var ipiv = [Int32](repeating: 0, count: n)
    try ipiv.withUnsafeMutableBufferPointer { piv in
        for b in 0..<layout.count {
            let m = p + b * n * n
            var info = Scalar.getrf(m: Int32(n), n: Int32(n), a: m, lda: Int32(n), ipiv: piv.baseAddress!)
            if info == 0 {
                info = Scalar.getri(n: Int32(n), a: m, lda: Int32(n), ipiv: piv.baseAddress!)
            }
            try throwIfInversionFailed(info, layout, matrix: b, operation: operation, shape: shape)
        }
    }
}

/// Throws the error that `getrf`/`getri`'s `info` for matrix `b` of the batch means: a zero
/// pivot (`info > 0`) or a rejected argument (`info < 0`).
@inlinable
func throwIfInversionFailed(_ info: Int32, _ layout: MatrixBatch, matrix b: Int, operation: String, shape: [Int]) throws {
    if info > 0 {
        throw LinAlgError(operation: operation, shape: shape, cause: .singular(pivot: Int(info) - 1),
                          batchIndex: layout.index(of: b))
    }
    if info < 0 {
        throw LinAlgError(operation: operation, shape: shape,
                          cause: .lapack(routine: "getrf/getri", info: Int(info)),
                          batchIndex: layout.index(of: b))
    }
}
