// Inline vector cores for the fused kernels: eˣ and ln(1 + e) on 0 ≤ e ≤ 1.
//
// SLEEF's functions are out-of-line calls: a composite such as σ(x) = 1/(1 + e^−x) then pays a
// call, spills of its live vectors, and cannot overlap the exponential of one vector with the
// divide of the previous one. These cores are `static inline`, so each composite below is one
// straight loop body the compiler schedules as a whole (PyTorch fuses the same way).
//
// eˣ (`NAME##_expi`): n = round(x / ln 2), r = x − n ln 2 with ln 2 split hi + lo (the first
// FMA is exact: x and n·hi are multiples of one ulp and r is small), |r| ≤ ln 2 / 2; e^r by its
// Taylor polynomial of degree 13 (Double; truncation < 4·10⁻¹⁸) or 7 (Float; < 5.2·10⁻⁹),
// Horner with FMA; then 2ⁿ, one multiply, except in a vector where some n is below the normal
// range: there 2ⁿ is applied as 2^⌊n/2⌋ · 2^(n − ⌊n/2⌋), so that results down to the
// subnormals (x ≥ −745 / −104) are scaled without underflow of either factor. x is clamped
// below at LO (NaN passes); every caller passes x ≤ 40, so there is no upper clamp (the two
// clamps and the split scaling cost 12 % of σ; measured). Not exposed alone: it is measured through
// σ, tanh and softplus (ElementwiseKernelsTests, ≤ 1.5 ulp including their own roundings).
//
// ln(1 + e) for 0 ≤ e ≤ 1 (`NAME##_log1p_unit`), as fdlibm's log1p on this range: u = 1 + e
// rounded, c = e − (u − 1) its exact error; u = 2ᵏ m with m ∈ [1/√2, √2), f = m − 1 exact,
// s = f/(2 + f), ln m = f − (f²/2 − s(f²/2 + R(s²))) with fdlibm's minimax R; the result is
// k ln 2 + ln m + c/m. Within 1 ulp (fdlibm's bound); measured through softplus and log σ.
#ifndef CVECTORMATH_FUSEDMATH_H
#define CVECTORMATH_FUSEDMATH_H

#define FMA(a, b, c) __builtin_elementwise_fma(a, b, c)

// e^r on |r| ≤ ln 2 / 2: 1 + r(1 + r(1/2 + r(1/6 + …))).
#define EXP_TAYLOR_DOUBLE(V, r)                                                                    \
    ({                                                                                             \
        V p_ = (V){0} + 1.0 / 6227020800.0;                                                        \
        p_ = FMA(p_, r, (V){0} + 1.0 / 479001600.0);                                               \
        p_ = FMA(p_, r, (V){0} + 1.0 / 39916800.0);                                                \
        p_ = FMA(p_, r, (V){0} + 1.0 / 3628800.0);                                                 \
        p_ = FMA(p_, r, (V){0} + 1.0 / 362880.0);                                                  \
        p_ = FMA(p_, r, (V){0} + 1.0 / 40320.0);                                                   \
        p_ = FMA(p_, r, (V){0} + 1.0 / 5040.0);                                                    \
        p_ = FMA(p_, r, (V){0} + 1.0 / 720.0);                                                     \
        p_ = FMA(p_, r, (V){0} + 1.0 / 120.0);                                                     \
        p_ = FMA(p_, r, (V){0} + 1.0 / 24.0);                                                      \
        p_ = FMA(p_, r, (V){0} + 1.0 / 6.0);                                                       \
        p_ = FMA(p_, r, (V){0} + 0.5);                                                             \
        p_ = FMA(p_, r, (V){0} + 1.0);                                                             \
        FMA(p_, r, (V){0} + 1.0);                                                                  \
    })
#define EXP_TAYLOR_FLOAT(V, r)                                                                     \
    ({                                                                                             \
        V p_ = (V){0} + 1.0f / 5040.0f;                                                            \
        p_ = FMA(p_, r, (V){0} + 1.0f / 720.0f);                                                   \
        p_ = FMA(p_, r, (V){0} + 1.0f / 120.0f);                                                   \
        p_ = FMA(p_, r, (V){0} + 1.0f / 24.0f);                                                    \
        p_ = FMA(p_, r, (V){0} + 1.0f / 6.0f);                                                     \
        p_ = FMA(p_, r, (V){0} + 0.5f);                                                            \
        p_ = FMA(p_, r, (V){0} + 1.0f);                                                            \
        FMA(p_, r, (V){0} + 1.0f);                                                                 \
    })

// fdlibm's R(z) / z for ln m (e_log.c Lg1…Lg7, e_logf.c Lg1…Lg4), by Horner.
#define LOG_R_DOUBLE(V, z)                                                                         \
    ({                                                                                             \
        V q_ = (V){0} + 1.479819860511658591e-01;                                                  \
        q_ = FMA(q_, z, (V){0} + 1.531383769920937332e-01);                                        \
        q_ = FMA(q_, z, (V){0} + 1.818357216161805012e-01);                                        \
        q_ = FMA(q_, z, (V){0} + 2.222219843214978396e-01);                                        \
        q_ = FMA(q_, z, (V){0} + 2.857142874366239149e-01);                                        \
        q_ = FMA(q_, z, (V){0} + 3.999999999940941908e-01);                                        \
        FMA(q_, z, (V){0} + 6.666666666666735130e-01);                                             \
    })
