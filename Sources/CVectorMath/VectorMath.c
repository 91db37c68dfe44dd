// SLEEF-backed elementwise kernels, one copy per instruction set, dispatched per call.
//
// SLEEF's vector functions are declared here rather than through <sleef.h>, which hides its
// AVX-512 and AVX2 declarations unless the whole file is compiled for that instruction set;
// each kernel below is instead compiled for its own set with a `target` attribute, so one
// binary runs everywhere and picks the widest set the CPU has (`__builtin_cpu_supports`).
//
// The vectors are GCC/Clang vector-extension types of the same size as __m512d / __m256d
// (the calling convention is the same). exp, expm1, log and log1p are SLEEF's; the composites
// are fused loops on the inline cores of FusedMath.h (eˣ, and ln(1 + e) on [0, 1]), one pass
// and no call per vector:
//   σ(x) = num/(1 + e), e = e^−|x| ≤ 1, num = 1 (x ≥ 0) or e (x < 0); the rounding error of
//          1 + e is recovered exactly and divided out, leaving ≤ 1.5 ulp;
//   softplus(x) = max(x, 0) + ln(1 + e^−|x|);  log σ(x) = min(x, 0) − ln(1 + e^−|x|);
//   tanh |x| = 1 − 2/(e^(2|x|) + 1), or an odd polynomial below 0.625.
// Worst errors on the tests' sweep (ElementwiseKernelsTests, Double / Float): σ 1.38 / 1.37 ulp,
// softplus 1.48 / 1.41, log σ 1.42 / 1.41; tanh 1.38 / 1.37 on denser sweeps (see its kernel).
#include "CVectorMath.h"
#include "FusedMath.h"
#include "VectorTypes.h"

#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))


#define SLEEF_DECLARE(TARGET, V, S, ISA)                                   \
    __attribute__((target(TARGET), const)) V Sleef_exp##S##_u10##ISA(V);   \
    __attribute__((target(TARGET), const)) V Sleef_expm1##S##_u10##ISA(V); \
    __attribute__((target(TARGET), const)) V Sleef_log##S##_u10##ISA(V);   \
    __attribute__((target(TARGET), const)) V Sleef_log1p##S##_u10##ISA(V); \
    __attribute__((target(TARGET), const)) V Sleef_tanh##S##_u10##ISA(V);

SLEEF_DECLARE("avx512f", d8, d8, avx512f)
SLEEF_DECLARE("avx512f", f16, f16, avx512f)
SLEEF_DECLARE("avx2,fma", d4, d4, avx2)
SLEEF_DECLARE("avx2,fma", f8, f8, avx2)

