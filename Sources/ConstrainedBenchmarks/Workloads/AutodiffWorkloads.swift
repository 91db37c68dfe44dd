import Constrained

/// The `autodiff` suite: differentiable matrix functions recorded on a `GradientTape`,
/// forward and forward+backward (issue 3). Peer: PyTorch autograd.
func autodiffWorkloads<Scalar: TensorScalar>(_: Scalar.Type, n: Int) -> [Workload] {
    let w = WorkloadBuilder<Scalar>(suite: "autodiff", n: n)
    let b = w.randomMatrix(seed: 2)
    return [
        w.differentiable("gemm", input: { w.randomMatrix() }) { a in [matmul(a, b)] },
    ].flatMap { $0 }
}
