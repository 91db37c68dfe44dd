// Elementwise kernels on SLEEF's vector functions, chosen at run time for the CPU.
//
// Each entry point computes y[i] = f(x[i]) (or f(a[i], b[i])) for i < n and returns 1, or
// returns 0 without touching y when this CPU has neither AVX-512F nor AVX2 + FMA (or the ISA
// limit forbids both), so that the caller runs its own portable loop. x and y may be the
// same buffer. Accuracy: SLEEF's u10 functions (≤ 1.0 ulp); the composites (tanh, sigmoid,
// softplus, log-sigmoid) stay within 2 ulp (see VectorMath.c).
#ifndef CVECTORMATH_H
#define CVECTORMATH_H

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
};

/// Binary operation codes: g·σ(x), g·σ(−x).
enum {
    CVM_TIMES_SIGMOID = 0,
    CVM_TIMES_SIGMOID_OF_NEGATION = 1,
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

/// Σ p[i], pairwise over blocks of 128 summed in vector lanes; returns 0 in *handled when
/// no vector kernel applies (the caller sums itself).
double cvm_sum_f64(const double *p, long n, int *handled);
float cvm_sum_f32(const float *p, long n, int *handled);

/// The level the kernels run at now: the CPU's best, lowered by `cvm_set_isa_limit`.
int cvm_isa(void);

/// Caps the level (for A/B measurements and for testing every path on one machine).
void cvm_set_isa_limit(int level);

#ifdef __cplusplus
}
#endif

#endif