// One family of kernels: V the vector, M its same-size integer vector, T the scalar, W the
// lane count, S/ISA the SLEEF name parts, NAME the suffix of the generated functions.
#define DEFINE_KERNELS(NAME, TARGET, T, V, M, W, S, ISA, SIGN, LARGE, POLY, FUSED)                 \
    __attribute__((target(TARGET))) static inline V NAME##_select(M mask, V a, V b) {            \
        return (V)(((M)a & mask) | ((M)b & ~mask));                                                \
    }                                                                                              \
    __attribute__((target(TARGET))) static inline V NAME##_abs(V x) {                             \
        return (V)((M)x & ~((M){0} + SIGN));                                                      \
    }                                                                                              \
    FUSED(NAME, TARGET)                                                                            \
    /* tanh |x| = 1 − q, q = 2/(e + 1), e = e^(2|x|), for |x| ≥ 0.625 (q ≤ 0.45, so 1 − q      \
       does not cancel, and the errors of e, e + 1 and the quotient, ≤ 1.5 ulp of q together,   \
       are ≤ 0.9 ulp of the result before its rounding), and |x| + |x|³ G(x²) below             \
       (Scripts/coefficients/tanh.py); then the sign of x. |x| is clamped to 20, where tanh     \
       rounds to 1 in both types, so e^(2|x|) needs neither clamp nor subnormal scaling. Worst  \
       1.38 ulp (Double, 1.7·10⁷ points), 1.37 (Float, every 13th float), both at |x| ≈ 0.63,   \
       where q is largest. Recovering the rounding of e + 1 (Fast2Sum, a Newton step on the     \
       quotient) gave 1.07 / 1.05 ulp for 24 % more instructions. */                          \
    __attribute__((target(TARGET))) static inline V NAME##_tanh(V x) {                            \
        V a = NAME##_abs(x);                                                                       \
        V one = (V){0} + 1;                                                                        \
        V clamped = NAME##_select(a > ((V){0} + 20), (V){0} + 20, a); /* NaN stays NaN */         \
        V e = NAME##_expi_nonnegative(clamped + clamped);                                          \
        V q = ((V){0} + 2) / (e + one);                                                            \
        V s = a * a;                                                                               \
        V small = a + a * (s * POLY(V, s));                                                        \
        V r = NAME##_select(a < ((V){0} + (T)0.625), small, one - q);                              \
        return (V)(((M)r & ~((M){0} + SIGN)) | ((M)x & ((M){0} + SIGN)));                          \
    }                                                                                              \
    /* σ(x) = num/(d + err) with e = e^−|x|, d + err = 1 + e exactly (no divide instruction:   \
       NAME##_quotient). */                                                                     \
    __attribute__((target(TARGET))) static inline V NAME##_sigmoid(V x) {                         \
        V e = NAME##_expi(-NAME##_abs(x));                                                         \
        V one = (V){0} + 1;                                                                        \
        V d = one + e;                                                                             \
        V err = e - (d - one); /* exact: e ≤ 1 */                                                  \
        V num = NAME##_select(x >= (V){0}, one, e);                                               \
        return NAME##_quotient(num, d, err);                                                       \
    }                                                                                              \
    /* SLEEF's log1p returns +∞ above 1e307 (Double) / 1e38 (Float); there log1p(x) = log(x)  \
       to far below an ulp, so those (rare) lanes take the logarithm. */                         \
    __attribute__((target(TARGET))) static inline V NAME##_log1p(V x) {                           \
        V r = Sleef_log1p##S##_u10##ISA(x);                                                        \
        M large = x > ((V){0} + LARGE);                                                            \
        if (__builtin_reduce_or(large)) r = NAME##_select(large, Sleef_log##S##_u10##ISA(x), r);   \
        return r;                                                                                  \
    }                                                                                              \
    __attribute__((target(TARGET))) static inline V NAME##_log1p_exp_neg_abs(V x) {               \
        return NAME##_log1p_unit(NAME##_expi(-NAME##_abs(x)));                                     \
    }                                                                                              \
    __attribute__((target(TARGET))) static inline V NAME##_unary1(int op, V x) {                  \
        switch (op) {                                                                              \
        case CVM_EXP: return Sleef_exp##S##_u10##ISA(x);                                           \
        case CVM_EXPM1: return Sleef_expm1##S##_u10##ISA(x);                                       \
        case CVM_LOG: return Sleef_log##S##_u10##ISA(x);                                           \
        case CVM_LOG1P: return NAME##_log1p(x);                                                    \
        case CVM_TANH: return NAME##_tanh(x);                                                      \
        case CVM_SIGMOID: return NAME##_sigmoid(x);                                                \
        case CVM_SOFTPLUS: /* NaN: the select gives 0, log1p(e^NaN) gives NaN */                   \
            return NAME##_select(x > (V){0}, x, (V){0}) + NAME##_log1p_exp_neg_abs(x);            \
        case CVM_LOG_SIGMOID:                                                                      \
            return NAME##_select(x < (V){0}, x, (V){0}) - NAME##_log1p_exp_neg_abs(x);            \
        case CVM_SQRT: return __builtin_elementwise_sqrt(x);                                       \
        case CVM_RSQRT: return ((V){0} + 1) / __builtin_elementwise_sqrt(x);                       \
        case CVM_ABS: return NAME##_abs(x);                                                        \
        case CVM_RELU: return NAME##_select(x < (V){0}, (V){0}, x); /* NaN stays NaN */            \
        default: /* CVM_SQUARE */ return x * x;                                                    \
        }                                                                                          \
    }                                                                                              \
    /* The switch sits outside the loop: each case is its own straight loop. */                   \
    __attribute__((target(TARGET))) static void NAME##_unary(int op, const T *x, T *y, long n) {  \
        long i = 0;                                                                                \
        switch (op) {                                                                              \
        case CVM_EXP: NAME##_LOOP(CVM_EXP); break;                                                 \
        case CVM_EXPM1: NAME##_LOOP(CVM_EXPM1); break;                                             \
        case CVM_LOG: NAME##_LOOP(CVM_LOG); break;                                                 \
        case CVM_LOG1P: NAME##_LOOP(CVM_LOG1P); break;                                             \
        case CVM_TANH: NAME##_LOOP(CVM_TANH); break;                                               \
        case CVM_SIGMOID: NAME##_LOOP(CVM_SIGMOID); break;                                         \
        case CVM_SOFTPLUS: NAME##_LOOP(CVM_SOFTPLUS); break;                                       \
        case CVM_LOG_SIGMOID: NAME##_LOOP(CVM_LOG_SIGMOID); break;                                 \
        case CVM_SQRT: NAME##_LOOP(CVM_SQRT); break;                                               \
        case CVM_RSQRT: NAME##_LOOP(CVM_RSQRT); break;                                             \
        case CVM_ABS: NAME##_LOOP(CVM_ABS); break;                                                 \
        case CVM_RELU: NAME##_LOOP(CVM_RELU); break;                                               \
        default: NAME##_LOOP(CVM_SQUARE); break;                                                   \
        }                                                                                          \
        if (i < n) { /* the tail, through a zero-padded vector (its extra lanes are discarded) */ \
            T buffer[W] = {0};                                                                     \
            memcpy(buffer, x + i, (size_t)(n - i) * sizeof(T));                                    \
            V v;                                                                                   \
            memcpy(&v, buffer, sizeof v);                                                          \
            V r = NAME##_unary1(op, v);                                                            \
            memcpy(buffer, &r, sizeof r);                                                          \
            memcpy(y + i, buffer, (size_t)(n - i) * sizeof(T));                                    \
        }                                                                                          \
    }                                                                                              \
    __attribute__((target(TARGET))) static inline V NAME##_binary1(int op, V a, V b) {            \
        switch (op) {                                                                              \
        case CVM_TIMES_SIGMOID: return a * NAME##_sigmoid(b);                                      \
        case CVM_TIMES_SIGMOID_OF_NEGATION: return a * NAME##_sigmoid(-b);                         \
        case CVM_SIGMOID_PULLBACK: return a * (b * (((V){0} + 1) - b));                            \
        default: { /* CVM_TANH_PULLBACK; separate statements: no contraction into an FMA */      \
            V square = b * b;                                                                      \
            V complement = ((V){0} + 1) - square;                                                  \
            return a * complement;                                                                 \
        }                                                                                          \
        }                                                                                          \
    }                                                                                              \
    __attribute__((target(TARGET))) static void NAME##_binary(int op, const T *a, const T *b, T *y, \
                                                              long n) {                            \
        long i = 0;                                                                                \
        switch (op) {                                                                              \
        case CVM_TIMES_SIGMOID: NAME##_LOOP2(CVM_TIMES_SIGMOID); break;                            \
        case CVM_TIMES_SIGMOID_OF_NEGATION: NAME##_LOOP2(CVM_TIMES_SIGMOID_OF_NEGATION); break;    \
        case CVM_SIGMOID_PULLBACK: NAME##_LOOP2(CVM_SIGMOID_PULLBACK); break;                      \
        default: NAME##_LOOP2(CVM_TANH_PULLBACK); break;                                           \
        }                                                                                          \
        if (i < n) {                                                                               \
            T ba[W] = {0}, bb[W] = {0};                                                            \
            memcpy(ba, a + i, (size_t)(n - i) * sizeof(T));                                        \
            memcpy(bb, b + i, (size_t)(n - i) * sizeof(T));                                        \
            V va, vb;                                                                              \
            memcpy(&va, ba, sizeof va);                                                            \
            memcpy(&vb, bb, sizeof vb);                                                            \
            V r = NAME##_binary1(op, va, vb);                                                      \
            memcpy(ba, &r, sizeof r);                                                              \
            memcpy(y + i, ba, (size_t)(n - i) * sizeof(T));                                        \
        }                                                                                          \
    }

