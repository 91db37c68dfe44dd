// Branch-free Double elementary functions that the loop vectoriser can widen.
//
// Each function is a straight line of IEEE arithmetic, integer operations on the bit pattern
// and selects (`c ? a : b`), with no calls and no branches, so a loop `out[i] = exp(x[i])`
// compiles to SIMD code. Special values are handled by clamping and selects, not branches.
// Only SSE2 operations are used (the default x86-64 target): rounding to an integer is the
// "magic number" trick (adding 1.5·2⁵² rounds to nearest and leaves the integer in the low
// bits), powers of two are built in the exponent field, and no fused multiply–add is assumed.
//
// Accuracy (measured against Float80 references over 2²⁰ points, see
// `VectorMathAccuracyTests`): exp ≤ 1.0 ulp, expm1 ≤ 1.13, log ≤ 0.81, log1p ≤ 0.78; the
// composites built on them (VectorMath.swift) ≤ 1.83. Polynomial coefficients come from
// `Scripts/coefficients/vector_math.py`.
//
// Speed (10⁶ elements, SSE2 two lanes, this machine): exp 5.2 ms, log 5.5 ms, about the C
// library's scalar calls (NumPy's float64 exp/log on AVX2 are those calls); tanh, sigmoid,
// softplus, expm1, log1p 1.4–2.3× faster than NumPy, which composes them.

extension VectorMath {
    // MARK: Constants

    /// log₂e, rounded.
    static var log2eD: Double { 0x1.71547652b82fep+0 }
    /// ln 2 = ln2HiD + ln2LoD; ln2HiD has 42 significant bits, so `n · ln2HiD` is exact for
    /// |n| < 2¹¹ and the reduction `x − n · ln2HiD` is exact (Sterbenz).
    static var ln2HiD: Double { 0x1.62e42fefa38p-1 }
    static var ln2LoD: Double { 0x1.ef35793c7673p-45 }
    /// 1.5 · 2⁵²: `(y + magic) − magic` rounds `y` to the nearest integer (|y| < 2⁵¹), and the
    /// bit pattern of `y + magic` holds that integer in its low bits.
    static var roundingMagicD: Double { 0x1.8p52 }

    // MARK: Building blocks

    /// 2ⁿ for an integral `n` in [−1022, 1023], built in the exponent field.
    @inline(__always)
    static func pow2(_ n: Double) -> Double {
        Double(bitPattern: ((n + roundingMagicD).bitPattern &+ 1023) &<< 52)
    }

    /// expm1(r) − r for |r| ≤ ln2/2 (slightly more is fine): r²/2 + r³·Q(r), Q the degree-9
    /// minimax fit of the relative error of expm1 (2^−61.7). Callers add r themselves.
    @inline(__always)
    static func expm1Tail(_ r: Double) -> Double {
        var q = 0x1.1ef561a0553cfp-29
        q = q * r + 0x1.af5d30735ce6ap-26
        q = q * r + 0x1.27e52b0aafe89p-22
        q = q * r + 0x1.71ddf94b1a08bp-19
        q = q * r + 0x1.a01a018312708p-16
        q = q * r + 0x1.a01a01af78dd7p-13
        q = q * r + 0x1.6c16c16c1ccc8p-10
        q = q * r + 0x1.111111110f7e5p-7
        q = q * r + 0x1.5555555555549p-5
        q = q * r + 0x1.5555555555559p-3
        let r2 = r * r
        return 0.5 * r2 + r2 * r * q
    }

    /// eʳ − 1 − r for |r| ≤ ln2/2, accurate relative to eʳ (not to eʳ − 1): r²/2 + r³·P(r), P the
    /// degree-8 minimax fit of the error relative to eʳ (2^−57.4), one term shorter than
    /// ``expm1Tail(_:)-(Double)``.
    @inline(__always)
    static func expTail(_ r: Double) -> Double {
        var q = 0x1.ad200eec907e8p-26
        q = q * r + 0x1.289f8c7086104p-22
        q = q * r + 0x1.71df5548d240ap-19
        q = q * r + 0x1.a019ab2b8ab50p-16
        q = q * r + 0x1.a01a011c1e9abp-13
        q = q * r + 0x1.6c16c17cc3bffp-10
        q = q * r + 0x1.111111112888bp-7
        q = q * r + 0x1.5555555553205p-5
        q = q * r + 0x1.5555555555501p-3
        let r2 = r * r
        return 0.5 * r2 + r2 * r * q
    }

