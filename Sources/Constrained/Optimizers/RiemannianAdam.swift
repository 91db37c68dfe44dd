/// Riemannian Adam (Bécigneul & Ganea 2019; geoopt's `RiemannianAdam`), for models that mix
/// `@OnManifold` points and ordinary tensors.
///
/// For a point `x` with Euclidean gradient `g`, at its step t:
/// ```
/// ξ ← riemannianGradient(g + λ x, at: x)
/// m ← β₁ m + (1 − β₁) ξ
/// v ← β₂ v + (1 − β₂) ‖ξ‖²_x            (per component: componentNorms(ξ, at: x))
/// d ← (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
/// x ← R_x(−η d),   m ← T_{x→x_new}(m)
/// ```
/// The adaptive term is the squared norm in the manifold's own metric, one value per
/// component (per matrix of a Stiefel batch, per vector of a sphere), so the direction stays
/// tangent; the first moment is transported with the point. Every other trainable tensor takes
/// the step of ``Adam`` (the same formula with `v` per entry and the identity as retraction).
/// Every ``stabilizationPeriod`` steps a point is re-projected (see ``RiemannianOptimizer``).
///
/// ```swift
/// let optimizer = RiemannianAdam(for: model, learningRate: 1e-2, stabilizationPeriod: 100)
/// try optimizer.step(model, along: gradients)
/// ```
public final class RiemannianAdam: RiemannianOptimizer {
    /// The learning rates, per parameter group.
    public var learningRates: LearningRates
    /// The decay rate β₁ of the first moment.
    public var beta1: Double
    /// The decay rate β₂ of the second moment.
    public var beta2: Double
    /// The term ε added to the denominator.
    public var epsilon: Double
    /// The L2 weight decay λ (added to the Euclidean gradient).
    public var weightDecay: Double
    /// Re-project each point every this many steps; nil: never.
    public var stabilizationPeriod: Int?
    var binding: OptimizerBinding

    /// A Riemannian Adam optimizer for `model`.
    ///
    /// - Precondition: a positive `stabilizationPeriod` when given.
    public init(for model: some Layer, learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-8, weightDecay: Double = 0, stabilizationPeriod: Int? = nil,
                learningRates: [String: Double] = [:]) {
        precondition((stabilizationPeriod ?? 1) > 0, "RiemannianAdam: stabilizationPeriod must be positive")
        self.learningRates = LearningRates(base: learningRate, byPrefix: learningRates)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.stabilizationPeriod = stabilizationPeriod
        binding = OptimizerBinding(model)
    }

    /// The base learning rate.
    public var learningRate: Double {
        get { learningRates.base }
        set { learningRates.base = newValue }
    }

    /// One step (see the type's formula); stops the program if a retraction fails.
    public func update<Model: Layer, Scalar>(_ model: Model, along gradients: NamedTensors<Scalar>) {
        updateOrTrap(model, along: gradients)
    }

    /// One step (see the type's formula).
    ///
    /// - Throws: ``ConstrainedError`` naming the property when a manifold operation fails; no
    ///   tensor has changed then.
    public func step<Model: Layer, Scalar>(_ model: Model, along gradients: NamedTensors<Scalar>) throws {
        let parameters = binding.parameters(of: model, along: gradients, optimizer: "RiemannianAdam")
        var pending: [PendingManifoldStep<Scalar>] = []
        for (name, slot, gradient) in parameters {
            guard let onManifold = slot as? OnManifold<Scalar> else { continue }
            let state: ManifoldPointState<Scalar> = binding.manifoldState(name, shape: gradient.shape)
            let (x, manifold) = onManifold.snapshot()
            checkGradient(gradient, for: x, named: name, in: "RiemannianAdam")
            pending.append(try namingErrors(name) {
                try manifoldStep(x, gradient, on: manifold, state: state, slot: onManifold, rate: learningRates.rate(for: name))
            })
        }
        for step in pending { step.commit() }
        for (name, slot, gradient) in parameters where !(slot is OnManifold<Scalar>) {
            euclideanStep(name, slot, gradient)
        }
    }

