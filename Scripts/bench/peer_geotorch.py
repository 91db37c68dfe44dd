#!/usr/bin/env python3
"""The geotorch peer of the `manifolds` suite (Sources/ConstrainedBenchmarks/Workloads/ManifoldWorkloads.swift).

    .venv-bench/bin/python Scripts/bench/peer_geotorch.py [--filter RE] [--quick] [--output F]

Same command line, timing rule and JSON lines as the other peers (`common.py`). Each set is
registered with geotorch on an `nn.Linear` weight of the same shape as ours (`orthogonal`
square and tall, `sphere`, `grassmannian`, `low_rank`, `fixed_rank`, `almost_orthogonal`,
`invertible`, `sln`, `positive_definite`, `positive_semidefinite` and its `_low_rank` /
`_fixed_rank` forms at rank n/4, `hurwitz` = `alpha_stable` with its default α = 1e-3), the original moved off its origin by a 1/√n-scaled normal
perturbation, and every timed read runs inside `parametrize.cached()` (geotorch's fast path):
`forward` reads the weight once, `forward+backward` also differentiates `sum(Y ⊙ W)`.

`hurwitz` has no geotorch line at n = 256: geotorch's right inverse solves its Lyapunov equation
through the n² × n² Kronecker sum, and tries to allocate 34 GB there (ours: Bartels–Stewart, O(n³)).
`stiefel-register-step` (30,000 × 50) has no geotorch line: geotorch's `orthogonal` allocates
a 30,000² matrix (7.2 GB) there.
"""

import common

args = common.parse_args(__doc__)

import os  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402

import geotorch  # noqa: E402
import torch  # noqa: E402  (after parse_args has set the thread count)
from torch import nn  # noqa: E402
from torch.nn.utils import parametrize  # noqa: E402

torch.set_num_threads(args.threads)
torch.set_default_dtype(torch.float64)
SUITE = "manifolds"
IMPL = "geotorch"


def layer_with(constraint, rows, columns, seed):
    torch.manual_seed(seed)
    layer = nn.Linear(columns, rows, bias=False)
    constraint(layer, "weight")
    with torch.no_grad():
        for original in layer.parametrizations.weight.parameters():
            original.add_(torch.randn(original.shape) * rows ** -0.5)
    return layer


def set_workloads(name, constraint, rows, columns, n):
    def forward():
        layer = layer_with(constraint, rows, columns, 3)

        def body():
            with parametrize.cached():
                return layer.weight
        return body

    def backward():
        layer = layer_with(constraint, rows, columns, 3)
        w = torch.randn(rows, columns)

        def body():
            layer.zero_grad(set_to_none=True)
            with parametrize.cached():
                (layer.weight * w).sum().backward()
        return body

    return [common.Workload(SUITE, name, "float64", n, "forward", forward),
            common.Workload(SUITE, name, "float64", n, "forward+backward", backward)]


def workloads():
    sizes = [64] if args.quick else [64, 256]
    all = []
    for n in sizes:
        all += set_workloads("orthogonal", geotorch.orthogonal, n, n, n)
        all += set_workloads("stiefel-tall", geotorch.orthogonal, n, n // 4, n)
        all += set_workloads("sphere", lambda m, t: geotorch.sphere(m, t, embedded=True), n, n, n)
        all += set_workloads("grassmannian", geotorch.grassmannian, n, n // 4, n)
        all += set_workloads("low_rank", lambda m, t: geotorch.low_rank(m, t, n // 4), n, n, n)
        all += set_workloads("fixed_rank", lambda m, t: geotorch.fixed_rank(m, t, n // 4), n, n, n)
        all += set_workloads("almost_orthogonal", lambda m, t: geotorch.almost_orthogonal(m, t, lam=0.5), n, n, n)
        all += set_workloads("invertible", geotorch.invertible, n, n, n)
        all += set_workloads("sln", geotorch.sln, n, n, n)
        all += set_workloads("positive_definite", geotorch.positive_definite, n, n, n)
        all += set_workloads("positive_semidefinite", geotorch.positive_semidefinite, n, n, n)
        all += set_workloads("positive_semidefinite_low_rank",
                             lambda m, t: geotorch.positive_semidefinite_low_rank(m, t, n // 4), n, n, n)
        all += set_workloads("positive_semidefinite_fixed_rank",
                             lambda m, t: geotorch.positive_semidefinite_fixed_rank(m, t, n // 4), n, n, n)
        if n <= 64:   # see the module's documentation: n = 256 would allocate 34 GB
            all += set_workloads("hurwitz", lambda m, t: geotorch.alpha_stable(m, t, alpha=1e-3), n, n, n)
    return all


def main():
    selected = workloads()
    if args.filter:
        selected = [w for w in selected if re.search(args.filter, w.key)]
    common.run(IMPL, {"torch": torch.__version__, "geotorch": getattr(geotorch, "__version__", "0.4.0"),
                      "intra_op_threads": torch.get_num_threads()}, selected, args)


main()
