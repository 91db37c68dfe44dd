/// The determinant of each square matrix, batched: shape `(..., n, n)` gives `(...)`.
///
/// From an LU factorisation with partial pivoting: the product of the pivots, signed by the
/// parity of the row interchanges (`det Aᵀ = det A`, so `getrf` runs on the row-major buffer
/// as it is). A singular matrix has determinant 0; this is not an error. The product can
/// overflow or underflow for large `n` where the determinant itself is out of range: use
/// ``slogdet(_:)`` then.
///
/// **Gradient.** `Ā = ḡ · det(A) · A⁻ᵀ` (the cofactor matrix), from the forward's LU factors.
/// At a singular matrix, where `A⁻ᵀ` does not exist but the cofactor matrix does, it is
/// computed from an SVD `A = U Σ Vᵀ` as `det(U) det(V) · U diag(∏_{j≠i} σⱼ) Vᵀ`, so the gradient
/// stays exact (it is zero when the rank is below `n − 1`).
///
/// ```swift
/// let d = try determinant(Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4]))   // -2
/// ```
///
/// - Throws: ``LinAlgError`` when a matrix holds NaN or infinity.
/// - Precondition: the last two axes are equal.
@inlinable
public func determinant<Scalar>(_ a: Tensor<Scalar>) throws -> Tensor<Scalar> {
    let lu = try LUFactorization(a, operation: "determinant")
    var det = Tensor<Scalar>(shape: lu.layout.batch) { out in
        for b in 0..<lu.layout.count { out[b] = lu.determinant(b) }
    }
    if let tapeID = Tensor.recordingTapeID(a) {
        let values = det.detached()
        det.record(tapeID, "determinant", a) { g in
            let n = lu.layout.rows
            var cofactors = lu.inverseTransposed()
            let scale = (g * values).scalars
            cofactors.withUnsafeMutableBufferPointer { c in
                for b in 0..<lu.layout.count {
                    let p = c.baseAddress! + b * n * n
                    if lu.singularPivot[b] != 0 {
                        Cofactors.ofSingular(a.storage.base + b * n * n, n: n, into: p)
                        for i in 0..<(n * n) { p[i] *= g.storage.base[b] }
                    } else {
                        for i in 0..<(n * n) { p[i] *= scale[b] }
                    }
                }
            }
            return cofactors
        }
    }
    return det
}

/// The sign and the logarithm of the absolute value of each determinant, batched:
/// `det A = sign · exp(logAbsDeterminant)`.
///
/// `log |det A| = Σ log |uᵢᵢ|` over the pivots of an LU factorisation, which neither
/// overflows nor underflows. A singular matrix gives sign 0 and `logAbsDeterminant = −∞`
/// (as NumPy and PyTorch); this is not an error.
///
/// **Gradient.** The sign is piecewise constant (no gradient); `Ā = ḡ · A⁻ᵀ` for the
/// logarithm, from the forward's LU factors. At a singular matrix the logarithm is −∞ and has
/// no derivative: the gradient is NaN there.
///
/// - Throws: ``LinAlgError`` when a matrix holds NaN or infinity.
/// - Precondition: the last two axes are equal.
@inlinable
public func slogdet<Scalar>(_ a: Tensor<Scalar>) throws
    -> (sign: Tensor<Scalar>, logAbsDeterminant: Tensor<Scalar>) {
    let lu = try LUFactorization(a, operation: "slogdet")
    let count = lu.layout.count
    var signs = [Scalar](repeating: 0, count: count), logs = [Scalar](repeating: 0, count: count)
    for b in 0..<count { (signs[b], logs[b]) = lu.logDeterminant(b) }
    var outputs = [Tensor(shape: lu.layout.batch, scalars: signs),
                   Tensor(shape: lu.layout.batch, scalars: logs)]
    if let tapeID = Tensor.recordingTapeID(a) {
        Tensor.record(tapeID, "slogdet", inputs: [a], outputs: &outputs) { g in
            let n = lu.layout.rows
            var inverse = lu.inverseTransposed()
            let gLog = g[1].storage.base
            inverse.withUnsafeMutableBufferPointer { c in
                for b in 0..<count {
                    let p = c.baseAddress! + b * n * n
                    for i in 0..<(n * n) { p[i] *= gLog[b] }
                }
            }
            return [inverse]
        }
    }
    return (outputs[0], outputs[1])
}

/// The cofactor matrix of a singular matrix, for the gradient of the determinant.
@usableFromInline
enum Cofactors {
    /// Writes `cof(A) = det(A) A⁻ᵀ` of the row-major `n × n` matrix at `a` to `out`, by the SVD.
    ///
    /// The buffer is the column-major `M = Aᵀ = U' Σ V'ᵀ`; `cof(M) = det(U') det(V')
    /// U' adj(Σ) V'ᵀ` with `adj(Σ) = diag(∏_{j≠i} σⱼ)` (prefix and suffix products, so no
    /// division by a zero σ), and `cof(M)` read row-major is `cof(M)ᵀ = cof(A)`. The column-major
    /// product `X Y` is the row-major product `Yᵀ Xᵀ` of the same buffers.
    @inlinable
    static func ofSingular<Scalar: TensorScalar>(_ a: UnsafePointer<Scalar>, n: Int,
                                                 into out: UnsafeMutablePointer<Scalar>) {
        var work = Array(UnsafeBufferPointer(start: a, count: n * n))
        var s = [Scalar](repeating: 0, count: n)
        var u = [Scalar](repeating: 0, count: n * n), vt = [Scalar](repeating: 0, count: n * n)
        let info = Scalar.gesdd(jobz: UInt8(ascii: "S"), m: Int32(n), n: Int32(n), a: &work, lda: Int32(n),
                                s: &s, u: &u, ldu: Int32(n), vt: &vt, ldvt: Int32(n))
        guard info == 0 else {
            out.initialize(repeating: .nan, count: n * n)
            return
        }
        var products = [Scalar](repeating: 1, count: n)
        var prefix: Scalar = 1
        for i in 0..<n { products[i] = prefix; prefix *= s[i] }
        var suffix: Scalar = 1
        for i in stride(from: n - 1, through: 0, by: -1) { products[i] *= suffix; suffix *= s[i] }
        let sign = determinantSign(of: u, n: n) * determinantSign(of: vt, n: n)
        // Scale column i of the column-major U' (a contiguous run of n) by sign · ∏_{j≠i} σⱼ.
        for i in 0..<n {
            for r in 0..<n { u[i * n + r] *= sign * products[i] }
        }
        Scalar.gemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: vt, lda: n,
                    b: u, ldb: n, beta: 0, c: out, ldc: n)
    }

    /// The sign of the determinant of an `n × n` matrix (±1 for an orthogonal one).
    @inlinable
    static func determinantSign<Scalar: TensorScalar>(of matrix: [Scalar], n: Int) -> Scalar {
        var lu = matrix
        var ipiv = [Int32](repeating: 0, count: n)
        _ = Scalar.getrf(m: Int32(n), n: Int32(n), a: &lu, lda: Int32(n), ipiv: &ipiv)
        var sign: Scalar = 1
        for i in 0..<n {
            if lu[i * (n + 1)] < 0 { sign = -sign }
            if Int(ipiv[i]) - 1 != i { sign = -sign }
        }
        return sign
    }
}