    @_specialize(where Scalar == Double)
    @_specialize(where Scalar == Float)
    private func manifoldStep<Scalar>(_ x: Tensor<Scalar>, _ gradient: Tensor<Scalar>, on manifold: any RiemannianManifold<Scalar>,
                                      state: ManifoldPointState<Scalar>, slot: OnManifold<Scalar>, rate: Double) throws
        -> PendingManifoldStep<Scalar> {
        let stepIndex = state.step + 1
        let t = Double(stepIndex)
        let b1 = Scalar(beta1), b2 = Scalar(beta2), decay = Scalar(weightDecay)
        let xi = try manifold.riemannianGradient(decay == 0 ? gradient : gradient + x * decay, at: x)
        let norms = try manifold.componentNorms(xi, at: x)
        let v = (state.secondMoment.map { $0 * b2 } ?? Tensor.zeros(norms.shape)) + norms * (1 - b2)
        let correction1 = Scalar(1 - Double.pow(beta1, t)), correction2 = Scalar(1 - Double.pow(beta2, t))
        let eps = Scalar(epsilon)
        let denominator = v.map { ($0 / correction2).squareRoot() + eps }.broadcast(to: x.shape)
        // m ← β₁ m + (1 − β₁) ξ and the step −η (m / (1 − β₁ᵗ)) / denominator, in one pass.
        var m = state.moment ?? Tensor.zeros(xi.shape)
        var step = Tensor<Scalar>.zeros(xi.shape)
        m.withUnsafeMutableBufferPointer { m in
            step.withUnsafeMutableBufferPointer { s in
                xi.withUnsafeBufferPointer { g in
                    denominator.withUnsafeBufferPointer { d in
                        riemannianAdamMoments(m, s, g, d, beta1: b1, scale: -Scalar(rate) / correction1)
                    }
                }
            }
        }
        var (point, moment) = try manifold.retractAndTransport(step, m, at: x)
        let stabilized = try stabilizing(point, moment, step: stepIndex, on: manifold)
        point = stabilized.0
        moment = stabilized.1!
        return PendingManifoldStep(slot: slot, point: point, moment: moment, secondMoment: v, state: state)
    }

    /// The ``Adam`` step of a tensor that is not on a manifold.
    private func euclideanStep<Scalar>(_ name: String, _ slot: any TypedTensorSlot<Scalar>, _ gradient: Tensor<Scalar>) {
        let state: ParameterState<Scalar> = binding.parameterState(name, count: 2, shape: gradient.shape)
        state.step += 1
        let t = Double(state.step)
        let stepSize = Scalar(learningRates.rate(for: name) / (1 - Double.pow(beta1, t)))
        let correction2 = Scalar((1 - Double.pow(beta2, t)).squareRoot())
        let b1 = Scalar(beta1), b2 = Scalar(beta2), eps = Scalar(epsilon), decay = Scalar(weightDecay)
        slot.modify { p in
            checkGradient(gradient, for: p, named: name, in: "RiemannianAdam")
            p.withUnsafeMutableBufferPointer { p in
                state.first.withUnsafeMutableBufferPointer { m in
                    state.second.withUnsafeMutableBufferPointer { v in
                        gradient.withUnsafeBufferPointer { g in
                            adamStep(p, m, v, g, stepSize: stepSize, correction2: correction2,
                                     beta1: b1, beta2: b2, epsilon: eps, decay: decay)
                        }
                    }
                }
            }
        }
    }
}

/// `m ← β₁ m + (1 − β₁) g`, `s ← scale · m / d`, entry by entry.
@_specialize(where S == Float)
@_specialize(where S == Double)
func riemannianAdamMoments<S: TensorScalar>(_ m: UnsafeMutableBufferPointer<S>, _ s: UnsafeMutableBufferPointer<S>,
                                            _ g: UnsafeBufferPointer<S>, _ d: UnsafeBufferPointer<S>, beta1: S, scale: S) {
    for i in 0..<m.count {
        let mi = beta1 * m[i] + (1 - beta1) * g[i]
        m[i] = mi
        s[i] = scale * mi / d[i]
    }
}
