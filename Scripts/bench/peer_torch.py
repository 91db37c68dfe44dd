#!/usr/bin/env python3
"""The PyTorch peer of `constrained-bench`: every suite, including `autodiff`.

    .venv-bench/bin/python Scripts/bench/peer_torch.py [--filter RE] [--quick] [--output F]

`make bench-peer-setup` creates `.venv-bench` with PyTorch (CPU). The thread count
(`torch.set_num_threads`) and the dtypes match `constrained-bench`. In the `autodiff` suite,
`forward` runs the function on an input that requires a gradient (so autograd records it) and
`forward+backward` also takes the gradient of the loss Σᵢ sum(outputᵢ ⊙ Wᵢ) with fixed random
Wᵢ, as `WorkloadBuilder.differentiable` does.
"""

import common

args = common.parse_args(__doc__)

import torch  # noqa: E402  (after parse_args has set the thread count)

torch.set_num_threads(args.threads)
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def generator(seed):
    return torch.Generator().manual_seed(seed)


class Suite:
    """Makes the workloads of one suite at one dtype and size."""

    def __init__(self, name, dtype, n):
        self.name, self.dtype, self.n = name, dtype, n
        self.torch_dtype = DTYPES[dtype]

    def forward(self, workload, prepare):
        def no_grad_prepare():
            body = prepare()

            def run():
                with torch.no_grad():
                    return body()
            return run
        return common.Workload(self.name, workload, self.dtype, self.n, "forward", no_grad_prepare)

    def differentiable(self, workload, make_input, f):
        """`forward` and `forward+backward` of `f` (returning a tuple of tensors)."""
        def prepare_forward():
            x = make_input().requires_grad_()
            return lambda: f(x)

        def prepare_backward():
            x = make_input().requires_grad_()
            with torch.no_grad():
                outputs = f(x)
            weights = [torch.randn(y.shape, generator=generator(100 + i), dtype=y.dtype)
                       for i, y in enumerate(outputs)]

            def run():
                loss = sum((y * w).sum() for y, w in zip(f(x), weights))
                return torch.autograd.grad(loss, x)
            return run
        return [common.Workload(self.name, workload, self.dtype, self.n, "forward", prepare_forward),
                common.Workload(self.name, workload, self.dtype, self.n, "forward+backward",
                                prepare_backward)]

    def matrix(self, seed=1, rows=None):
        return torch.randn(rows or self.n, self.n, generator=generator(seed), dtype=self.torch_dtype)

    def scaled(self, seed=1):
        return self.matrix(seed) / self.n ** 0.5

    def symmetric(self, seed=1):
        x = self.matrix(seed)
        return (x + x.T) / 2

    def skew(self, seed=1):
        x = self.matrix(seed)
        return (x - x.T) / self.n ** 0.5


def householder_tau(reflectors):
    """τⱼ = 2 / (1 + ‖A[j+1:, j]‖²): with the implicit unit diagonal each Hⱼ is orthogonal."""
    below = torch.tril(reflectors, -1)
    return 2 / (1 + (below * below).sum(0))


def linalg(dtype, n):
    s = Suite("linalg", dtype, n)
    return [
        s.forward("gemm", lambda: (lambda a, b: lambda: a @ b)(s.matrix(1), s.matrix(2))),
        s.forward("matrix_exp", lambda: (lambda a: lambda: torch.linalg.matrix_exp(a))(s.scaled())),
        s.forward("solve", lambda: (lambda a, b: lambda: torch.linalg.solve(a, b))(s.matrix(1), s.matrix(2))),
        s.forward("qr", lambda: (lambda a: lambda: torch.linalg.qr(a))(s.matrix())),
        s.forward("eigh", lambda: (lambda a: lambda: torch.linalg.eigh(a))(s.symmetric())),
        s.forward("svd", lambda: (lambda a: lambda: torch.linalg.svd(a, full_matrices=False))(s.matrix())),
    ]


