#!/usr/bin/env python3
"""The geoopt peer of the `riemannian` suite (Sources/ConstrainedBenchmarks/Workloads/RiemannianWorkloads.swift).

    .venv-bench/bin/python Scripts/bench/peer_geoopt.py [--filter RE] [--quick] [--output F]

Same command line, timing rule and JSON lines as the other peers (`common.py`). Each workload
is one `RiemannianAdam.step()` (geoopt 0.5.1, float64) on a `ManifoldParameter` whose `.grad`
is a fixed normal matrix: `radam-stiefel` on a 256 x 64 `EuclideanStiefel` point (the metric
and QR retraction ours uses), `radam-spd` on a 64 x 64 `SymmetricPositiveDefinite` point
(affine-invariant metric; gradient scaled by 0.01), both with lr 1e-3.
"""

import common

args = common.parse_args(__doc__)

import re  # noqa: E402

import geoopt  # noqa: E402
import torch  # noqa: E402  (after parse_args has set the thread count)

torch.set_num_threads(args.threads)
torch.set_default_dtype(torch.float64)
SUITE = "riemannian"
IMPL = "geoopt"


def adam_step(name, n, manifold, shape, scale):
    def prepare():
        torch.manual_seed(1)
        point = geoopt.ManifoldParameter(manifold.random(*shape), manifold=manifold)
        grad = torch.randn(*shape) * scale
        optimizer = geoopt.optim.RiemannianAdam([point], lr=1e-3)

        def body():
            point.grad = grad.clone()
            optimizer.step()
        return body

    return common.Workload(SUITE, name, "float64", n, "train-step", prepare)


def workloads():
    return [adam_step("radam-stiefel", 256, geoopt.EuclideanStiefel(), (256, 64), 1.0),
            adam_step("radam-spd", 64, geoopt.SymmetricPositiveDefinite(), (64, 64), 0.01)]


def main():
    selected = workloads()
    if args.filter:
        selected = [w for w in selected if re.search(args.filter, w.key)]
    common.run(IMPL, {"torch": torch.__version__, "geoopt": geoopt.__version__,
                      "intra_op_threads": torch.get_num_threads()}, selected, args)


main()
