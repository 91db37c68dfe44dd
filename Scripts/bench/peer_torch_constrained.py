#!/usr/bin/env python3
"""The PyTorch peer of the `constrained` suite (Sources/ConstrainedBenchmarks/Workloads/ConstrainedWorkloads.swift).

    .venv-bench/bin/python Scripts/bench/peer_torch_constrained.py [--filter RE] [--quick] [--output F]

Same command line, timing rule and JSON lines as the other peers (`common.py`). Constrained
weights use `torch.nn.utils.parametrize` (`parametrizations.orthogonal`, `spectral_norm`,
`weight_norm`). Two implementations are reported:

- `torch`: the idiomatic fast path. For the recurrent models and the cached read, the forward
  pass runs inside `parametrize.cached()` (the user action PyTorch needs to compute the
  recurrent weight once per step instead of once per time step); a `Linear` reads its weight
  once per step, so there plain use is already the fast path.
- `torch-uncached`: the recurrent models (T ≤ 200) without `parametrize.cached()` (every
  read of the weight recomputes the parametrization).

Workload names, sizes and losses match the Swift suite; see its documentation for the list.
"""

import common

args = common.parse_args(__doc__)

import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402

import torch  # noqa: E402  (after parse_args has set the thread count)
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn.utils import parametrize, parametrizations  # noqa: E402

torch.set_num_threads(args.threads)
torch.set_default_dtype(torch.float64)
SUITE = "constrained"


class Workload(common.Workload):
    """A workload of this suite; `impl` is `torch` or `torch-uncached`, and `prepare` may
    return (body, cleanup) when the body needs a context left open across repetitions."""

    def __init__(self, name, n, phase, prepare, impl="torch", dtype="float64"):
        super().__init__(SUITE, name, dtype, n, phase, prepare)
        self.impl = impl


def generator(seed):
    return torch.Generator().manual_seed(seed)


class RecurrentClassifier(nn.Module):
    """RNN cell (x W_inᵀ + h W_recᵀ + b, then tanh or modReLU) with an orthogonal W_rec
    (matrix-exp map, dynamic trivialisation, PyTorch's default), unrolled over time; a linear
    readout. Initialised as ours: uniform(±1/√hidden), modReLU bias uniform(±0.01)."""

    def __init__(self, input_size, hidden, classes, modrelu):
        super().__init__()
        bound = hidden ** -0.5
        self.w_in = nn.Parameter(torch.empty(hidden, input_size).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(hidden).uniform_(-bound, bound))
        self.rec = nn.Linear(hidden, hidden, bias=False)
        parametrizations.orthogonal(self.rec, orthogonal_map="matrix_exp")
        self.modrelu_bias = nn.Parameter(torch.empty(hidden).uniform_(-0.01, 0.01)) if modrelu else None
        self.readout = nn.Linear(hidden, classes)
        self.hidden = hidden

    def unrolled(self, xs):
        h = xs.new_zeros(xs.shape[1], self.hidden)
        states = []
        for x in xs:
            # Reading self.rec.weight at every step, as an RNN cell does: inside
            # parametrize.cached() this is one matrix exponential per training step, outside it
            # one per time step.
            z = torch.addmm(self.bias, x, self.w_in.T) + h @ self.rec.weight.T
            if self.modrelu_bias is None:
                h = torch.tanh(z)
            else:
                h = torch.sign(z) * torch.relu(z.abs() + self.modrelu_bias)
            states.append(h)
        return torch.stack(states), h


class SequenceClassifier(nn.Module):
    """`nn.RNN` (tanh) with the orthogonal parametrization (matrix-exp map) on `weight_hh_l0`
    and a linear readout: PyTorch's sequence-level equivalent of `cell.unrolled(over:)`.
    `nn.RNN` initialises all its weights uniform(±1/√hidden), as ours."""

    def __init__(self, input_size, hidden, classes):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden, nonlinearity="tanh")
        parametrizations.orthogonal(self.rnn, "weight_hh_l0", orthogonal_map="matrix_exp")
        self.readout = nn.Linear(hidden, classes)

    def unrolled(self, xs):
        outputs, last = self.rnn(xs)
        return outputs, last[0]


def train_step(model, optimizer, loss_fn, cached):
    def body():
        optimizer.zero_grad()
        if cached:
            with parametrize.cached():
                loss = loss_fn(model)
        else:
            loss = loss_fn(model)
        loss.backward()
        optimizer.step()
        return loss
    return body


DTYPES = {"float32": torch.float32, "float64": torch.float64}


