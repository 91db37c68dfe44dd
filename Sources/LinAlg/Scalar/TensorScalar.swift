import RealModule

/// A floating-point type a ``Tensor`` can hold: `Float` or `Double`.
///
/// The protocol refines swift-numerics' `Real` (for elementary functions such as
/// `Scalar.exp(_:)`) and carries, as static requirements, the BLAS and LAPACK entry points
/// for the type, so generic code calls `Scalar.gemm(...)` and gets `sgemm` or `dgemm`.
///
/// The LAPACK requirements mirror LAPACKE (`lapack_int` is `Int32`) and always use the
/// column-major layout: a row-major `m × n` buffer is, to LAPACK, the column-major `n × m`
/// transpose, and the callers in `Decompositions/` exploit that to avoid LAPACKE's transposing
/// copies. Each returns LAPACK's `info` code.
public protocol TensorScalar: Real, BinaryFloatingPoint, Sendable
where Magnitude == Self {
    /// Machine epsilon as used in tolerances (`ulpOfOne`).
    static var epsilon: Self { get }

    // MARK: BLAS

    /// `C ← alpha · op(A) · op(B) + beta · C`, row-major (CBLAS `?gemm`).
    static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// `y ← alpha · op(A) · x + beta · y`, row-major (CBLAS `?gemv`).
    static func gemv(
        trans: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
        x: UnsafePointer<Self>, incx: Int, beta: Self, y: UnsafeMutablePointer<Self>, incy: Int)

    /// Solves `op(A) · X = alpha · B` (side left) or `X · op(A) = alpha · B` (side right) for
    /// triangular `A`, overwriting `B`, row-major (CBLAS `?trsm`).
    static func trsm(
        left: Bool, upper: Bool, transA: Bool, unitDiagonal: Bool, m: Int, n: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafeMutablePointer<Self>, ldb: Int)

    /// `C ← alpha · op(A) · op(A)ᵀ + beta · C` for the triangle of the `n × n` matrix `C` named by
    /// `upper`, where `op(A)` is the `n × k` matrix `A` or, when `transA`, `Aᵀ` (`A` then `k × n`);
    /// row-major (CBLAS `?syrk`). Half the flops of the GEMM that forms all of `C`.
    static func syrk(
        upper: Bool, transA: Bool, n: Int, k: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// `y ← alpha · x + y` (BLAS `?axpy`).
    static func axpy(n: Int, alpha: Self, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)

    // MARK: LAPACK (column-major)

    /// LU factorisation with partial pivoting (`?getrf`).
    static func getrf(m: Int32, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32,
                      ipiv: UnsafeMutablePointer<Int32>) -> Int32
    /// Inverse from an LU factorisation (`?getri`).
    static func getri(n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32,
                      ipiv: UnsafePointer<Int32>) -> Int32
    /// Householder QR factorisation (`?geqrf`).
    static func geqrf(m: Int32, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32,
                      tau: UnsafeMutablePointer<Self>) -> Int32
    /// Forms the first `n` columns of the product of `k` Householder reflectors (`?orgqr`).
    static func orgqr(m: Int32, n: Int32, k: Int32, a: UnsafeMutablePointer<Self>, lda: Int32,
                      tau: UnsafePointer<Self>) -> Int32
    /// Symmetric eigendecomposition by divide and conquer (`?syevd`), `jobz` `N`/`V`, `uplo` `U`/`L`.
    static func syevd(jobz: UInt8, uplo: UInt8, n: Int32, a: UnsafeMutablePointer<Self>,
                      lda: Int32, w: UnsafeMutablePointer<Self>) -> Int32
    /// Householder reduction of a symmetric matrix to tridiagonal form, `A = Q T Qᵀ`
    /// (`?sytrd`), `uplo` `U`/`L`; `d`, `e` receive `T`'s diagonal and off-diagonal, `a` and
    /// `tau` the reflectors of `Q`. `lwork = -1` writes the optimal workspace size to `work[0]`.
    static func sytrd(uplo: UInt8, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32,
                      d: UnsafeMutablePointer<Self>, e: UnsafeMutablePointer<Self>, tau: UnsafeMutablePointer<Self>,
                      work: UnsafeMutablePointer<Self>, lwork: Int32) -> Int32
    /// Eigenvalues (ascending, into `d`) and eigenvectors (the columns of `z`) of a symmetric
    /// tridiagonal matrix by divide and conquer (`?stedc`, `compz = I`). Workspace for `n > 1`:
    /// `lwork ≥ 1 + 4n + n²`, `liwork ≥ 3 + 5n`.
    static func stedc(n: Int32, d: UnsafeMutablePointer<Self>, e: UnsafeMutablePointer<Self>,
                      z: UnsafeMutablePointer<Self>, ldz: Int32, work: UnsafeMutablePointer<Self>, lwork: Int32,
                      iwork: UnsafeMutablePointer<Int32>, liwork: Int32) -> Int32
    /// Overwrites the `n × n` matrix `c` with `Q c`, `Q` from ``sytrd(uplo:n:a:lda:d:e:tau:work:lwork:)``
    /// (`?ormtr`, side L, no transpose). `lwork = -1` writes the optimal workspace size to `work[0]`.
    static func ormtr(uplo: UInt8, n: Int32, a: UnsafePointer<Self>, lda: Int32, tau: UnsafePointer<Self>,
                      c: UnsafeMutablePointer<Self>, ldc: Int32, work: UnsafeMutablePointer<Self>, lwork: Int32) -> Int32
    /// Overwrites the reflectors `a` from ``sytrd(uplo:n:a:lda:d:e:tau:work:lwork:)`` with the
    /// `n × n` orthogonal `Q` they define (`?orgtr`). `lwork = -1` writes the optimal workspace
    /// size to `work[0]`.
    static func orgtr(uplo: UInt8, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32, tau: UnsafePointer<Self>,
                      work: UnsafeMutablePointer<Self>, lwork: Int32) -> Int32
    /// Singular value decomposition by divide and conquer (`?gesdd`), `jobz` `N`/`S`/`A`/`O`.
    static func gesdd(jobz: UInt8, m: Int32, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32,
                      s: UnsafeMutablePointer<Self>, u: UnsafeMutablePointer<Self>?, ldu: Int32,
                      vt: UnsafeMutablePointer<Self>?, ldvt: Int32) -> Int32
    /// Cholesky factorisation (`?potrf`), `uplo` `U`/`L`.
    static func potrf(uplo: UInt8, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32) -> Int32
    /// Real Schur factorisation `A = Z T Zᵀ` without reordering (`?gees`, `sort = N`); `a` is
    /// overwritten by the quasi-triangular `T`, `vs` receives `Z`, `wr`/`wi` the eigenvalues.
    static func gees(n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32,
                     wr: UnsafeMutablePointer<Self>, wi: UnsafeMutablePointer<Self>,
                     vs: UnsafeMutablePointer<Self>, ldvs: Int32) -> Int32
    /// Solves the quasi-triangular Sylvester equation `op(A) X + isgn · X op(B) = scale · C`
    /// (`?trsyl`), `transA`/`transB` `N`/`T`, overwriting `C` by `X`.
    static func trsyl(transA: UInt8, transB: UInt8, isgn: Int32, m: Int32, n: Int32,
                      a: UnsafePointer<Self>, lda: Int32, b: UnsafePointer<Self>, ldb: Int32,
                      c: UnsafeMutablePointer<Self>, ldc: Int32, scale: UnsafeMutablePointer<Self>) -> Int32
    /// The eigenvalues of a general matrix, without vectors (`?geev`, `jobvl = jobvr = N`).
    static func geev(n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32,
                     wr: UnsafeMutablePointer<Self>, wi: UnsafeMutablePointer<Self>) -> Int32
}

extension TensorScalar {
    /// The machine epsilon, `ulpOfOne`: the spacing of the scalars just above 1
    /// (2⁻⁵² for `Double`, 2⁻²³ for `Float`).
    @inlinable public static var epsilon: Self { ulpOfOne }
}
