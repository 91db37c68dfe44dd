import Constrained

/// The `riemannian` suite: one Riemannian Adam step on a point kept on its manifold
/// (`@OnManifold`), the gradient given. Peer: `Scripts/bench/peer_geoopt.py` (geoopt's
/// `RiemannianAdam` on a `ManifoldParameter`, the same rules), which names every workload the
/// same way.
///
/// Workloads (Double, phase `train-step`):
/// - `radam-stiefel` (`n` = 256): a 256 × 64 frame on the Stiefel manifold (Euclidean metric,
///   QR retraction; geoopt: `EuclideanStiefel`).
/// - `radam-spd` (`n` = 64): a 64 × 64 SPD matrix with the affine-invariant metric (second-order
///   retraction, parallel transport; geoopt: `SymmetricPositiveDefinite`).
/// The gradient is a fixed normal matrix (scaled by 0.01 for SPD), so each timed run is one
/// `step` of the optimizer: Riemannian gradient, moments, retraction and transport.
func riemannianWorkloads(quick: Bool) -> [Workload] {
    [
        adamStep("radam-stiefel", n: 256, manifold: Orthogonal<Double>(), shape: [256, 64], gradientScale: 1),
        adamStep("radam-spd", n: 64, manifold: SymmetricPositiveDefinite<Double>(), shape: [64, 64], gradientScale: 0.01),
    ]
}

/// A layer holding one point of a manifold.
private final class Point: Layer {
    @OnManifold<Double> var x: Tensor<Double>

    init(_ manifold: some RiemannianManifold<Double>, _ point: Tensor<Double>) {
        _x = OnManifold(wrappedValue: point, manifold)
    }
}

private func adamStep<M: RiemannianManifold>(_ name: String, n: Int, manifold: M, shape: [Int], gradientScale: Double)
-> Workload where M.Scalar == Double {
    Workload(suite: "riemannian", name: name, dtype: "float64", n: n, phase: .trainStep) {
        let model = Point(manifold, try manifold.sample(shape: shape, seed: 1))
        let gradients = NamedTensors([("x", Tensor<Double>.randomNormal(shape, seed: 2) * gradientScale)])
        let optimizer = RiemannianAdam(for: model, learningRate: 1e-3)
        return {
            try optimizer.step(model, along: gradients)
            blackHole(model.x)
        }
    }
}
