import Constrained

/// The `manifolds` suite: each set of the catalogue alone, and the tall Stiefel case that must
/// never build an n × n matrix. Peer: `Scripts/bench/peer_geotorch.py` (geotorch inside
/// `parametrize.cached()`), which names every workload the same way.
///
/// Workloads and their `n` (Double):
/// - `orthogonal` (`n` = 64/256): `Orthogonal()` on `n × n` (matrix exponential at a base;
///   geotorch: `orthogonal`, `triv="expm"`).
/// - `stiefel-tall` (`n` = 64/256): `Orthogonal()` on `n × n/4` (Householder at a tall base;
///   geotorch: `orthogonal` on the same shape).
/// - `sphere` (`n` = 64/256): `Sphere()` on the `n` rows of an `n × n` matrix (normalisation;
///   geotorch: `sphere(embedded=True)`).
/// - `grassmannian` (`n × n/4`), `low_rank` and `fixed_rank` (`n × n`, rank `n/4`),
///   `almost_orthogonal` (`λ = 0.5`), `invertible`, `sln`: the geotorch constraint of the same
///   name (its defaults: `expm`, `softplus`; `lam=0.5`).
/// - `positive_definite` (`PositiveDefinite(.eigen)`) and `positive_semidefinite`
///   (`PositiveSemidefinite()`), `n × n`: geotorch's eigen chart, the same map as geotorch's
///   `positive_definite` / `positive_semidefinite` (one `expm` at a base, no `eigh`).
/// - `positive_semidefinite_low_rank` and `_fixed_rank` (rank `n/4`), `hurwitz` (`α = 10⁻³`,
///   geotorch's `alpha_stable` default): geotorch's constraints of those names
///   (`alpha_stable` for Hurwitz), whose maps differ from ours.
/// - `simplex`, `simplex_stick_breaking`, `lower_cholesky`, `correlation_cholesky`,
///   `doubly_stochastic` (`n × n`): no geotorch peer (torch.distributions' transforms, or
///   beyond both).
///   Each has `forward` and `forward+backward` (the gradient of `sum(Y ⊙ W)`), the original at
///   the base point plus a `1/√n`-scaled normal perturbation.
/// - `stiefel-register-step` (`n` = 30,000, phase `train-step`): `Linear(50, 30000)` with an
///   `Orthogonal()` weight is created (registration) and takes one Adam step on a batch of 8.
///   No peer: geotorch allocates a 30,000² matrix there, and PyTorch's Householder
///   `orthogonal` had not finished after 300 s.
func manifoldWorkloads(quick: Bool) -> [Workload] {
    var all: [Workload] = []
    for n in quick ? [64] : [64, 256] {
        let w = WorkloadBuilder<Double>(suite: "manifolds", n: n)
        all += set(w, "orthogonal", Orthogonal<Double>(), shape: [n, n])
        all += set(w, "stiefel-tall", Orthogonal<Double>(), shape: [n, n / 4])
        all += set(w, "sphere", Sphere<Double>(), shape: [n, n])
        all += set(w, "grassmannian", Grassmannian<Double>(), shape: [n, n / 4])
        all += set(w, "low_rank", LowRank<Double>(rank: n / 4), shape: [n, n])
        all += set(w, "fixed_rank", FixedRank<Double>(rank: n / 4), shape: [n, n])
        all += set(w, "almost_orthogonal", AlmostOrthogonal<Double>(lambda: 0.5), shape: [n, n])
        all += set(w, "invertible", Invertible<Double>(), shape: [n, n])
        all += set(w, "sln", SpecialLinear<Double>(), shape: [n, n])
        all += set(w, "positive_definite", PositiveDefinite<Double>(.eigen), shape: [n, n])
        all += set(w, "simplex", Simplex<Double>(), shape: [n, n])
        all += set(w, "lower_cholesky", LowerCholesky<Double>(), shape: [n, n])
        all += set(w, "correlation_cholesky", CorrelationCholesky<Double>(), shape: [n, n])
        all += set(w, "doubly_stochastic", DoublyStochastic<Double>(), shape: [n, n])
        all += set(w, "positive_semidefinite", PositiveSemidefinite<Double>(), shape: [n, n])
        all += set(w, "positive_semidefinite_low_rank", PositiveSemidefinite<Double>(rank: n / 4), shape: [n, n])
        all += set(w, "positive_semidefinite_fixed_rank", PositiveSemidefinite<Double>(fixedRank: n / 4), shape: [n, n])
        all += set(w, "hurwitz", Hurwitz<Double>(alpha: 1e-3), shape: [n, n])
        all += set(w, "simplex_stick_breaking", Simplex<Double>(map: .stickBreaking), shape: [n, n])
    }
    all.append(tallRegistrationStep(rows: quick ? 3_000 : 30_000, columns: 50))
    return all
}

/// Forward and forward+backward of `manifold` registered on `shape` at a sampled point.
///
/// The registration and the sample are made when a workload is first prepared, not when the
/// list is built, so that `--filter` runs (and callgrind runs of another workload) do not pay
/// for every set's eigendecompositions.
private func set<M: Manifold>(_ w: WorkloadBuilder<Double>, _ name: String, _ manifold: M, shape: [Int])
-> [Workload] where M.Scalar == Double {
    let point = Lazy<(state: M, input: Tensor<Double>?)> {
        var p = manifold
        let input: Tensor<Double>? = try? {
            try p.register(shape: shape)
            let y = try manifold.sample(shape: shape, seed: 3)
            let origin = try p.rightInverse(y)
            return origin + Tensor<Double>.randomNormal(origin.shape, seed: 4) * (1 / Double(w.n).squareRoot())
        }()
        return (p, input)
    }
    return w.differentiable(name, input: { point.value.input ?? Tensor<Double>.zeros(shape) }) { x in
        var q = point.value.state  // forward is mutating in the protocol; state lives in buffers
        return [try q.forward(x)]
    }
}

/// A value computed on first use.
private final class Lazy<Value> {
    private let make: () -> Value
    private var made: Value?

    init(_ make: @escaping () -> Value) { self.make = make }

    var value: Value {
        if let made { return made }
        let v = make()
        made = v
        return v
    }
}

/// Registration of a tall orthogonal weight and one Adam step.
private func tallRegistrationStep(rows: Int, columns: Int) -> Workload {
    Workload(suite: "manifolds", name: "stiefel-register-step", dtype: "float64", n: rows, phase: .trainStep) {
        let x = Tensor<Double>.randomNormal([8, columns], seed: 2)
        return {
            let layer = Linear<Double>(columns, rows, weight: Orthogonal<Double>(), seed: 1)
            let adam = Adam(for: layer, learningRate: 1e-2)
            let (_, gradients) = try valueWithGradient(of: layer) { l in
                let y = l(x)
                return (y * y).sum()
            }
            adam.update(layer, along: gradients)
            blackHole(layer.weight)
        }
    }
}
