// Branch-free Float elementary functions that the loop vectoriser can widen (four lanes with
// SSE2). Same algorithms as `VectorMath+Double.swift`, with shorter polynomials and the Float
// exponent layout; all arithmetic stays in Float. Accuracy (against Float80 references, see
// `VectorMathAccuracyTests`): exp ≤ 1.0 ulp, expm1 ≤ 1.02, log ≤ 0.81, log1p ≤ 0.76, the
// composites ≤ 1.76.

extension VectorMath {
    // MARK: Constants

    static var log2eF: Float { 0x1.715476p+0 }
    /// ln 2 = ln2HiF + ln2LoF; ln2HiF has 16 significant bits, so `n · ln2HiF` is exact for
    /// the |n| ≤ 150 that occur.
    static var ln2HiF: Float { 0x1.62e4p-1 }
    static var ln2LoF: Float { 0x1.7f7d1cp-20 }
    /// 1.5 · 2²³: rounds to an integer, which lands in the low bits of the pattern.
    static var roundingMagicF: Float { 0x1.8p23 }

    // MARK: Building blocks

    /// 2ⁿ for an integral `n` in [−126, 127].
    @inline(__always)
    static func pow2(_ n: Float) -> Float {
        Float(bitPattern: ((n + roundingMagicF).bitPattern &+ 127) &<< 23)
    }

    /// expm1(r) − r for |r| ≲ ln2/2: r²/2 + r³·Q(r), Q the degree-4 minimax fit (2^−31.3).
    @inline(__always)
    static func expm1Tail(_ r: Float) -> Float {
        var q: Float = 0x1.9fbde8p-13
        q = q * r + 0x1.6d407ep-10
        q = q * r + 0x1.1111cap-7
        q = q * r + 0x1.5554f2p-5
        q = q * r + 0x1.555554p-3
        let r2 = r * r
        return 0.5 * r2 + r2 * r * q
    }

    /// eʳ − 1 − r for |r| ≲ ln2/2, accurate relative to eʳ: r²/2 + r³·P(r), P of degree 3
    /// (minimax relative to eʳ, 2^−28.0).
    @inline(__always)
    static func expTail(_ r: Float) -> Float {
        var q: Float = 0x1.6b6e76p-10
        q = q * r + 0x1.122f8ep-7
        q = q * r + 0x1.555688p-5
        q = q * r + 0x1.5554a4p-3
        let r2 = r * r
        return 0.5 * r2 + r2 * r * q
    }

    /// `x = n·ln2 + r + c` with n integral, |r| ≲ ln2/2 and c the rounding error of r.
    @inline(__always)
    static func reduce(_ x: Float) -> (n: Float, r: Float, c: Float) {
        let n = (x * log2eF + roundingMagicF) - roundingMagicF
        let t = x - n * ln2HiF
        let nLo = n * ln2LoF
        let r = t - nLo
        return (n, r, (t - r) - nLo)
    }

    // MARK: exp, expm1

    /// eˣ for every Float: +∞ above 88.72, subnormals and 0 below −87.3, NaN propagates.
    /// The scale is applied as two powers of two (see the Double version).
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        var x = x
        x = x < -104 ? -104 : x
        x = x > 89 ? 89 : x
        let (n, r, _) = reduce(x)     // r's rounding error moves eʳ by < 0.2 ulp: not worth an add
        var n1 = n < -100 ? -100 : n
        n1 = n1 > 100 ? 100 : n1
        return ((1 + (r + expTail(r))) * pow2(n1)) * pow2(n - n1)
    }

    /// eˣ − 1, accurate for tiny |x|: `(2ⁿ − 1) + 2ⁿ·r` summed with its rounding error
    /// recovered, plus `2ⁿ·(r²/2 + r³Q(r) + c)` (see the Double version).
    @inline(__always)
    static func expm1(_ x: Float) -> Float {
        var x = x
        x = x < -20 ? -20 : x     // e^−20 is below half an ulp of 1: the result rounds to −1
        x = x > 89 ? 89 : x
        let (n, r, c) = reduce(x)
        let tail = expm1Tail(r) + c
        let n1 = n > 100 ? 100 : n
        let s = pow2(n1)
        let a = s - 1, b = s * r
        let head = a + b
        let bb = head - a
        let headError = (a - (head - bb)) + (b - bb)
        return (head + (headError + s * tail)) * pow2(n - n1)
    }

    // MARK: log, log1p

    /// ln x for positive finite x; other inputs give garbage that the callers replace.
    /// `correction` joins the small terms (see the Double version).
    @inline(__always)
    static func logCore(_ x: Float, plus correction: Float = 0) -> Float {
        let isSubnormal = x < 0x1p-126
        let xs = isSubnormal ? x * 0x1p23 : x
        // x = 2ᵏ·m, m in [√½, √2) (see the Double version).
        let ix = xs.bitPattern
        let biasedK = (ix &+ (0x3f80_0000 &- 0x3f35_04f3)) &>> 23
        let m = Float(bitPattern: ix &- (biasedK &<< 23) &+ 0x3f80_0000)
        var k = Float(Int32(bitPattern: biasedK) &- 127)
        k = isSubnormal ? k - 23 : k
        // log(1 + f) = f − f²/2 + s·(f²/2 + R), s = f/(2 + f), R = s²·T(s²), T of degree 2
        // (minimax, 2^−29.2).
        let f = m - 1
        let s = f / (2 + f)
        let z = s * s
        var t: Float = 0x1.31e3b6p-2
        t = t * z + 0x1.995eb4p-2
        t = t * z + 0x1.55557ap-1
        let r = z * t
        let hfsq = 0.5 * f * f
        return k * ln2HiF + (f - (hfsq - (s * (hfsq + r) + (k * ln2LoF + correction))))
    }

    /// Natural logarithm: −∞ at ±0, NaN below 0, +∞ at +∞, subnormals handled.
    @inline(__always)
    static func log(_ x: Float) -> Float {
        var y = logCore(x)
        y = x == .infinity ? .infinity : y
        y = x == 0 ? -.infinity : y
        return x >= 0 ? y : .nan
    }

    /// ln(1 + x), accurate for tiny |x| (the rounding error of 1 + x is added back as c/w).
    @inline(__always)
    static func log1p(_ x: Float) -> Float {
        let w = 1 + x
        let c = x > 1 ? 1 - (w - x) : x - (w - 1)
        var y = logCore(w, plus: c / w)
        y = x == .infinity ? .infinity : y
        y = x == -1 ? -.infinity : y
        return x >= -1 ? y : .nan
    }
}