    /// Splits `x` (already clamped to |x| < 2¹⁰·ln2·1.1) as `x = n·ln2 + r + c`, |r| ≲ ln2/2,
    /// with `n` integral and `c` the rounding error of `r` (|c| ≤ ½ ulp of r).
    ///
    /// `x − n·ln2Hi` is exact (Sterbenz, and `n·ln2Hi` is exact); subtracting `n·ln2Lo` rounds
    /// once, and that error is recovered exactly since `t − r` is exact.
    @inline(__always)
    static func reduce(_ x: Double) -> (n: Double, r: Double, c: Double) {
        let n = (x * log2eD + roundingMagicD) - roundingMagicD
        let t = x - n * ln2HiD
        let nLo = n * ln2LoD
        let r = t - nLo
        return (n, r, (t - r) - nLo)
    }

    // MARK: exp, expm1

    /// eˣ, within 1 ulp, for every Double (overflow to +∞ above 709.78, gradual underflow to
    /// subnormals and 0 below −708.4, NaN propagates).
    ///
    /// `x = n·ln2 + r`, `eˣ = 2ⁿ·(1 + expm1(r))`. The power of two is applied in two factors
    /// `2ⁿ¹·2ⁿ²` (n₁ clamped to ±1000) so that results near overflow and in the subnormal range
    /// are rounded once, by the last multiplication, instead of overflowing the exponent field.
    @inline(__always)
    static func exp(_ x: Double) -> Double {
        var x = x
        x = x < -746 ? -746 : x   // e^−746 < 2^−1075: rounds to 0. NaN fails both tests.
        x = x > 710 ? 710 : x     // e^710 > Double.greatestFiniteMagnitude
        let (n, r, c) = reduce(x)
        var n1 = n < -1000 ? -1000 : n
        n1 = n1 > 1000 ? 1000 : n1
        let n2 = n - n1           // in [−76, 25]
        return ((1 + (r + (expTail(r) + c))) * pow2(n1)) * pow2(n2)
    }

    /// eˣ − 1, within 1 ulp, accurate for tiny |x| (no cancellation).
    ///
    /// With `x = n·ln2 + r + c` and `p = expm1(r + c) ≈ r + (r²/2 + r³Q(r) + c)`:
    /// `eˣ − 1 = (2ⁿ − 1) + 2ⁿ·r + 2ⁿ·(p − r)`. The two large terms are added with their
    /// rounding error recovered (TwoSum), so the only errors left are the final rounding and
    /// those of the small part: about ½ ulp, where the plain `2ⁿ·p + (2ⁿ − 1)` reached 1.9 ulp
    /// for n = 1 (p ≈ −0.29 cancels against 1). `2ⁿ − 1` and `2ⁿ·r` are exact for the
    /// n ≥ −58 left after clamping x ≥ −40, below which the result rounds to −1.
    @inline(__always)
    static func expm1(_ x: Double) -> Double {
        var x = x
        x = x < -40 ? -40 : x
        x = x > 710 ? 710 : x
        let (n, r, c) = reduce(x)
        let tail = expm1Tail(r) + c     // r²/2 + r³Q(r) + c, r and c exact
        let n1 = n > 1000 ? 1000 : n
        let s = pow2(n1)
        let a = s - 1, b = s * r
        let head = a + b
        let bb = head - a
        let headError = (a - (head - bb)) + (b - bb)
        return (head + (headError + s * tail)) * pow2(n - n1)
    }

    // MARK: log, log1p