def rnn(steps, cached, dtype="float64", sequence=False):
    """The user-written loop over the cell, or (`sequence`) `nn.RNN`."""
    batch, input_size, hidden, classes = 128, 10, 190, 10

    def prepare():
        torch.manual_seed(1)
        if sequence:
            model = SequenceClassifier(input_size, hidden, classes).to(DTYPES[dtype])
        else:
            model = RecurrentClassifier(input_size, hidden, classes, modrelu=False).to(DTYPES[dtype])
        xs = torch.randn(steps, batch, input_size, generator=generator(3)).to(DTYPES[dtype])
        labels = torch.arange(batch) % classes
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
        return train_step(model, optimizer,
                          lambda m: F.cross_entropy(m.readout(m.unrolled(xs)[1]), labels), cached)
    return Workload(f"rnn-{'sequence-' if sequence else ''}orthogonal-h{hidden}", steps, "train-step", prepare,
                    "torch" if cached else "torch-uncached", dtype)


def copy_task(delay, cached, dtype="float64", sequence=False):
    """The copy task as the Swift suite builds it: ten digits 1…8, `delay` blanks with the
    marker 9 at the tenth-last, ten blanks; outputs blank (0) then the digits. `nn.RNN` has no
    modReLU, so the loop over the cell is PyTorch's best for the `sequence` row too."""
    batch, hidden, symbols, classes = 128, 190, 10, 9
    steps = delay + 20

    def prepare():
        torch.manual_seed(1)
        model = RecurrentClassifier(symbols, hidden, classes, modrelu=True).to(DTYPES[dtype])
        digits = torch.randint(1, 9, (10, batch), generator=generator(4))
        inputs = torch.zeros(steps, batch, dtype=torch.long)
        labels = torch.zeros(steps, batch, dtype=torch.long)
        inputs[:10] = digits
        labels[-10:] = digits
        inputs[steps - 11] = 9
        xs = F.one_hot(inputs, symbols).to(DTYPES[dtype])
        flat_labels = labels.reshape(-1)
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)

        def loss(m):
            states = m.unrolled(xs)[0].reshape(steps * batch, hidden)
            return F.cross_entropy(m.readout(states), flat_labels)
        return train_step(model, optimizer, loss, cached)
    return Workload(f"copy-task-{'sequence-' if sequence else ''}h{hidden}", steps, "train-step", prepare,
                    "torch" if cached else "torch-uncached", dtype)


def linear(name, constrain, dtype="float64"):
    batch, n = 64, 256

    def prepare():
        torch.manual_seed(1)
        layer = constrain(nn.Linear(n, n)).to(DTYPES[dtype])
        x = torch.randn(batch, n, generator=generator(2)).to(DTYPES[dtype])
        y = torch.randn(batch, n, generator=generator(3)).to(DTYPES[dtype])
        optimizer = torch.optim.SGD(layer.parameters(), lr=1e-3)
        return train_step(layer, optimizer, lambda l: F.mse_loss(l(x), y), cached=False)
    return Workload(name, n, "train-step", prepare, dtype=dtype)


def cached_read():
    """1000 reads of the weight inside one open `parametrize.cached()` context."""
    def prepare():
        torch.manual_seed(1)
        layer = parametrizations.orthogonal(nn.Linear(256, 256), orthogonal_map="matrix_exp")
        context = parametrize.cached()
        context.__enter__()
        layer.weight  # noqa: B018  (fills the cache)

        def body():
            for _ in range(1000):
                layer.weight  # noqa: B018
        return body, lambda: context.__exit__(None, None, None)
    return Workload("cached-read-orthogonal-x1000", 256, "forward", prepare)


def differentiable(name, n, make_input, f):
    """`forward` and `forward+backward` of `f`, as peer_torch.py's autodiff suite: the loss is
    sum(f(x) ⊙ W) with a fixed random W."""
    def prepare_forward():
        x = make_input().requires_grad_()
        return lambda: f(x)

    def prepare_backward():
        x = make_input().requires_grad_()
        with torch.no_grad():
            y = f(x)
        w = torch.randn(y.shape, generator=generator(100))

        def run():
            return torch.autograd.grad((f(x) * w).sum(), x)
        return run
    return [Workload(f"param-{name}", n, "forward", prepare_forward),
            Workload(f"param-{name}", n, "forward+backward", prepare_backward)]


def parametrization_workloads(n):
    def scaled():
        return torch.randn(n, n, generator=generator(1)) / n ** 0.5

    def registered(register):
        """The parametrization module PyTorch registers on an n×n weight."""
        layer = register(nn.Linear(n, n, bias=False))
        module = layer.parametrizations.weight[0]
        module.train()
        return module

    eye = torch.eye(n)

    def skew(x):
        upper = x.triu(1)
        return upper - upper.T

    def positive_definite(x):
        lower = x.tril(-1) + torch.diag(F.softplus(x.diagonal()))
        return lower @ lower.T + 1e-5 * eye

    v0 = scaled()
    g = v0.norm(dim=1, keepdim=True)
    out = []
    out += differentiable("skew", n, scaled, skew)
    out += differentiable("skew_cayley", n, scaled, lambda x: torch.linalg.solve(eye - skew(x), eye + skew(x)))
    out += differentiable("skew_matrix_exp", n, scaled, lambda x: torch.linalg.matrix_exp(skew(x)))
    for m in ["matrix_exp", "cayley", "householder"]:
        module = registered(lambda l, m=m: parametrizations.orthogonal(l, orthogonal_map=m))
        out += differentiable(f"orthogonal-{m}", n, scaled, module)
    out += differentiable("spectral_norm", n, scaled, registered(parametrizations.spectral_norm))
    out += differentiable("weight_norm", n, scaled, lambda v: torch._weight_norm(v, g, 0))
    out += differentiable("positive_softplus", n, scaled, F.softplus)
    out += differentiable("positive_definite", n, scaled, positive_definite)
    return out


