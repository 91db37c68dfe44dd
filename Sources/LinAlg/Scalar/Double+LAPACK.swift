import CLAPACK

// BLAS and LAPACK entry points for `Double`: thin forwards to CBLAS `cblas_d*` and
// LAPACKE `LAPACKE_d*` in column-major layout. Generated from the same template as
// `Float+LAPACK.swift` / `Double+LAPACK.swift`; keep the two in step.

extension Double: TensorScalar {
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(CblasRowMajor, transpose(transA), transpose(transB),
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }

    public static func gemv(
        trans: Bool, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        x: UnsafePointer<Double>, incx: Int, beta: Double, y: UnsafeMutablePointer<Double>, incy: Int
    ) {
        cblas_dgemv(CblasRowMajor, transpose(trans), Int32(m), Int32(n), alpha, a, Int32(lda),
                    x, Int32(incx), beta, y, Int32(incy))
    }

    public static func trsm(
        left: Bool, upper: Bool, transA: Bool, unitDiagonal: Bool, m: Int, n: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafeMutablePointer<Double>, ldb: Int
    ) {
        cblas_dtrsm(CblasRowMajor, left ? CblasLeft : CblasRight, upper ? CblasUpper : CblasLower,
                    transpose(transA), unitDiagonal ? CblasUnit : CblasNonUnit,
                    Int32(m), Int32(n), alpha, a, Int32(lda), b, Int32(ldb))
    }

    public static func syrk(
        upper: Bool, transA: Bool, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dsyrk(CblasRowMajor, upper ? CblasUpper : CblasLower, transpose(transA),
                    Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }

    public static func axpy(n: Int, alpha: Double, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        cblas_daxpy(Int32(n), alpha, x, 1, y, 1)
    }

    public static func getrf(m: Int32, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                             ipiv: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_dgetrf(columnMajor, m, n, a, lda, ipiv)
    }

    public static func getri(n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                             ipiv: UnsafePointer<Int32>) -> Int32 {
        LAPACKE_dgetri(columnMajor, n, a, lda, ipiv)
    }

    public static func geqrf(m: Int32, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                             tau: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dgeqrf(columnMajor, m, n, a, lda, tau)
    }

    public static func orgqr(m: Int32, n: Int32, k: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                             tau: UnsafePointer<Double>) -> Int32 {
        LAPACKE_dorgqr(columnMajor, m, n, k, a, lda, tau)
    }

    public static func syevd(jobz: UInt8, uplo: UInt8, n: Int32, a: UnsafeMutablePointer<Double>,
                             lda: Int32, w: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dsyevd(columnMajor, cchar(jobz), cchar(uplo), n, a, lda, w)
    }

    public static func sytrd(uplo: UInt8, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                             d: UnsafeMutablePointer<Double>, e: UnsafeMutablePointer<Double>, tau: UnsafeMutablePointer<Double>,
                             work: UnsafeMutablePointer<Double>, lwork: Int32) -> Int32 {
        LAPACKE_dsytrd_work(columnMajor, cchar(uplo), n, a, lda, d, e, tau, work, lwork)
    }

    public static func stedc(n: Int32, d: UnsafeMutablePointer<Double>, e: UnsafeMutablePointer<Double>,
                             z: UnsafeMutablePointer<Double>, ldz: Int32, work: UnsafeMutablePointer<Double>, lwork: Int32,
                             iwork: UnsafeMutablePointer<Int32>, liwork: Int32) -> Int32 {
        LAPACKE_dstedc_work(columnMajor, cchar(UInt8(ascii: "I")), n, d, e, z, ldz, work, lwork, iwork, liwork)
    }

    public static func ormtr(uplo: UInt8, n: Int32, a: UnsafePointer<Double>, lda: Int32, tau: UnsafePointer<Double>,
                             c: UnsafeMutablePointer<Double>, ldc: Int32, work: UnsafeMutablePointer<Double>, lwork: Int32) -> Int32 {
        LAPACKE_dormtr_work(columnMajor, cchar(UInt8(ascii: "L")), cchar(uplo), cchar(UInt8(ascii: "N")),
                              n, n, a, lda, tau, c, ldc, work, lwork)
    }

    public static func orgtr(uplo: UInt8, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32, tau: UnsafePointer<Double>,
                             work: UnsafeMutablePointer<Double>, lwork: Int32) -> Int32 {
        LAPACKE_dorgtr_work(columnMajor, cchar(uplo), n, a, lda, tau, work, lwork)
    }

    public static func gees(n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                            wr: UnsafeMutablePointer<Double>, wi: UnsafeMutablePointer<Double>,
                            vs: UnsafeMutablePointer<Double>, ldvs: Int32) -> Int32 {
        var sdim: Int32 = 0
        return LAPACKE_dgees(columnMajor, cchar(UInt8(ascii: "V")), cchar(UInt8(ascii: "N")), nil,
                             n, a, lda, &sdim, wr, wi, vs, ldvs)
    }

    public static func trsyl(transA: UInt8, transB: UInt8, isgn: Int32, m: Int32, n: Int32,
                             a: UnsafePointer<Double>, lda: Int32, b: UnsafePointer<Double>, ldb: Int32,
                             c: UnsafeMutablePointer<Double>, ldc: Int32, scale: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dtrsyl(columnMajor, cchar(transA), cchar(transB), isgn, m, n, a, lda, b, ldb, c, ldc, scale)
    }

    public static func geev(n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                            wr: UnsafeMutablePointer<Double>, wi: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dgeev(columnMajor, cchar(UInt8(ascii: "N")), cchar(UInt8(ascii: "N")), n, a, lda, wr, wi, nil, 1, nil, 1)
    }

    public static func gesdd(jobz: UInt8, m: Int32, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                             s: UnsafeMutablePointer<Double>, u: UnsafeMutablePointer<Double>?, ldu: Int32,
                             vt: UnsafeMutablePointer<Double>?, ldvt: Int32) -> Int32 {
        LAPACKE_dgesdd(columnMajor, cchar(jobz), m, n, a, lda, s, u, ldu, vt, ldvt)
    }

    public static func potrf(uplo: UInt8, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32) -> Int32 {
        LAPACKE_dpotrf(columnMajor, cchar(uplo), n, a, lda)
    }
}
