// Kernels along the last axis of a row-major (rows × n) array: Euclidean norms of the rows,
// rows normalised to a given norm, and that normalisation's pullback. One copy per
// instruction set (as VectorMath.c), so a batch of vectors costs one pass per row in wide
// vectors instead of a chain of broadcasting tensor operations.
//
// Norms: Σ xᵢ² pairwise (blocks of 128 in two vector accumulators); where that sum is not
// finite or is below leastNormal/ε (squares may have underflowed), the row is redone as
// m·√(Σ (xᵢ/m)²) with m = max |xᵢ| (LAPACK's ?nrm2 scaling): NaN gives NaN, m = 0 gives 0,
// m = ∞ gives ∞.
//
// Normalisation: y = s·x with s = r/‖x‖ per row (s is returned for the pullback; a zero row
// gives s = ∞ and y = NaN, the map being undefined there; a scaled row is computed as
// y = (x/m)·(r/t), which stays accurate for rows of subnormals). Pullback of g:
//   ∂x = s·(g − ŷ⟨ŷ, g⟩) = s·(g − y⟨y, g⟩/r²),   ŷ = y/r.
#include "CVectorMath.h"
#include "VectorTypes.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

// Scalar fallback of the norm (see the file comment), for rows whose plain sum of squares is
// unusable; rare, so plain loops, pairwise. The norm is returned as m·t (m = max |xᵢ|,
// t = √(Σ (xᵢ/m)²) ∈ [1, √n]) so that a row of subnormals is normalised without rounding its
// norm to a subnormal's few bits; m = 0 (zero row), ∞ or NaN give t = 1 and the norm m.
#define DEFINE_SCALED_NORM(T, SUFFIX)                                                              \
    static T scaled_squares_##SUFFIX(const T *p, long n, T m) {                                   \
        if (n > 16) return scaled_squares_##SUFFIX(p, n / 2, m) + scaled_squares_##SUFFIX(p + n / 2, n - n / 2, m); \
        T s = 0;                                                                                   \
        for (long i = 0; i < n; i++) {                                                             \
            T q = p[i] / m;                                                                        \
            s += q * q;                                                                            \
        }                                                                                          \
        return s;                                                                                  \
    }                                                                                              \
    static void scaled_norm_##SUFFIX(const T *p, long n, T *m_out, T *t_out) {                    \
        T m = 0;                                                                                   \
        *t_out = 1;                                                                                \
        for (long i = 0; i < n; i++) {                                                             \
            T a = p[i] < 0 ? -p[i] : p[i];                                                         \
            if (a != a) { *m_out = a; return; }                                                    \
            if (a > m) m = a;                                                                      \
        }                                                                                          \
        *m_out = m;                                                                                \
        if (m == 0 || m - m != 0) return; /* zero row, or an infinite element */                 \
        *t_out = __builtin_sqrt(scaled_squares_##SUFFIX(p, n, m));                                 \
    }
DEFINE_SCALED_NORM(double, f64)
DEFINE_SCALED_NORM(float, f32)