#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

extension VectorMath {
    /// `y[i] = √x[i]` (or `1/√x[i]`), correctly rounded, with SSE `sqrtps` on x86-64 (see the
    /// Double version for why `squareRoot()` does not vectorise on Linux).
    @inline(__always)
    static func squareRoot(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int,
                           reciprocal: Bool) {
        var i = 0
        #if arch(x86_64)
        let one = _mm_set1_ps(1)
        if reciprocal {
            while i + 4 <= n { _mm_storeu_ps(y + i, _mm_div_ps(one, _mm_sqrt_ps(_mm_loadu_ps(x + i)))); i += 4 }
        } else {
            while i + 4 <= n { _mm_storeu_ps(y + i, _mm_sqrt_ps(_mm_loadu_ps(x + i))); i += 4 }
        }
        #endif
        while i < n { y[i] = reciprocal ? 1 / x[i].squareRoot() : x[i].squareRoot(); i += 1 }
    }
}

extension VectorMath {
    /// The largest (or smallest) of `count ≥ 1` contiguous scalars; NaN if any is NaN (see
    /// the Double version).
    @usableFromInline
    static func extremum(_ p: UnsafePointer<Float>, count n: Int, smallest: Bool) -> Float {
        var i = 0
        var m = p[0]
        var sawNaN = false
        #if arch(x86_64)
        if n >= 16 {
            var m0 = _mm_set1_ps(p[0]), m1 = m0, m2 = m0, m3 = m0
            var u0 = _mm_setzero_ps(), u1 = u0
            if smallest {
                while i + 16 <= n {
                    let v0 = _mm_loadu_ps(p + i), v1 = _mm_loadu_ps(p + i + 4)
                    let v2 = _mm_loadu_ps(p + i + 8), v3 = _mm_loadu_ps(p + i + 12)
                    m0 = _mm_min_ps(v0, m0); m1 = _mm_min_ps(v1, m1); m2 = _mm_min_ps(v2, m2); m3 = _mm_min_ps(v3, m3)
                    u0 = _mm_or_ps(u0, _mm_or_ps(_mm_cmpunord_ps(v0, v0), _mm_cmpunord_ps(v1, v1)))
                    u1 = _mm_or_ps(u1, _mm_or_ps(_mm_cmpunord_ps(v2, v2), _mm_cmpunord_ps(v3, v3)))
                    i += 16
                }
                m0 = _mm_min_ps(_mm_min_ps(m0, m1), _mm_min_ps(m2, m3))
                for lane in 0..<4 where m0[lane] < m { m = m0[lane] }
            } else {
                while i + 16 <= n {
                    let v0 = _mm_loadu_ps(p + i), v1 = _mm_loadu_ps(p + i + 4)
                    let v2 = _mm_loadu_ps(p + i + 8), v3 = _mm_loadu_ps(p + i + 12)
                    m0 = _mm_max_ps(v0, m0); m1 = _mm_max_ps(v1, m1); m2 = _mm_max_ps(v2, m2); m3 = _mm_max_ps(v3, m3)
                    u0 = _mm_or_ps(u0, _mm_or_ps(_mm_cmpunord_ps(v0, v0), _mm_cmpunord_ps(v1, v1)))
                    u1 = _mm_or_ps(u1, _mm_or_ps(_mm_cmpunord_ps(v2, v2), _mm_cmpunord_ps(v3, v3)))
                    i += 16
                }
                m0 = _mm_max_ps(_mm_max_ps(m0, m1), _mm_max_ps(m2, m3))
                for lane in 0..<4 where m0[lane] > m { m = m0[lane] }
            }
            sawNaN = _mm_movemask_ps(_mm_or_ps(u0, u1)) != 0
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