// The loops the kernels above expand (OP is a constant, so each case folds to one function).
#define LOOP_OVER(NAME, V, W, OP)                                                                  \
    for (; i + W <= n; i += W) {                                                                   \
        V v;                                                                                       \
        memcpy(&v, x + i, sizeof v);                                                               \
        V r = NAME##_unary1(OP, v);                                                                \
        memcpy(y + i, &r, sizeof r);                                                               \
    }
#define LOOP2_OVER(NAME, V, W, OP)                                                                 \
    for (; i + W <= n; i += W) {                                                                   \
        V va, vb;                                                                                  \
        memcpy(&va, a + i, sizeof va);                                                             \
        memcpy(&vb, b + i, sizeof vb);                                                             \
        V r = NAME##_binary1(OP, va, vb);                                                          \
        memcpy(y + i, &r, sizeof r);                                                               \
    }

#define avx512d_LOOP(OP) LOOP_OVER(avx512d, d8, 8, OP)
#define avx512d_LOOP2(OP) LOOP2_OVER(avx512d, d8, 8, OP)
#define avx512f_LOOP(OP) LOOP_OVER(avx512f, f16, 16, OP)
#define avx512f_LOOP2(OP) LOOP2_OVER(avx512f, f16, 16, OP)
#define avx2d_LOOP(OP) LOOP_OVER(avx2d, d4, 4, OP)
#define avx2d_LOOP2(OP) LOOP2_OVER(avx2d, d4, 4, OP)
#define avx2f_LOOP(OP) LOOP_OVER(avx2f, f8, 8, OP)
#define avx2f_LOOP2(OP) LOOP2_OVER(avx2f, f8, 8, OP)

