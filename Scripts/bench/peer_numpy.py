#!/usr/bin/env python3
"""The NumPy/SciPy peer of `constrained-bench`: the `linalg` and `elementwise` suites.

    OPENBLAS_NUM_THREADS=2 python3 Scripts/bench/peer_numpy.py [--filter RE] [--quick] [--output F]

Each workload is the call a NumPy/SciPy user would write for the operation, with the same
name, dtype and size as in `Sources/ConstrainedBenchmarks/Workloads/`. NumPy has no automatic
differentiation, so the `autodiff` suite is PyTorch's alone (`peer_torch.py`).
"""

import common

args = common.parse_args(__doc__)

import numpy as np  # noqa: E402  (after parse_args has set the thread count)
import scipy  # noqa: E402
import scipy.linalg  # noqa: E402
import scipy.special  # noqa: E402


def suite(name, dtype, n):
    """A helper: `forward(workload, prepare)` makes a workload of this suite, dtype and size."""
    def forward(workload, prepare):
        return common.Workload(name, workload, dtype, n, "forward", prepare)
    return forward


def linalg(dtype, n):
    forward = suite("linalg", dtype, n)
    rng = lambda seed: np.random.default_rng(seed)  # noqa: E731
    matrix = lambda seed=1: rng(seed).standard_normal((n, n)).astype(dtype)  # noqa: E731
    scaled = lambda: matrix() / np.sqrt(n).astype(dtype)  # noqa: E731
    symmetric = lambda: ((matrix() + matrix().T) / 2).astype(dtype)  # noqa: E731
    return [
        forward("gemm", lambda: (lambda a, b: lambda: a @ b)(matrix(1), matrix(2))),
        forward("matrix_exp", lambda: (lambda a: lambda: scipy.linalg.expm(a))(scaled())),
        forward("solve", lambda: (lambda a, b: lambda: np.linalg.solve(a, b))(matrix(1), matrix(2))),
        forward("qr", lambda: (lambda a: lambda: np.linalg.qr(a))(matrix())),
        forward("eigh", lambda: (lambda a: lambda: np.linalg.eigh(a))(symmetric())),
        forward("svd", lambda: (lambda a: lambda: np.linalg.svd(a, full_matrices=False))(matrix())),
    ]


def elementwise(dtype, n):
    forward = suite("elementwise", dtype, n)
    # Inputs in (0.5, 1.5), as in ElementwiseWorkloads.swift.
    x = lambda seed: np.random.default_rng(seed).uniform(0.5, 1.5, n).astype(dtype)  # noqa: E731
    unary = lambda f: lambda: (lambda a: lambda: f(a))(x(1))  # noqa: E731
    binary = lambda f: lambda: (lambda a, b: lambda: f(a, b))(x(1), x(2))  # noqa: E731
    return [
        forward("add", binary(np.add)),
        forward("mul", binary(np.multiply)),
        forward("exp", unary(np.exp)),
        forward("log", unary(np.log)),
        forward("tanh", unary(np.tanh)),
        forward("sigmoid", unary(scipy.special.expit)),
        forward("softplus", unary(lambda a: np.logaddexp(0, a))),
        forward("sum", unary(np.sum)),
    ]


matrix_sizes, _ = common.sizes(args)
workloads = []
for n in matrix_sizes:
    workloads += linalg("float32", n) + linalg("float64", n)
workloads += elementwise("float32", common.ELEMENTS) + elementwise("float64", common.ELEMENTS)

blas = [{"library": lib, "config": config, "threads": threads}
        for lib, config, threads in common.openblas_libraries()]
common.run("numpy", {"numpy": np.__version__, "scipy": scipy.__version__, "blas": blas},
           workloads, args)
