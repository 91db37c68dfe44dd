import Constrained

/// The `linalg` suite: BLAS and LAPACK-backed operations on n×n matrices, forward only
/// (issue 2). Peers: `numpy.linalg` / `scipy.linalg`, `torch.linalg`.
func linalgWorkloads<Scalar: TensorScalar>(_: Scalar.Type, n: Int) -> [Workload] {
    let w = WorkloadBuilder<Scalar>(suite: "linalg", n: n)
    return [
        w.forward("gemm") { let a = w.randomMatrix(seed: 1), b = w.randomMatrix(seed: 2); return { matmul(a, b) } },
    ]
}