// G(s) of the tanh kernel by Horner's rule (coefficients from Scripts/coefficients/tanh.py).
#define C(V, c) ((V){0} + (c))
#define TANH_POLY_DOUBLE(V, s)                                                                     \
    (C(V, -0x1.55555555554ffp-2) + s * (C(V, 0x1.111111110acb1p-3) + s * (C(V, -0x1.ba1ba1b5050cep-5) \
    + s * (C(V, 0x1.664f477aa32a0p-6) + s * (C(V, -0x1.226e162660dbep-7) + s * (C(V, 0x1.d6cf275d15066p-9) \
    + s * (C(V, -0x1.7d689c24370c9p-10) + s * (C(V, 0x1.3365e52a74e2dp-11) + s * (C(V, -0x1.df540a7656373p-13) \
    + s * (C(V, 0x1.438de29061e04p-14) + s * C(V, -0x1.0da0d4caed0eep-16)))))))))))
#define TANH_POLY_FLOAT(V, s)                                                                      \
    (C(V, -0x1.555532p-2f) + s * (C(V, 0x1.110726p-3f) + s * (C(V, -0x1.b83c3p-5f)                 \
    + s * (C(V, 0x1.52258cp-6f) + s * C(V, -0x1.75dcfep-8f)))))

#define SIGN64 ((long long)0x8000000000000000ULL)
#define SIGN32 ((int)0x80000000U)

// The fused cores per type (FusedMath.h): mantissa bits, exponent bias, ln 2 = hi + lo, the
// lower clamp of eˣ's argument, the polynomials.
#define FUSED_DOUBLE(NAME, TARGET, V, M)                                                           \
    DEFINE_FUSED(NAME, TARGET, double, V, M, 52, 1023, 0x1.62e42fefa39efp-1, 0x1.abc9e3b39803fp-56, \
                 -746.0, EXP_TAYLOR_DOUBLE, LOG_R_DOUBLE)
