#!/usr/bin/env python3
"""Derives the polynomial coefficients of LinAlg's vectorisable exp/expm1/log kernels.

    python3 Scripts/coefficients/vector_math.py      (about 30 s; needs mpmath)

Prints each coefficient as a hexadecimal literal, rounded to the target type, ready to paste
into `Sources/LinAlg/Kernels/VectorMath+Double.swift` / `VectorMath+Float.swift`.

Method: a weighted minimax fit by Lawson's algorithm (iteratively reweighted least squares on
Chebyshev nodes), in 40-digit arithmetic. Two approximations:

* expm1 on the reduced interval |r| <= ln2/2 (with a 1e-4 margin for the rounding of the
  reduction): expm1(r) = r + r^2/2 + r^3 Q(r); Q is fitted, minimising the *relative* error of
  expm1 (weight r^3 / expm1(r)). The first two terms stay exact.
* exp on the same interval, same form, minimising the error relative to exp(r) (weight
  r^3 / exp(r)): exp needs no accuracy relative to the small expm1(r), so Q is one degree
  shorter.
* log(1 + f) for f = m - 1, m in [sqrt(1/2), sqrt(2)): with s = f / (2 + f) and z = s^2,
  log(1 + f) = 2 atanh(s) = 2s + s z T(z); T is fitted on 0 <= z <= 0.171573^2 (the largest
  |s|, with a margin), minimising the error relative to log (weight z).
"""
import struct

import mpmath as mp

mp.mp.dps = 40


def lawson(f, degree, weight, a, b, npts=300, iters=25):
    """Coefficients c_0..c_degree of the weighted minimax polynomial fit of f on [a, b]."""
    xs = [(a + b) / 2 + (b - a) / 2 * mp.cos(mp.pi * (i + mp.mpf(1) / 2) / npts) for i in range(npts)]
    fx = [f(x) for x in xs]
    wx = [weight(x) for x in xs]
    w = [mp.mpf(1) / npts] * npts
    m = degree + 1
    for _ in range(iters):
        A = mp.matrix(m, m)
        rhs = mp.matrix(m, 1)
        for x, y, wt0, wi in zip(xs, fx, wx, w):
            wt = wt0 ** 2 * wi
            powers = [x ** j for j in range(m)]
            for i in range(m):
                rhs[i] += wt * powers[i] * y
                for j in range(m):
                    A[i, j] += wt * powers[i] * powers[j]
        c = mp.lu_solve(A, rhs)
        errs = [abs(wt0 * (y - sum(c[j] * x ** j for j in range(m)))) for x, y, wt0 in zip(xs, fx, wx)]
        total = sum(wi * e for wi, e in zip(w, errs))
        w = [wi * e / total for wi, e in zip(w, errs)]
    return [c[j] for j in range(m)], max(errs)


def as_double(x):
    return float(x).hex()


def as_float(x):
    f = struct.unpack("f", struct.pack("f", float(x)))[0]
    return f.hex()


def report(name, coeffs, err, to_hex):
    print(f"{name}: max weighted error 2^{float(mp.log(err, 2)):.1f}")
    for j, c in enumerate(coeffs):
        print(f"  c{j} = {to_hex(c)}   // {mp.nstr(c, 20)}")


def main():
    L = mp.log(2) / 2 * mp.mpf("1.0001")
    q = lambda r: (mp.expm1(r) - r - r * r / 2) / r ** 3
    wq = lambda r: r ** 3 / mp.expm1(r)
    zmax = (mp.mpf("0.171573") * mp.mpf("1.0001")) ** 2
    t = lambda z: (2 * mp.atanh(mp.sqrt(z)) - 2 * mp.sqrt(z)) / (mp.sqrt(z) * z)
    wt = lambda z: z
    report("Double expm1 Q (degree 9)", *lawson(q, 9, wq, -L, L), as_double)
    we = lambda r: r ** 3 / mp.exp(r)
    report("Double exp Q (degree 8)", *lawson(q, 8, we, -L, L), as_double)
    report("Double log T (degree 6)", *lawson(t, 6, wt, mp.mpf(0), zmax), as_double)
    report("Float expm1 Q (degree 4)", *lawson(q, 4, wq, -L, L), as_float)
    report("Float exp Q (degree 3)", *lawson(q, 3, we, -L, L), as_float)
    report("Float log T (degree 2)", *lawson(t, 2, wt, mp.mpf(0), zmax), as_float)
    ln2 = mp.log(2)
    # ln2 split so that n * hi is exact for |n| < 2^11 (Double) / 2^8 (Float).
    hi_d = mp.mpf(int(ln2 * 2 ** 42)) / 2 ** 42
    hi_f = mp.mpf(int(ln2 * 2 ** 16)) / 2 ** 16
    print("Double ln2Hi =", as_double(hi_d), " ln2Lo =", as_double(ln2 - hi_d))
    print("Float ln2Hi =", as_float(hi_f), " ln2Lo =", as_float(ln2 - hi_f))
    print("Double log2e =", as_double(1 / ln2), " Float log2e =", as_float(1 / ln2))


if __name__ == "__main__":
    main()
