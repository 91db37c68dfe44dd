import Constrained

/// The `autodiff` suite: differentiable matrix functions recorded on a `GradientTape`,
/// forward and forward+backward (issue 3). Peer: PyTorch autograd.
func autodiffWorkloads<Scalar: TensorScalar>(_: Scalar.Type, n: Int) -> [Workload] {
    let w = WorkloadBuilder<Scalar>(suite: "autodiff", n: n)
    let b = w.randomMatrix(seed: 2)
    let eye = Tensor<Scalar>.eye(n)
    let square = w.randomMatrix(), tall = w.randomMatrix(rows: 4 * n)
    let squareTau = householderTau(square), tallTau = householderTau(tall)
    return [
        w.differentiable("gemm", input: { w.randomMatrix() }) { a in [matmul(a, b)] },
        w.differentiable("matrix_exp", input: { w.scaledMatrix() }) { a in [try matrixExp(a)] },
        w.differentiable("cayley", input: { w.skewMatrix() }) { a in [try solve(eye - a * 0.5, eye + a * 0.5)] },
        w.differentiable("householder_product", input: { square }) { a in [try householderProduct(a, tau: squareTau)] },
        w.differentiable("householder_product_tall", input: { tall }) { a in [try householderProduct(a, tau: tallTau)] },
        w.differentiable("qr", input: { w.randomMatrix() }) { a in let (q, r) = try qr(a); return [q, r] },
        w.differentiable("eigh", input: { w.symmetricMatrix() }) { a in let (l, v) = try eigh(a); return [l, v] },
        w.differentiable("svd", input: { w.randomMatrix() }) { a in let (u, s, vt) = try svd(a); return [u, s, vt] },
    ].flatMap { $0 }
}

/// Householder coefficients τⱼ = 2 / (1 + ‖A[j+1:, j]‖²) for the reflectors stored below the
/// diagonal of `a` (unit diagonal implied): each Hⱼ = I − τⱼ vⱼvⱼᵀ is then orthogonal, as
/// the ones `geqrf` returns are. The peer script computes the same.
func householderTau<Scalar: TensorScalar>(_ a: Tensor<Scalar>) -> Tensor<Scalar> {
    let (m, k) = (a.shape[0], a.shape[1])
    let x = a.scalars
    return Tensor((0..<k).map { j in
        let tail = (j + 1..<m).reduce(Scalar(0)) { s, i in s + x[i * k + j] * x[i * k + j] }
        return 2 / (1 + tail)
    })
}