#define FUSED_FLOAT(NAME, TARGET, V, M)                                                            \
    DEFINE_FUSED(NAME, TARGET, float, V, M, 23, 127, 0x1.62e430p-1f, -0x1.05c610p-29f, -104.0f,    \
                 EXP_TAYLOR_FLOAT, LOG_R_FLOAT)
#define FUSED_D8(NAME, TARGET) FUSED_DOUBLE(NAME, TARGET, d8, l8)
#define FUSED_F16(NAME, TARGET) FUSED_FLOAT(NAME, TARGET, f16, i16)
#define FUSED_D4(NAME, TARGET) FUSED_DOUBLE(NAME, TARGET, d4, l4)
#define FUSED_F8(NAME, TARGET) FUSED_FLOAT(NAME, TARGET, f8, i8)

DEFINE_KERNELS(avx512d, "avx512f,avx512dq", double, d8, l8, 8, d8, avx512f, SIGN64, 0x1p1000, TANH_POLY_DOUBLE, FUSED_D8)
DEFINE_KERNELS(avx512f, "avx512f,avx512dq", float, f16, i16, 16, f16, avx512f, SIGN32, 0x1p120f, TANH_POLY_FLOAT, FUSED_F16)
DEFINE_KERNELS(avx2d, "avx2,fma", double, d4, l4, 4, d4, avx2, SIGN64, 0x1p1000, TANH_POLY_DOUBLE, FUSED_D4)
DEFINE_KERNELS(avx2f, "avx2,fma", float, f8, i8, 8, f8, avx2, SIGN32, 0x1p120f, TANH_POLY_FLOAT, FUSED_F8)

// Arithmetic and sums: y = a ∘ b over W-wide vectors, then the scalar tail (the same IEEE
// operation, so every element is rounded exactly as a scalar loop rounds it).
#pragma STDC FP_CONTRACT OFF
#define DEFINE_ARITH(NAME, TARGET, T, V, W)                                                        \
    __attribute__((target(TARGET))) static void NAME##_arith(int op, const T *a, const T *b, T *y, \
                                                             long n) {                             \
        long i = 0;                                                                                \
        switch (op) {                                                                              \
        case CVM_ADD: ARITH_LOOP(V, W, +); break;                                                  \
        case CVM_SUB: ARITH_LOOP(V, W, -); break;                                                  \
        case CVM_MUL: ARITH_LOOP(V, W, *); break;                                                  \
        default: ARITH_LOOP(V, W, /); break;                                                       \
        }                                                                                          \
    }                                                                                              \
    /* One operand a scalar: `c ∘ v` (left) or `v ∘ c` (right) over the other's elements. */    \
    __attribute__((target(TARGET))) static void NAME##_arith_scalar(int op, const T *v, T c,      \
                                                                    int left, T *y, long n) {      \
        long i = 0;                                                                                \
        switch (op * 2 + left) {                                                                   \
        case 2 * CVM_ADD: SCALAR_LOOP(V, W, u + cv, v[i] + c); break;                              \
        case 2 * CVM_ADD + 1: SCALAR_LOOP(V, W, cv + u, c + v[i]); break;                          \
        case 2 * CVM_SUB: SCALAR_LOOP(V, W, u - cv, v[i] - c); break;                              \
        case 2 * CVM_SUB + 1: SCALAR_LOOP(V, W, cv - u, c - v[i]); break;                          \
        case 2 * CVM_MUL: SCALAR_LOOP(V, W, u * cv, v[i] * c); break;                              \
        case 2 * CVM_MUL + 1: SCALAR_LOOP(V, W, cv * u, c * v[i]); break;                          \
        case 2 * CVM_DIV: SCALAR_LOOP(V, W, u / cv, v[i] / c); break;                              \
        default: SCALAR_LOOP(V, W, cv / u, c / v[i]); break;                                       \
        }                                                                                          \
    }                                                                                              \
    /* Blocks of up to 128 elements in two vector accumulators, combined pairwise. */             \
    __attribute__((target(TARGET))) static T NAME##_sum(const T *p, long n) {                     \
        if (n > 128) {                                                                             \
            long half = (n / 2) & ~(long)(2 * W - 1);                                              \
            return NAME##_sum(p, half) + NAME##_sum(p + half, n - half);                          \
        }                                                                                          \
        V s0 = (V){0}, s1 = (V){0};                                                                \
        long i = 0;                                                                                \
        for (; i + 2 * W <= n; i += 2 * W) {                                                       \
            V u, v;                                                                                \
            memcpy(&u, p + i, sizeof u);                                                           \
            memcpy(&v, p + i + W, sizeof v);                                                       \
            s0 += u;                                                                               \
            s1 += v;                                                                               \
        }                                                                                          \
        T tail = 0;                                                                                \
        for (; i < n; i++) tail += p[i];                                                           \
        V s = s0 + s1;                                                                             \
        T lanes[W];                                                                                \
        memcpy(lanes, &s, sizeof s);                                                               \
        for (int width = W / 2; width >= 1; width /= 2)                                            \
            for (int k = 0; k < width; k++) lanes[k] += lanes[k + width];                          \
        return lanes[0] + tail;                                                                    \
    }

