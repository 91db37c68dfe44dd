import Constrained

/// The `elementwise` suite: one pass over `n` contiguous elements, forward only (issue 2's
/// target: within 1.5× NumPy at n = 10⁶). Peers: NumPy ufuncs, PyTorch.
func elementwiseWorkloads<Scalar: TensorScalar>(_: Scalar.Type, n: Int) -> [Workload] {
    let w = WorkloadBuilder<Scalar>(suite: "elementwise", n: n)
    // Inputs in (0.5, 1.5): log is defined and exp, tanh, softplus stay in their usual range.
    let x = { (seed: UInt64) in Tensor<Scalar>.randomUniform([n], from: 0.5, to: 1.5, seed: seed) }
    return [
        w.forward("add") { let a = x(1), b = x(2); return { a + b } },
        w.forward("mul") { let a = x(1), b = x(2); return { a * b } },
        w.forward("exp") { let a = x(1); return { exp(a) } },
        w.forward("log") { let a = x(1); return { log(a) } },
        w.forward("tanh") { let a = x(1); return { tanh(a) } },
        w.forward("sigmoid") { let a = x(1); return { sigmoid(a) } },
        w.forward("softplus") { let a = x(1); return { softplus(a) } },
        w.forward("sum") { let a = x(1); return { a.sum() } },
    ]
}
