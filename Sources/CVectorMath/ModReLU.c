// expRNN's modReLU on the rows of a row-major (rows × n) array, with a bias per column, and
// its pullback from the output. One copy per instruction set (as Rows.c), so a recurrent
// step's activation is one pass in wide vectors instead of a scalar loop with branches.
//
// Forward, in place: z ← sign(z)·max(|z| + b, 0), i.e. m = |z| + b, then m with z's sign
// where m > 0 and z ≠ 0, else 0 (a NaN z gives 0, as the comparison m > 0 is false).
//
// Pullback of g from the output y: an element is active exactly where y ≠ 0, and there
// sign(y) = sign(z), so dz = g where y ≠ 0 and 0 elsewhere; the bias's cotangent sums
// sign(y)·dz over the rows, and `sums` (when not NULL) sums dz over the rows (the cotangent of
// a bias added before the activation). Both accumulate into the caller's arrays.
#include "CVectorMath.h"
#include "VectorTypes.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

// NAME: prefix; TARGET: the instruction set; T, V, W: scalar, vector, lanes; I: the integer
// vector of V's lane width; SIGN: the sign bit of a T as an integer.
#define DEFINE_MODRELU(NAME, TARGET, T, V, I, W, SIGN)                                             \
    __attribute__((target(TARGET))) static void NAME##_modrelu(T *z, const T *b, long rows,       \
                                                               long n) {                           \
        const I sign = (I){0} + (SIGN);                                                            \
        for (long r = 0; r < rows; r++) {                                                          \
            T *row = z + r * n;                                                                    \
            long j = 0;                                                                            \
            for (; j + W <= n; j += W) {                                                           \
                V v, c;                                                                            \
                memcpy(&v, row + j, sizeof v);                                                     \
                memcpy(&c, b + j, sizeof c);                                                       \
                I bits;                                                                            \
                memcpy(&bits, &v, sizeof bits);                                                    \
                I magnitudeBits = bits & ~sign;                                                    \
                V magnitude;                                                                       \
                memcpy(&magnitude, &magnitudeBits, sizeof magnitude);                              \
                V m = magnitude + c;                                                               \
                I keep = (I)(m > 0) & (I)(v != 0);                                                 \
                I mBits;                                                                           \
                memcpy(&mBits, &m, sizeof mBits);                                                  \
                I out = (mBits | (bits & sign)) & keep;                                            \
                memcpy(row + j, &out, sizeof out);                                                 \
            }                                                                                      \
            for (; j < n; j++) {                                                                   \
                T v = row[j], m = (v < 0 ? -v : v) + b[j];                                         \
                row[j] = m > 0 ? (v > 0 ? m : v < 0 ? -m : 0) : 0;                                 \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
    __attribute__((target(TARGET))) static void NAME##_modrelu_pullback(                          \
        const T *y, const T *g, T *dz, T *db, T *sums, long rows, long n) {                        \
        const I sign = (I){0} + (SIGN);                                                            \
        for (long r = 0; r < rows; r++) {                                                          \
            const T *yr = y + r * n, *gr = g + r * n;                                              \
            T *dr = dz + r * n;                                                                    \
            long j = 0;                                                                            \
            for (; j + W <= n; j += W) {                                                           \
                V u, v, acc;                                                                       \
                memcpy(&u, yr + j, sizeof u);                                                      \
                memcpy(&v, gr + j, sizeof v);                                                      \
                I active = (I)(u != 0), gBits, yBits;                                              \
                memcpy(&gBits, &v, sizeof gBits);                                                  \
                memcpy(&yBits, &u, sizeof yBits);                                                  \
                I dBits = gBits & active;                                                          \
                I signedBits = dBits ^ (yBits & sign);                                             \
                V d, s;                                                                            \
                memcpy(&d, &dBits, sizeof d);                                                      \
                memcpy(&s, &signedBits, sizeof s);                                                 \
                memcpy(dr + j, &d, sizeof d);                                                      \
                memcpy(&acc, db + j, sizeof acc);                                                  \
                acc += s;                                                                          \
                memcpy(db + j, &acc, sizeof acc);                                                  \
                if (sums) {                                                                        \
                    memcpy(&acc, sums + j, sizeof acc);                                            \
                    acc += d;                                                                      \
                    memcpy(sums + j, &acc, sizeof acc);                                            \
                }                                                                                  \
            }                                                                                      \
            for (; j < n; j++) {                                                                   \
                T u = yr[j], d = u != 0 ? gr[j] : 0;                                               \
                dr[j] = d;                                                                         \
                db[j] += u > 0 ? d : -d;                                                           \
                if (sums) sums[j] += d;                                                            \
            }                                                                                      \
        }                                                                                          \
    }

DEFINE_MODRELU(avx512d, "avx512f,avx512dq", double, d8, l8, 8, (long long)0x8000000000000000ULL)
DEFINE_MODRELU(avx512f, "avx512f,avx512dq", float, f16, i16, 16, (int)0x80000000U)
DEFINE_MODRELU(avx2d, "avx2,fma", double, d4, l4, 4, (long long)0x8000000000000000ULL)
DEFINE_MODRELU(avx2f, "avx2,fma", float, f8, i8, 8, (int)0x80000000U)

#define DISPATCH(CALL_AVX512, CALL_AVX2)                                                           \
    switch (cvm_isa()) {                                                                           \
    case CVM_ISA_AVX512: CALL_AVX512; return 1;                                                    \
    case CVM_ISA_AVX2: CALL_AVX2; return 1;                                                        \
    default: return 0;                                                                             \
    }

int cvm_modrelu_rows_f64(double *z, const double *bias, long rows, long n) {
    DISPATCH(avx512d_modrelu(z, bias, rows, n), avx2d_modrelu(z, bias, rows, n))
}
int cvm_modrelu_rows_f32(float *z, const float *bias, long rows, long n) {
    DISPATCH(avx512f_modrelu(z, bias, rows, n), avx2f_modrelu(z, bias, rows, n))
}
int cvm_modrelu_pullback_rows_f64(const double *y, const double *g, double *dz, double *bias_cotangent,
                                  double *column_sums, long rows, long n) {
    DISPATCH(avx512d_modrelu_pullback(y, g, dz, bias_cotangent, column_sums, rows, n),
             avx2d_modrelu_pullback(y, g, dz, bias_cotangent, column_sums, rows, n))
}
int cvm_modrelu_pullback_rows_f32(const float *y, const float *g, float *dz, float *bias_cotangent,
                                  float *column_sums, long rows, long n) {
    DISPATCH(avx512f_modrelu_pullback(y, g, dz, bias_cotangent, column_sums, rows, n),
             avx2f_modrelu_pullback(y, g, dz, bias_cotangent, column_sums, rows, n))
}

#else  // not x86-64: the callers' portable loops run

int cvm_modrelu_rows_f64(double *z, const double *bias, long rows, long n) { return 0; }
int cvm_modrelu_rows_f32(float *z, const float *bias, long rows, long n) { return 0; }
int cvm_modrelu_pullback_rows_f64(const double *y, const double *g, double *dz, double *bias_cotangent,
                                  double *column_sums, long rows, long n) { return 0; }
int cvm_modrelu_pullback_rows_f32(const float *y, const float *g, float *dz, float *bias_cotangent,
                                  float *column_sums, long rows, long n) { return 0; }

#endif