#define ARITH_LOOP(V, W, OPERATOR)                                                                 \
    for (; i + W <= n; i += W) {                                                                   \
        V u, v;                                                                                    \
        memcpy(&u, a + i, sizeof u);                                                               \
        memcpy(&v, b + i, sizeof v);                                                               \
        V r = u OPERATOR v;                                                                        \
        memcpy(y + i, &r, sizeof r);                                                               \
    }                                                                                              \
    for (; i < n; i++) y[i] = a[i] OPERATOR b[i];

#define SCALAR_LOOP(V, W, VECTOR, SCALAR)                                                          \
    {                                                                                              \
        V cv = (V){0} + c;                                                                         \
        for (; i + W <= n; i += W) {                                                               \
            V u;                                                                                   \
            memcpy(&u, v + i, sizeof u);                                                           \
            V r = VECTOR;                                                                          \
            memcpy(y + i, &r, sizeof r);                                                           \
        }                                                                                          \
        for (; i < n; i++) y[i] = SCALAR;                                                          \
    }

DEFINE_ARITH(avx512d, "avx512f,avx512dq", double, d8, 8)
DEFINE_ARITH(avx512f, "avx512f,avx512dq", float, f16, 16)
DEFINE_ARITH(avx2d, "avx2,fma", double, d4, 4)
DEFINE_ARITH(avx2f, "avx2,fma", float, f8, 8)

// Per thread, so that a caller capping the level (a test of a narrower path, an A/B run)
// changes only its own kernels; ElementwiseKernels.split hands the caller's cap to the
// threads that run its ranges.
static _Thread_local int isaLimit = CVM_ISA_AVX512;

static int cpuLevel(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return CVM_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return CVM_ISA_AVX2;
    return CVM_ISA_NONE;
}

int cvm_isa(void) {
    int cpu = cpuLevel();
    return cpu < isaLimit ? cpu : isaLimit;
}

int cvm_isa_limit(void) { return isaLimit; }

void cvm_set_isa_limit(int level) { isaLimit = level; }

int cvm_unary_f64(int op, const double *x, double *y, long n) {
    switch (cvm_isa()) {
    case CVM_ISA_AVX512: avx512d_unary(op, x, y, n); return 1;
    case CVM_ISA_AVX2: avx2d_unary(op, x, y, n); return 1;
    default: return 0;
    }
}

int cvm_unary_f32(int op, const float *x, float *y, long n) {
    switch (cvm_isa()) {
    case CVM_ISA_AVX512: avx512f_unary(op, x, y, n); return 1;
    case CVM_ISA_AVX2: avx2f_unary(op, x, y, n); return 1;
    default: return 0;
    }
}

int cvm_binary_f64(int op, const double *a, const double *b, double *y, long n) {
    switch (cvm_isa()) {
    case CVM_ISA_AVX512: avx512d_binary(op, a, b, y, n); return 1;
    case CVM_ISA_AVX2: avx2d_binary(op, a, b, y, n); return 1;
    default: return 0;
    }
}

