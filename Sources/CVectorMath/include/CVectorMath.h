// Elementwise kernels on SLEEF's vector functions, chosen at run time for the CPU.
//
// Each entry point computes y[i] = f(x[i]) (or f(a[i], b[i]), or a row kernel) and returns 1, or
// returns 0 without touching y when this CPU has neither AVX-512F nor AVX2 + FMA (or the ISA
// limit forbids both), so that the caller runs its own portable loop. x and y may be the
// same buffer. Accuracy: SLEEF's u10 functions (≤ 1.0 ulp); the composites (tanh, sigmoid,
// softplus, log-sigmoid) stay within 2 ulp (see VectorMath.c); sqrt, abs, relu, square and
// the arithmetic are correctly rounded, rsqrt is 1/√x rounded twice.
#ifndef CVECTORMATH_H
#define CVECTORMATH_H

#include "ParallelFor.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Unary operation codes (the order of LinAlg's `VectorMath.Unary` SLEEF-backed cases).
enum {
    CVM_EXP = 0,
    CVM_EXPM1 = 1,
    CVM_LOG = 2,
    CVM_LOG1P = 3,
    CVM_TANH = 4,
    CVM_SIGMOID = 5,
    CVM_SOFTPLUS = 6,
    CVM_LOG_SIGMOID = 7,
    CVM_SQRT = 8,
    CVM_RSQRT = 9,
    CVM_ABS = 10,
    CVM_RELU = 11,
    CVM_SQUARE = 12,
};

/// Binary operation codes: g·σ(x), g·σ(−x) (pullbacks of softplus and log σ, from x), and
/// g·y(1 − y), g·(1 − y²) (pullbacks of σ and tanh, from their result y).
enum {
    CVM_TIMES_SIGMOID = 0,
    CVM_TIMES_SIGMOID_OF_NEGATION = 1,
    CVM_SIGMOID_PULLBACK = 2,
    CVM_TANH_PULLBACK = 3,
};

/// Arithmetic operation codes for `cvm_arith_*`: y = a ∘ b, correctly rounded (no contraction).
enum {
    CVM_ADD = 0,
    CVM_SUB = 1,
    CVM_MUL = 2,
    CVM_DIV = 3,
};

/// Instruction-set levels: 0 portable (not handled here), 1 AVX2 + FMA, 2 AVX-512F.
enum {
    CVM_ISA_NONE = 0,
    CVM_ISA_AVX2 = 1,
    CVM_ISA_AVX512 = 2,
};

int cvm_unary_f64(int op, const double *x, double *y, long n);
int cvm_unary_f32(int op, const float *x, float *y, long n);
int cvm_binary_f64(int op, const double *a, const double *b, double *y, long n);
int cvm_binary_f32(int op, const float *a, const float *b, float *y, long n);

int cvm_arith_f64(int op, const double *a, const double *b, double *y, long n);
int cvm_arith_f32(int op, const float *a, const float *b, float *y, long n);

/// y[i] = a[i·sa] ∘ b[i·sb] with strides sa, sb ∈ {0, 1}, not both 0 (0: that operand is one
/// scalar, broadcast), correctly rounded as `cvm_arith_*`.
int cvm_arith_strided_f64(int op, const double *a, long sa, const double *b, long sb, double *y, long n);
int cvm_arith_strided_f32(int op, const float *a, long sa, const float *b, long sb, float *y, long n);

/// The Euclidean norm of each row of the row-major rows × n array x (robust to overflow and
/// underflow of the squares, see Rows.c) into out[rows].
int cvm_row_norms_f64(const double *x, double *out, long rows, long n);
int cvm_row_norms_f32(const float *x, float *out, long rows, long n);

/// Each row of x scaled to norm `radius`: y = s·x, s = radius/‖x‖ stored in scale[rows].
int cvm_normalize_rows_f64(const double *x, double radius, double *y, double *scale, long rows, long n);
int cvm_normalize_rows_f32(const float *x, float radius, float *y, float *scale, long rows, long n);

/// The pullback of `cvm_normalize_rows_*` from its output y and scales: per row,
/// dx = s·(g − y⟨y, g⟩/radius²).
int cvm_normalize_rows_pullback_f64(const double *y, const double *g, const double *scale, double radius,
                                    double *dx, long rows, long n);
int cvm_normalize_rows_pullback_f32(const float *y, const float *g, const float *scale, float radius,
                                    float *dx, long rows, long n);

/// expRNN's modReLU in place on each row of the row-major rows × n array z, with one bias per
/// column: z ← sign(z)·max(|z| + bias, 0).
int cvm_modrelu_rows_f64(double *z, const double *bias, long rows, long n);
int cvm_modrelu_rows_f32(float *z, const float *bias, long rows, long n);

/// The pullback of `cvm_modrelu_rows_*` from its output y: dz = g where y ≠ 0, else 0;
/// bias_cotangent[j] += Σ_rows sign(y)·dz and, when column_sums is not NULL,
/// column_sums[j] += Σ_rows dz.
int cvm_modrelu_pullback_rows_f64(const double *y, const double *g, double *dz, double *bias_cotangent,
                                  double *column_sums, long rows, long n);
int cvm_modrelu_pullback_rows_f32(const float *y, const float *g, float *dz, float *bias_cotangent,
                                  float *column_sums, long rows, long n);

/// Σ p[i], pairwise over blocks of 128 summed in vector lanes; returns 0 in *handled when
/// no vector kernel applies (the caller sums itself).
double cvm_sum_f64(const double *p, long n, int *handled);
float cvm_sum_f32(const float *p, long n, int *handled);

/// The level the kernels run at now on the calling thread: the CPU's best, lowered by
/// `cvm_set_isa_limit`.
int cvm_isa(void);

/// The calling thread's cap on the level (CVM_ISA_AVX512 unless lowered).
int cvm_isa_limit(void);

/// Caps the level on the calling thread (for A/B measurements and for testing every path on
/// one machine); other threads keep theirs.
void cvm_set_isa_limit(int level);

#ifdef __cplusplus
}
#endif

#endif