def workloads():
    out = []
    for t in [20] if args.quick else [200, 1000]:
        # Uncached, T = 1000 runs 1000 matrix exponentials and their gradients per step
        # (minutes on a loaded machine); T = 200 shows the same per-time-step cost.
        out += [rnn(t, cached=True)] + ([rnn(t, cached=False)] if t <= 200 else [])
        out.append(rnn(t, cached=True, dtype="float32"))
        out += [rnn(t, cached=True, sequence=True), rnn(t, cached=True, dtype="float32", sequence=True)]
    delay = 10 if args.quick else 100
    out += [copy_task(delay, cached=True), copy_task(delay, cached=False),
            copy_task(delay, cached=True, dtype="float32")]
    out += [copy_task(delay, cached=True, sequence=True),
            copy_task(delay, cached=True, dtype="float32", sequence=True)]
    for dtype in ["float64", "float32"]:
        for m in ["matrix_exp", "cayley", "householder"]:
            out.append(linear(f"linear-orthogonal-{m}",
                              lambda l, m=m: parametrizations.orthogonal(l, orthogonal_map=m), dtype))
        out.append(linear("linear-spectral_norm", parametrizations.spectral_norm, dtype))
        out.append(linear("linear-weight_norm", parametrizations.weight_norm, dtype))
    # Uncached, each read is one parametrization forward (`param-orthogonal-matrix_exp`).
    out.append(cached_read())
    for n in [64] if args.quick else [64, 256, 512]:
        out += parametrization_workloads(n)
    return out


def main():
    pattern = re.compile(args.filter) if args.filter else None
    selected = [w for w in workloads() if pattern is None or pattern.search(w.key)]
    if args.list:
        for w in selected:
            print(f"{w.key} ({w.impl})")
        return
    policy = common.QUICK_POLICY if args.quick else common.Policy()
    out = open(args.output, "w") if args.output else None
    if args.peak_memory:
        # Measured as constrained-bench --peak-memory does: one run after the preparation,
        # inside parametrize.cached() (the `torch` workload of the key).
        selected = [w for w in selected if w.impl == "torch"]
        if len(selected) != 1:
            raise SystemExit(f"--peak-memory measures one workload; --filter selected {len(selected)}")
        w = selected[0]
        prepared = w.prepare()
        body, cleanup = prepared if isinstance(prepared, tuple) else (prepared, None)
        before = common.peak_resident_bytes()
        try:
            body()
        finally:
            if cleanup:
                cleanup()
        line = {"suite": w.suite, "workload": w.name, "dtype": w.dtype, "n": w.n, "phase": w.phase,
                "peak_rss_delta_bytes": common.peak_resident_bytes() - before,
                "threads": args.threads, "impl": w.impl}
        print(json.dumps(line, separators=(",", ":")), flush=True)
        if out:
            out.write(json.dumps(line, separators=(",", ":")) + "\n")
            out.close()
        return

    def emit(obj):
        line = json.dumps(obj, separators=(",", ":"))
        print(line, flush=True)
        if out:
            out.write(line + "\n")
            out.flush()

    config = torch.__config__.show()
    blas = next((part.split("=", 1)[1] for part in config.replace(",", "\n").split()
                 if part.startswith("BLAS_INFO=")), "unknown")
    for impl in sorted({w.impl for w in selected}):
        emit({"meta": {"impl": impl, "threads": args.threads, "min_time_s": policy.min_time,
                       "max_time_s": policy.max_time, "min_reps": policy.min_reps,
                       "max_reps": policy.max_reps, "load_average": round(os.getloadavg()[0], 2),
                       "python": sys.version.split()[0], "torch": torch.__version__, "blas": blas,
                       "intra_op_threads": torch.get_num_threads()}})
    for w in selected:
        prepared = w.prepare()
        body, cleanup = prepared if isinstance(prepared, tuple) else (prepared, None)
        try:
            median, minimum, reps = common.measure(body, policy)
        finally:
            if cleanup:
                cleanup()
        emit({"suite": w.suite, "workload": w.name, "dtype": w.dtype, "n": w.n, "phase": w.phase,
              "median_s": float(f"{median:.6g}"), "min_s": float(f"{minimum:.6g}"), "reps": reps,
              "threads": args.threads, "impl": w.impl})
    if out:
        out.close()


main()