    /// ln x for positive finite x (normal or subnormal); other inputs give garbage that
    /// ``log(_:)-(Double)`` replaces by the IEEE special values.
    ///
    /// `correction` is added to the small terms before the final sums (log1p passes the
    /// rounding error of 1 + x there).
    @inline(__always)
    static func logCore(_ x: Double, plus correction: Double = 0) -> Double {
        // Subnormals are scaled into the normal range first.
        let isSubnormal = x < 0x1p-1022
        let xs = isSubnormal ? x * 0x1p52 : x
        // x = 2ᵏ·m with m in [√½, √2): adding (1.0 − √½)'s bit offset carries into the
        // exponent exactly when the significand is ≥ √2.
        let ix = xs.bitPattern
        let biasedK = (ix &+ (0x3ff0_0000_0000_0000 &- 0x3fe6_a09e_667f_3bcd)) &>> 52
        let m = Double(bitPattern: ix &- (biasedK &<< 52) &+ 0x3ff0_0000_0000_0000)
        // k as a Double without an Int64 conversion: 2⁵² + biasedK, minus 2⁵² + 1023.
        var k = Double(bitPattern: 0x4330_0000_0000_0000 | biasedK) - (0x1p52 + 1023)
        k = isSubnormal ? k - 52 : k
        // log(m) = log(1 + f) = 2·atanh(s), s = f/(2 + f), |s| ≤ 0.1716:
        // log(1 + f) = f − f²/2 + s·(f²/2 + R), R = s²·T(s²) (degree-6 minimax, 2^−58.5),
        // arranged so that the large terms f and k·ln2Hi are added last, each exactly.
        let f = m - 1
        let s = f / (2 + f)
        let z = s * s
        var t = 0x1.2f0713744ffdcp-3
        t = t * z + 0x1.39a191bf9b801p-3
        t = t * z + 0x1.7466406b86a67p-3
        t = t * z + 0x1.c71c52025f217p-3
        t = t * z + 0x1.24924941f9462p-2
        t = t * z + 0x1.999999997fd2dp-2
        t = t * z + 0x1.5555555555592p-1
        let r = z * t
        let hfsq = 0.5 * f * f
        return k * ln2HiD + (f - (hfsq - (s * (hfsq + r) + (k * ln2LoD + correction))))
    }

    /// Natural logarithm, within 1 ulp: −∞ at ±0, NaN below 0, +∞ at +∞, subnormals handled.
    @inline(__always)
    static func log(_ x: Double) -> Double {
        var y = logCore(x)
        y = x == .infinity ? .infinity : y
        y = x == 0 ? -.infinity : y
        return x >= 0 ? y : .nan      // x < 0 or NaN
    }

    /// ln(1 + x), within 1 ulp, accurate for tiny |x|.
    ///
    /// `w = 1 ⊕ x` loses the low bits of x; `c = (1 + x) − w` is recovered exactly (Fast2Sum,
    /// larger operand first) and `ln(1 + x) = ln(w) + ln(1 + c/w) ≈ ln(w) + c/w`, the neglected
    /// term being below (c/w)² ≤ 2⁻¹⁰⁶. c/w joins the small terms inside ``logCore(_:plus:)``
    /// so that it costs no extra rounding.
    @inline(__always)
    static func log1p(_ x: Double) -> Double {
        let w = 1 + x
        let c = x > 1 ? 1 - (w - x) : x - (w - 1)
        var y = logCore(w, plus: c / w)
        y = x == .infinity ? .infinity : y
        y = x == -1 ? -.infinity : y
        return x >= -1 ? y : .nan     // x < −1 or NaN
    }
}

#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