#define DEFINE_ROWS(NAME, TARGET, T, V, W, SUFFIX, TINY, HUGE)                                     \
    __attribute__((target(TARGET))) static T NAME##_lanes(V s) {                                  \
        T lanes[W];                                                                                \
        memcpy(lanes, &s, sizeof s);                                                               \
        for (int width = W / 2; width >= 1; width /= 2)                                            \
            for (int k = 0; k < width; k++) lanes[k] += lanes[k + width];                          \
        return lanes[0];                                                                           \
    }                                                                                              \
    /* Σ a[i]·b[i], pairwise over blocks of at most 128 (a == b gives the sum of squares). */   \
    __attribute__((target(TARGET))) static T NAME##_dot(const T *a, const T *b, long n) {         \
        if (n > 128) {                                                                             \
            long half = (n / 2) & ~(long)(2 * W - 1);                                              \
            return NAME##_dot(a, b, half) + NAME##_dot(a + half, b + half, n - half);             \
        }                                                                                          \
        V s0 = (V){0}, s1 = (V){0};                                                                \
        long i = 0;                                                                                \
        for (; i + 2 * W <= n; i += 2 * W) {                                                       \
            V u0, u1, v0, v1;                                                                      \
            memcpy(&u0, a + i, sizeof u0);                                                         \
            memcpy(&u1, a + i + W, sizeof u1);                                                     \
            memcpy(&v0, b + i, sizeof v0);                                                         \
            memcpy(&v1, b + i + W, sizeof v1);                                                     \
            s0 += u0 * v0;                                                                         \
            s1 += u1 * v1;                                                                         \
        }                                                                                          \
        T tail = 0;                                                                                \
        for (; i < n; i++) tail += a[i] * b[i];                                                    \
        return NAME##_lanes(s0 + s1) + tail;                                                       \
    }                                                                                              \
    /* The norm as m·t: m = 1 on the fast path, else the scaled fallback's parts. */             \
    __attribute__((target(TARGET))) static void NAME##_norm(const T *p, long n, T *m, T *t) {     \
        T s = NAME##_dot(p, p, n);                                                                 \
        if (s >= (TINY) && s <= (HUGE)) { *m = 1; *t = __builtin_sqrt(s); return; }                \
        scaled_norm_##SUFFIX(p, n, m, t);                                                          \
    }                                                                                              \
    /* y = c·x */                                                                                  \
    __attribute__((target(TARGET))) static void NAME##_scale(const T *x, T c, T *y, long n) {     \
        V cv = (V){0} + c;                                                                         \
        long i = 0;                                                                                \
        for (; i + W <= n; i += W) {                                                               \
            V u;                                                                                   \
            memcpy(&u, x + i, sizeof u);                                                           \
            u = u * cv;                                                                            \
            memcpy(y + i, &u, sizeof u);                                                           \
        }                                                                                          \
        for (; i < n; i++) y[i] = x[i] * c;                                                        \
    }                                                                                              \
    /* dx = s·(g − c·y) */                                                                         \
    __attribute__((target(TARGET))) static void NAME##_reject(const T *y, const T *g, T c, T s,   \
                                                              T *dx, long n) {                     \
        V cv = (V){0} + c, sv = (V){0} + s;                                                        \
        long i = 0;                                                                                \
        for (; i + W <= n; i += W) {                                                               \
            V u, v;                                                                                \
            memcpy(&u, y + i, sizeof u);                                                           \
            memcpy(&v, g + i, sizeof v);                                                           \
            V r = sv * (v - cv * u);                                                               \
            memcpy(dx + i, &r, sizeof r);                                                          \
        }                                                                                          \
        for (; i < n; i++) dx[i] = s * (g[i] - c * y[i]);                                          \
    }                                                                                              \
    __attribute__((target(TARGET))) static void NAME##_row_norms(const T *x, T *out, long rows,   \
                                                                 long n) {                         \
        for (long r = 0; r < rows; r++) {                                                          \
            T m, t;                                                                                \
            NAME##_norm(x + r * n, n, &m, &t);                                                     \
            out[r] = m * t;                                                                        \
        }                                                                                          \
    }                                                                                              \
    __attribute__((target(TARGET))) static void NAME##_normalize(const T *x, T radius, T *y,      \
                                                                 T *scale, long rows, long n) {    \
        for (long r = 0; r < rows; r++) {                                                          \
            T m, t;                                                                                \
            NAME##_norm(x + r * n, n, &m, &t);                                                     \
            scale[r] = radius / (m * t);                                                           \
            if (m == 1) {                                                                          \
                NAME##_scale(x + r * n, radius / t, y + r * n, n);                                 \
            } else { /* scaled: (x/m)·(r/t), never the norm of a subnormal row itself */          \
                T c = radius / t;                                                                  \
                for (long j = 0; j < n; j++) y[r * n + j] = x[r * n + j] / m * c;                  \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
    __attribute__((target(TARGET))) static void NAME##_normalize_pullback(                        \
        const T *y, const T *g, const T *scale, T radius, T *dx, long rows, long n) {              \
        T inverseSquare = 1 / (radius * radius);                                                   \
        for (long r = 0; r < rows; r++) {                                                          \
            const T *yr = y + r * n, *gr = g + r * n;                                              \
            T c = NAME##_dot(yr, gr, n) * inverseSquare;                                           \
            NAME##_reject(yr, gr, c, scale[r], dx + r * n, n);                                     \
        }                                                                                          \
    }

DEFINE_ROWS(avx512d, "avx512f,avx512dq", double, d8, 8, f64, 0x1p-970, 0x1.fffffffffffffp1023)
DEFINE_ROWS(avx512f, "avx512f,avx512dq", float, f16, 16, f32, 0x1p-103f, 0x1.fffffep127f)
DEFINE_ROWS(avx2d, "avx2,fma", double, d4, 4, f64, 0x1p-970, 0x1.fffffffffffffp1023)
DEFINE_ROWS(avx2f, "avx2,fma", float, f8, 8, f32, 0x1p-103f, 0x1.fffffep127f)

// The dispatchers: the widest set this CPU has (cvm_isa), else 0 (the caller loops itself).
#define DISPATCH(CALL_AVX512, CALL_AVX2)                                                           \
    switch (cvm_isa()) {                                                                           \
    case CVM_ISA_AVX512: CALL_AVX512; return 1;                                                    \
    case CVM_ISA_AVX2: CALL_AVX2; return 1;                                                        \
    default: return 0;                                                                             \
    }

int cvm_row_norms_f64(const double *x, double *out, long rows, long n) {
    DISPATCH(avx512d_row_norms(x, out, rows, n), avx2d_row_norms(x, out, rows, n))
}
int cvm_row_norms_f32(const float *x, float *out, long rows, long n) {
    DISPATCH(avx512f_row_norms(x, out, rows, n), avx2f_row_norms(x, out, rows, n))
}
int cvm_normalize_rows_f64(const double *x, double radius, double *y, double *scale, long rows, long n) {
    DISPATCH(avx512d_normalize(x, radius, y, scale, rows, n), avx2d_normalize(x, radius, y, scale, rows, n))
}
int cvm_normalize_rows_f32(const float *x, float radius, float *y, float *scale, long rows, long n) {
    DISPATCH(avx512f_normalize(x, radius, y, scale, rows, n), avx2f_normalize(x, radius, y, scale, rows, n))
}
int cvm_normalize_rows_pullback_f64(const double *y, const double *g, const double *scale, double radius,
                                    double *dx, long rows, long n) {
    DISPATCH(avx512d_normalize_pullback(y, g, scale, radius, dx, rows, n),
             avx2d_normalize_pullback(y, g, scale, radius, dx, rows, n))
}
int cvm_normalize_rows_pullback_f32(const float *y, const float *g, const float *scale, float radius,
                                    float *dx, long rows, long n) {
    DISPATCH(avx512f_normalize_pullback(y, g, scale, radius, dx, rows, n),
             avx2f_normalize_pullback(y, g, scale, radius, dx, rows, n))
}

#else  // not x86-64: the callers' portable loops run

int cvm_row_norms_f64(const double *x, double *out, long rows, long n) { return 0; }
int cvm_row_norms_f32(const float *x, float *out, long rows, long n) { return 0; }
int cvm_normalize_rows_f64(const double *x, double radius, double *y, double *scale, long rows, long n) { return 0; }
int cvm_normalize_rows_f32(const float *x, float radius, float *y, float *scale, long rows, long n) { return 0; }
int cvm_normalize_rows_pullback_f64(const double *y, const double *g, const double *scale, double radius,
                                    double *dx, long rows, long n) { return 0; }
int cvm_normalize_rows_pullback_f32(const float *y, const float *g, const float *scale, float radius,
                                    float *dx, long rows, long n) { return 0; }

#endif