int cvm_binary_f32(int op, const float *a, const float *b, float *y, long n) {
    switch (cvm_isa()) {
    case CVM_ISA_AVX512: avx512f_binary(op, a, b, y, n); return 1;
    case CVM_ISA_AVX2: avx2f_binary(op, a, b, y, n); return 1;
    default: return 0;
    }
}

int cvm_arith_f64(int op, const double *a, const double *b, double *y, long n) {
    switch (cvm_isa()) {
    case CVM_ISA_AVX512: avx512d_arith(op, a, b, y, n); return 1;
    case CVM_ISA_AVX2: avx2d_arith(op, a, b, y, n); return 1;
    default: return 0;
    }
}

int cvm_arith_f32(int op, const float *a, const float *b, float *y, long n) {
    switch (cvm_isa()) {
    case CVM_ISA_AVX512: avx512f_arith(op, a, b, y, n); return 1;
    case CVM_ISA_AVX2: avx2f_arith(op, a, b, y, n); return 1;
    default: return 0;
    }
}

int cvm_arith_strided_f64(int op, const double *a, long sa, const double *b, long sb, double *y, long n) {
    if (sa && sb) return cvm_arith_f64(op, a, b, y, n);
    if (!sa && !sb) return 0;
    const double *v = sa ? a : b;
    double c = sa ? b[0] : a[0];
    switch (cvm_isa()) {
    case CVM_ISA_AVX512: avx512d_arith_scalar(op, v, c, !sa, y, n); return 1;
    case CVM_ISA_AVX2: avx2d_arith_scalar(op, v, c, !sa, y, n); return 1;
    default: return 0;
    }
}

int cvm_arith_strided_f32(int op, const float *a, long sa, const float *b, long sb, float *y, long n) {
    if (sa && sb) return cvm_arith_f32(op, a, b, y, n);
    if (!sa && !sb) return 0;
    const float *v = sa ? a : b;
    float c = sa ? b[0] : a[0];
    switch (cvm_isa()) {
    case CVM_ISA_AVX512: avx512f_arith_scalar(op, v, c, !sa, y, n); return 1;
    case CVM_ISA_AVX2: avx2f_arith_scalar(op, v, c, !sa, y, n); return 1;
    default: return 0;
    }
}

double cvm_sum_f64(const double *p, long n, int *handled) {
    *handled = 1;
    switch (cvm_isa()) {
    case CVM_ISA_AVX512: return avx512d_sum(p, n);
    case CVM_ISA_AVX2: return avx2d_sum(p, n);
    default: *handled = 0; return 0;
    }
}

float cvm_sum_f32(const float *p, long n, int *handled) {
    *handled = 1;
    switch (cvm_isa()) {
    case CVM_ISA_AVX512: return avx512f_sum(p, n);
    case CVM_ISA_AVX2: return avx2f_sum(p, n);
    default: *handled = 0; return 0;
    }
}

#else  // not x86-64: the callers' portable loops run

int cvm_arith_f64(int op, const double *a, const double *b, double *y, long n) { return 0; }
int cvm_arith_f32(int op, const float *a, const float *b, float *y, long n) { return 0; }
int cvm_arith_strided_f64(int op, const double *a, long sa, const double *b, long sb, double *y, long n) { return 0; }
int cvm_arith_strided_f32(int op, const float *a, long sa, const float *b, long sb, float *y, long n) { return 0; }

double cvm_sum_f64(const double *p, long n, int *handled) { *handled = 0; return 0; }
float cvm_sum_f32(const float *p, long n, int *handled) { *handled = 0; return 0; }

int cvm_unary_f64(int op, const double *x, double *y, long n) { return 0; }
int cvm_unary_f32(int op, const float *x, float *y, long n) { return 0; }
int cvm_binary_f64(int op, const double *a, const double *b, double *y, long n) { return 0; }
int cvm_binary_f32(int op, const float *a, const float *b, float *y, long n) { return 0; }
int cvm_isa(void) { return CVM_ISA_NONE; }
int cvm_isa_limit(void) { return CVM_ISA_NONE; }
void cvm_set_isa_limit(int level) { (void)level; }

#endif
