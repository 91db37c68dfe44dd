import CLAPACK

// BLAS and LAPACK entry points for `Float`: thin forwards to CBLAS `cblas_s*` and
// LAPACKE `LAPACKE_s*` in column-major layout. Generated from the same template as
// `Float+LAPACK.swift` / `Double+LAPACK.swift`; keep the two in step.

let columnMajor = Int32(LAPACK_COL_MAJOR)

@inline(__always) func cchar(_ c: UInt8) -> CChar { CChar(bitPattern: c) }

@inline(__always) func transpose(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

extension Float: TensorScalar {
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor, transpose(transA), transpose(transB),
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }

    public static func gemv(
        trans: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, incx: Int, beta: Float, y: UnsafeMutablePointer<Float>, incy: Int
    ) {
        cblas_sgemv(CblasRowMajor, transpose(trans), Int32(m), Int32(n), alpha, a, Int32(lda),
                    x, Int32(incx), beta, y, Int32(incy))
    }

    public static func trsm(
        left: Bool, upper: Bool, transA: Bool, unitDiagonal: Bool, m: Int, n: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafeMutablePointer<Float>, ldb: Int
    ) {
        cblas_strsm(CblasRowMajor, left ? CblasLeft : CblasRight, upper ? CblasUpper : CblasLower,
                    transpose(transA), unitDiagonal ? CblasUnit : CblasNonUnit,
                    Int32(m), Int32(n), alpha, a, Int32(lda), b, Int32(ldb))
    }

    public static func syrk(
        upper: Bool, transA: Bool, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_ssyrk(CblasRowMajor, upper ? CblasUpper : CblasLower, transpose(transA),
                    Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }

    public static func axpy(n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(Int32(n), alpha, x, 1, y, 1)
    }

    public static func getrf(m: Int32, n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32,
                             ipiv: UnsafeMutablePointer<Int32>) -> Int32 {
        LAPACKE_sgetrf(columnMajor, m, n, a, lda, ipiv)
    }

    public static func getri(n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32,
                             ipiv: UnsafePointer<Int32>) -> Int32 {
        LAPACKE_sgetri(columnMajor, n, a, lda, ipiv)
    }

    public static func geqrf(m: Int32, n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32,
                             tau: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_sgeqrf(columnMajor, m, n, a, lda, tau)
    }

    public static func orgqr(m: Int32, n: Int32, k: Int32, a: UnsafeMutablePointer<Float>, lda: Int32,
                             tau: UnsafePointer<Float>) -> Int32 {
        LAPACKE_sorgqr(columnMajor, m, n, k, a, lda, tau)
    }

    public static func syevd(jobz: UInt8, uplo: UInt8, n: Int32, a: UnsafeMutablePointer<Float>,
                             lda: Int32, w: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_ssyevd(columnMajor, cchar(jobz), cchar(uplo), n, a, lda, w)
    }

    public static func sytrd(uplo: UInt8, n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32,
                             d: UnsafeMutablePointer<Float>, e: UnsafeMutablePointer<Float>, tau: UnsafeMutablePointer<Float>,
                             work: UnsafeMutablePointer<Float>, lwork: Int32) -> Int32 {
        LAPACKE_ssytrd_work(columnMajor, cchar(uplo), n, a, lda, d, e, tau, work, lwork)
    }

    public static func stedc(n: Int32, d: UnsafeMutablePointer<Float>, e: UnsafeMutablePointer<Float>,
                             z: UnsafeMutablePointer<Float>, ldz: Int32, work: UnsafeMutablePointer<Float>, lwork: Int32,
                             iwork: UnsafeMutablePointer<Int32>, liwork: Int32) -> Int32 {
        LAPACKE_sstedc_work(columnMajor, cchar(UInt8(ascii: "I")), n, d, e, z, ldz, work, lwork, iwork, liwork)
    }

    public static func ormtr(uplo: UInt8, n: Int32, a: UnsafePointer<Float>, lda: Int32, tau: UnsafePointer<Float>,
                             c: UnsafeMutablePointer<Float>, ldc: Int32, work: UnsafeMutablePointer<Float>, lwork: Int32) -> Int32 {
        LAPACKE_sormtr_work(columnMajor, cchar(UInt8(ascii: "L")), cchar(uplo), cchar(UInt8(ascii: "N")),
                              n, n, a, lda, tau, c, ldc, work, lwork)
    }

    public static func orgtr(uplo: UInt8, n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32, tau: UnsafePointer<Float>,
                             work: UnsafeMutablePointer<Float>, lwork: Int32) -> Int32 {
        LAPACKE_sorgtr_work(columnMajor, cchar(uplo), n, a, lda, tau, work, lwork)
    }

    public static func gees(n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32,
                            wr: UnsafeMutablePointer<Float>, wi: UnsafeMutablePointer<Float>,
                            vs: UnsafeMutablePointer<Float>, ldvs: Int32) -> Int32 {
        var sdim: Int32 = 0
        return LAPACKE_sgees(columnMajor, cchar(UInt8(ascii: "V")), cchar(UInt8(ascii: "N")), nil,
                             n, a, lda, &sdim, wr, wi, vs, ldvs)
    }

    public static func trsyl(transA: UInt8, transB: UInt8, isgn: Int32, m: Int32, n: Int32,
                             a: UnsafePointer<Float>, lda: Int32, b: UnsafePointer<Float>, ldb: Int32,
                             c: UnsafeMutablePointer<Float>, ldc: Int32, scale: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_strsyl(columnMajor, cchar(transA), cchar(transB), isgn, m, n, a, lda, b, ldb, c, ldc, scale)
    }

    public static func geev(n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32,
                            wr: UnsafeMutablePointer<Float>, wi: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_sgeev(columnMajor, cchar(UInt8(ascii: "N")), cchar(UInt8(ascii: "N")), n, a, lda, wr, wi, nil, 1, nil, 1)
    }

    public static func gesdd(jobz: UInt8, m: Int32, n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32,
                             s: UnsafeMutablePointer<Float>, u: UnsafeMutablePointer<Float>?, ldu: Int32,
                             vt: UnsafeMutablePointer<Float>?, ldvt: Int32) -> Int32 {
        LAPACKE_sgesdd(columnMajor, cchar(jobz), m, n, a, lda, s, u, ldu, vt, ldvt)
    }

    public static func potrf(uplo: UInt8, n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32) -> Int32 {
        LAPACKE_spotrf(columnMajor, cchar(uplo), n, a, lda)
    }
}
