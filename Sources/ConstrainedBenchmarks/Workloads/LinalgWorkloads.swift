import Constrained

/// The `linalg` suite: BLAS and LAPACK-backed operations on n×n matrices, forward only
/// (issue 2). Peers: `numpy.linalg` / `scipy.linalg`, `torch.linalg`.
func linalgWorkloads<Scalar: TensorScalar>(_: Scalar.Type, n: Int) -> [Workload] {
    let w = WorkloadBuilder<Scalar>(suite: "linalg", n: n)
    return [
        w.forward("gemm") { let a = w.randomMatrix(seed: 1), b = w.randomMatrix(seed: 2); return { matmul(a, b) } },
        w.forward("matrix_exp") { let a = w.scaledMatrix(); return { try matrixExp(a) } },
        w.forward("solve") { let a = w.randomMatrix(seed: 1), b = w.randomMatrix(seed: 2); return { try solve(a, b) } },
        w.forward("qr") { let a = w.randomMatrix(); return { try qr(a) } },
        w.forward("eigh") { let a = w.symmetricMatrix(); return { try eigh(a) } },
        w.forward("svd") { let a = w.randomMatrix(); return { try svd(a) } },
    ]
}