def elementwise(dtype, n):
    s = Suite("elementwise", dtype, n)
    x = lambda seed: 0.5 + torch.rand(n, generator=generator(seed), dtype=s.torch_dtype)  # noqa: E731
    unary = lambda f: lambda: (lambda a: lambda: f(a))(x(1))  # noqa: E731
    binary = lambda f: lambda: (lambda a, b: lambda: f(a, b))(x(1), x(2))  # noqa: E731
    return [
        s.forward("add", binary(torch.add)),
        s.forward("mul", binary(torch.mul)),
        s.forward("exp", unary(torch.exp)),
        s.forward("log", unary(torch.log)),
        s.forward("tanh", unary(torch.tanh)),
        s.forward("sigmoid", unary(torch.sigmoid)),
        s.forward("softplus", unary(torch.nn.functional.softplus)),
        s.forward("sum", unary(torch.sum)),
    ]


def autodiff(dtype, n):
    s = Suite("autodiff", dtype, n)
    b = s.matrix(2)
    eye = torch.eye(n, dtype=s.torch_dtype)
    tall_tau = householder_tau(s.matrix(rows=4 * n))
    square_tau = householder_tau(s.matrix())
    return [
        *s.differentiable("gemm", s.matrix, lambda a: (a @ b,)),
        *s.differentiable("matrix_exp", s.scaled, lambda a: (torch.linalg.matrix_exp(a),)),
        *s.differentiable("cayley", s.skew, lambda a: (torch.linalg.solve(eye - a / 2, eye + a / 2),)),
        *s.differentiable("householder_product", s.matrix,
                          lambda a: (torch.linalg.householder_product(a, square_tau),)),
        *s.differentiable("householder_product_tall", lambda: s.matrix(rows=4 * n),
                          lambda a: (torch.linalg.householder_product(a, tall_tau),)),
        *s.differentiable("qr", s.matrix, lambda a: tuple(torch.linalg.qr(a))),
        *s.differentiable("eigh", s.symmetric, lambda a: tuple(torch.linalg.eigh(a))),
        *s.differentiable("svd", s.matrix, lambda a: tuple(torch.linalg.svd(a, full_matrices=False))),
    ]


def tape(dtype):
    """One recorded 128 × 190 op, and op + sum + gradient (see TapeWorkloads.swift)."""
    batch, hidden = 128, 190
    torch_dtype = DTYPES[dtype]
    a = torch.randn(batch, hidden, generator=generator(1), dtype=torch_dtype)
    b = torch.randn(batch, hidden, generator=generator(2), dtype=torch_dtype)
    w = torch.randn(hidden, hidden, generator=generator(3), dtype=torch_dtype) / hidden ** 0.5
    ops = [("add", b, lambda x, y: x + y), ("mul", b, lambda x, y: x * y),
           ("tanh", b, lambda x, y: torch.tanh(x)), ("matmul", w, lambda x, y: x @ y)]
    workloads = []
    for name, other, f in ops:
        unary = name == "tanh"

        def inputs(other=other, unary=unary):
            x = a.clone().requires_grad_()
            y = other.clone() if unary else other.clone().requires_grad_()
            return x, y

        def prepare_forward(f=f, inputs=inputs):
            x, y = inputs()
            return lambda: f(x, y)

        def prepare_backward(f=f, inputs=inputs, unary=unary):
            x, y = inputs()
            wrt = (x,) if unary else (x, y)
            return lambda: torch.autograd.grad(f(x, y).sum(), wrt)
        workloads += [common.Workload("tape", name, dtype, batch, "forward", prepare_forward),
                      common.Workload("tape", name, dtype, batch, "forward+backward", prepare_backward)]
    return workloads


matrix_sizes, gradient_sizes = common.sizes(args)
workloads = []
for n in matrix_sizes:
    workloads += linalg("float32", n) + linalg("float64", n)
workloads += elementwise("float32", common.ELEMENTS) + elementwise("float64", common.ELEMENTS)
for n in gradient_sizes:
    workloads += autodiff("float64", n)
workloads += tape("float32") + tape("float64")

config = torch.__config__.show()
blas = next((part.split("=", 1)[1] for part in config.replace(",", "\n").split()
             if part.startswith("BLAS_INFO=")), "unknown")
common.run("torch", {"torch": torch.__version__, "blas": blas,
                     "intra_op_threads": torch.get_num_threads()}, workloads, args)
