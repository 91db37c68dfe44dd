#!/usr/bin/env python3
"""Derives the polynomial of the vector tanh kernel in Sources/CVectorMath/VectorMath.c.

    /work/venv-bench/bin/python Scripts/coefficients/tanh.py [DOUBLE_DEGREE FLOAT_DEGREE]

(needs mpmath; degrees 10 and 4 by default, about 20 s; measured maxima 2^-56.4 and 2^-27.8).

For |x| < 0.625, tanh x = x + x^3 G(x^2); G is fitted on 0 <= s <= 0.625^2 by the weighted
minimax fit of vector_math.py (Lawson's algorithm, 40 digits), minimising the error relative
to tanh x (weight s^(3/2) / tanh(sqrt(s))). Above 0.625 the kernel uses 1 - 2/(e^(2|x|) + 1).
"""
import os
import sys

import mpmath as mp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vector_math import as_double, as_float, lawson, report  # noqa: E402

mp.mp.dps = 40


def main():
    smax = mp.mpf("0.625") ** 2 * mp.mpf("1.0001")
    g = lambda s: (mp.tanh(mp.sqrt(s)) - mp.sqrt(s)) / (s * mp.sqrt(s))
    w = lambda s: s * mp.sqrt(s) / mp.tanh(mp.sqrt(s))
    d, f = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (10, 4)
    report(f"Double tanh G (degree {d})", *lawson(g, d, w, mp.mpf("1e-30"), smax), as_double)
    report(f"Float tanh G (degree {f})", *lawson(g, f, w, mp.mpf("1e-30"), smax), as_float)


if __name__ == "__main__":
    main()