#define LOG_R_FLOAT(V, z)                                                                          \
    ({                                                                                             \
        V q_ = (V){0} + 0xf89e26.0p-26f;                                                           \
        q_ = FMA(q_, z, (V){0} + 0x91e9ee.0p-25f);                                                 \
        q_ = FMA(q_, z, (V){0} + 0xccce13.0p-25f);                                                 \
        FMA(q_, z, (V){0} + 0xaaaaaa.0p-24f);                                                      \
    })

// NAME##_expi and NAME##_log1p_unit for vector V (T lanes), integer vector M of the same size.
// MAGIC = 1.5·2^MANT: t = x/ln 2 + MAGIC rounds to an integer held in t's low bits.
#define DEFINE_FUSED(NAME, TARGET, T, V, M, MANT, BIAS, LN2HI, LN2LO, LO, EXPPOLY, LOGR)          \
    __attribute__((target(TARGET))) static inline V NAME##_expi(V x) {                            \
        const T magic = (T)1.5 * (T)(1LL << MANT);                                                 \
        x = NAME##_select(x < ((V){0} + (LO)), (V){0} + (LO), x);                                  \
        V t = FMA(x, (V){0} + (T)1.4426950408889634, (V){0} + magic);                              \
        V n = t - magic;                                                                           \
        V r = FMA(n, (V){0} - (LN2HI), x);                                                         \
        r = FMA(n, (V){0} - (LN2LO), r);                                                           \
        V p = EXPPOLY(V, r);                                                                       \
        M k = (M)t - (M)((V){0} + magic);                                                          \
        if (__builtin_reduce_or(k < ((M){0} + (1 - (BIAS))))) { /* a result below 2^−126/−1022 */  \
            M k1 = k >> 1, k2 = k - k1;                                                            \
            V s1 = (V)((k1 + (BIAS)) << (MANT)), s2 = (V)((k2 + (BIAS)) << (MANT));                \
            return (p * s1) * s2;                                                                  \
        }                                                                                          \
        return p * (V)((k + (BIAS)) << (MANT));                                                    \
    }                                                                                              \
    /* eˣ for 0 ≤ x ≤ 64 (NaN passes): as NAME##_expi without its clamp and its split scaling, \
       which such arguments never need (2ⁿ with 0 ≤ n ≤ 93 is a normal number in both types). */ \
    __attribute__((target(TARGET))) static inline V NAME##_expi_nonnegative(V x) {                \
        const T magic = (T)1.5 * (T)(1LL << MANT);                                                 \
        V t = FMA(x, (V){0} + (T)1.4426950408889634, (V){0} + magic);                              \
        V n = t - magic;                                                                           \
        V r = FMA(n, (V){0} - (LN2HI), x);                                                         \
        r = FMA(n, (V){0} - (LN2LO), r);                                                           \
        V p = EXPPOLY(V, r);                                                                       \
        M k = (M)t - (M)((V){0} + magic);                                                          \
        return p * (V)((k + (BIAS)) << (MANT));                                                    \
    }                                                                                              \
    /* num/(d + err) for |err| ≤ ulp(d): q = num·(1/d), then one Newton step on the residual    \
       num − q(d + err) (FMA), so the rounding of 1 + e is divided out with one divide. (A      \
       hardware reciprocal estimate plus Newton steps instead measured no faster here.) */       \
    __attribute__((target(TARGET))) static inline V NAME##_quotient(V num, V d, V err) {          \
        V r = ((V){0} + 1) / d;                                                                    \
        V q = num * r;                                                                             \
        V residual = FMA((V){0} - q, d, num) - q * err;                                            \
        return FMA(residual, r, q);                                                                \
    }                                                                                              \
    __attribute__((target(TARGET))) static inline V NAME##_log1p_unit(V e) {                      \
        V one = (V){0} + 1;                                                                        \
        V u = one + e;                                                                             \
        V c = e - (u - one); /* exact: 1 ≥ e */                                                    \
        M big = u > ((V){0} + (T)1.41421356237309504880);                                          \
        V half = (V){0} + (T)0.5;                                                                  \
        V m = NAME##_select(big, u * half, u);                                                     \
        V cm = NAME##_select(big, c * half, c) / m;                                                \
        V k = NAME##_select(big, one, (V){0});                                                     \
        V f = m - one;                                                                             \
        V s = f / (f + 2);                                                                         \
        V z = s * s;                                                                               \
        V hfsq = half * f * f;                                                                     \
        V R = z * LOGR(V, z);                                                                      \
        return k * (LN2HI) - ((hfsq - (s * (hfsq + R) + (k * (LN2LO) + cm))) - f);                 \
    }

#endif