extension VectorMath {
    /// `y[i] = √x[i]` (or `1/√x[i]`), correctly rounded.
    ///
    /// On Linux, `Double.squareRoot()` keeps C's errno semantics (a `sqrtsd`, then a call to
    /// `sqrt` for negative inputs), which the vectoriser cannot widen; on x86-64 the SSE2
    /// `sqrtpd` is called directly instead (2.7 → 1.4 ms for 10⁶ elements).
    @inline(__always)
    static func squareRoot(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int,
                           reciprocal: Bool) {
        var i = 0
        #if arch(x86_64)
        let one = _mm_set1_pd(1)
        if reciprocal {
            while i + 2 <= n { _mm_storeu_pd(y + i, _mm_div_pd(one, _mm_sqrt_pd(_mm_loadu_pd(x + i)))); i += 2 }
        } else {
            while i + 2 <= n { _mm_storeu_pd(y + i, _mm_sqrt_pd(_mm_loadu_pd(x + i))); i += 2 }
        }
        #endif
        while i < n { y[i] = reciprocal ? 1 / x[i].squareRoot() : x[i].squareRoot(); i += 1 }
    }
}

extension VectorMath {
    /// The largest (or, with `smallest`, the smallest) of `count ≥ 1` contiguous scalars; NaN
    /// if any is NaN.
    ///
    /// A select-based `max` reduction does not vectorise without fast-math, and a single
    /// scalar accumulator is latency-bound (0.6 ms for 10⁶); four SSE2 accumulators with a
    /// separate NaN mask run at memory speed (0.17 ms).
    @usableFromInline
    static func extremum(_ p: UnsafePointer<Double>, count n: Int, smallest: Bool) -> Double {
        var i = 0
        var m = p[0]
        var sawNaN = false
        #if arch(x86_64)
        if n >= 8 {
            var m0 = _mm_set1_pd(p[0]), m1 = m0, m2 = m0, m3 = m0
            var u0 = _mm_setzero_pd(), u1 = u0
            if smallest {
                while i + 8 <= n {
                    let v0 = _mm_loadu_pd(p + i), v1 = _mm_loadu_pd(p + i + 2)
                    let v2 = _mm_loadu_pd(p + i + 4), v3 = _mm_loadu_pd(p + i + 6)
                    m0 = _mm_min_pd(v0, m0); m1 = _mm_min_pd(v1, m1); m2 = _mm_min_pd(v2, m2); m3 = _mm_min_pd(v3, m3)
                    u0 = _mm_or_pd(u0, _mm_or_pd(_mm_cmpunord_pd(v0, v0), _mm_cmpunord_pd(v1, v1)))
                    u1 = _mm_or_pd(u1, _mm_or_pd(_mm_cmpunord_pd(v2, v2), _mm_cmpunord_pd(v3, v3)))
                    i += 8
                }
                m0 = _mm_min_pd(_mm_min_pd(m0, m1), _mm_min_pd(m2, m3))
                m = m0[0] < m0[1] ? m0[0] : m0[1]
            } else {
                while i + 8 <= n {
                    let v0 = _mm_loadu_pd(p + i), v1 = _mm_loadu_pd(p + i + 2)
                    let v2 = _mm_loadu_pd(p + i + 4), v3 = _mm_loadu_pd(p + i + 6)
                    m0 = _mm_max_pd(v0, m0); m1 = _mm_max_pd(v1, m1); m2 = _mm_max_pd(v2, m2); m3 = _mm_max_pd(v3, m3)
                    u0 = _mm_or_pd(u0, _mm_or_pd(_mm_cmpunord_pd(v0, v0), _mm_cmpunord_pd(v1, v1)))
                    u1 = _mm_or_pd(u1, _mm_or_pd(_mm_cmpunord_pd(v2, v2), _mm_cmpunord_pd(v3, v3)))
                    i += 8
                }
                m0 = _mm_max_pd(_mm_max_pd(m0, m1), _mm_max_pd(m2, m3))
                m = m0[0] > m0[1] ? m0[0] : m0[1]
            }
            sawNaN = _mm_movemask_pd(_mm_or_pd(u0, u1)) != 0
        }
        #endif
        while i < n {
            let v = p[i]
            m = smallest ? (v < m ? v : m) : (v > m ? v : m)
            sawNaN = sawNaN || v.isNaN
            i += 1
        }
        return sawNaN ? .nan : m
    }
}
