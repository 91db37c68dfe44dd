/// Riemannian stochastic gradient descent with momentum and Nesterov momentum (Bonnabel 2013;
/// geoopt's `RiemannianSGD`), for models that mix `@OnManifold` points and ordinary tensors.
///
/// For a point `x` of a manifold with Euclidean gradient `g`:
/// ```
/// ξ ← grad f(x) = riemannianGradient(g + λ x, at: x)
/// b ← μ b + ξ   (b = ξ on the first step)
/// d ← ξ + μ b   if Nesterov, else d ← b           (d = ξ without momentum)
/// x ← R_x(−η d),   b ← T_{x→x_new}(b)            (retraction, transport)
/// ```
/// Every other trainable tensor takes the step of ``SGD`` with the same settings. Every
/// ``stabilizationPeriod`` steps a point is re-projected onto its set (see
/// ``RiemannianOptimizer``).
///
/// geoopt seeds the momentum buffer with the raw Euclidean gradient before its first update
/// (so its first buffer is `μ g + ξ`); this one starts from zero as PyTorch's SGD does (`b = ξ`).
///
/// ```swift
/// let optimizer = RiemannianSGD(for: model, learningRate: 0.1, momentum: 0.9, nesterov: true)
/// try optimizer.step(model, along: gradients)
/// ```
public final class RiemannianSGD: RiemannianOptimizer {
    /// The learning rates, per parameter group.
    public var learningRates: LearningRates
    /// The momentum factor μ (0: none).
    public var momentum: Double
    /// Whether to use Nesterov momentum.
    public var nesterov: Bool
    /// The L2 weight decay λ (added to the Euclidean gradient).
    public var weightDecay: Double
    /// Re-project each point every this many steps; nil: never.
    public var stabilizationPeriod: Int?
    var binding: OptimizerBinding

    /// A Riemannian SGD optimizer for `model`.
    ///
    /// - Precondition: Nesterov momentum needs a positive momentum; a positive
    ///   `stabilizationPeriod` when given.
    public init(for model: some Layer, learningRate: Double, momentum: Double = 0, nesterov: Bool = false,
                weightDecay: Double = 0, stabilizationPeriod: Int? = nil, learningRates: [String: Double] = [:]) {
        precondition(!nesterov || momentum > 0, "RiemannianSGD: Nesterov momentum needs momentum > 0, got \(momentum)")
        precondition((stabilizationPeriod ?? 1) > 0, "RiemannianSGD: stabilizationPeriod must be positive")
        self.learningRates = LearningRates(base: learningRate, byPrefix: learningRates)
        self.momentum = momentum
        self.nesterov = nesterov
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
        let parameters = binding.parameters(of: model, along: gradients, optimizer: "RiemannianSGD")
        let mu = Scalar(momentum), decay = Scalar(weightDecay)
        var pending: [PendingManifoldStep<Scalar>] = []
        for (name, slot, gradient) in parameters {
            guard let onManifold = slot as? OnManifold<Scalar> else { continue }
            let state: ManifoldPointState<Scalar> = binding.manifoldState(name, shape: gradient.shape)
            let lr = Scalar(learningRates.rate(for: name))
            let (x, manifold) = onManifold.snapshot()
            checkGradient(gradient, for: x, named: name, in: "RiemannianSGD")
            let nesterov = self.nesterov
            let step = state.step + 1
            pending.append(try namingErrors(name) {
                let xi = try manifold.riemannianGradient(decay == 0 ? gradient : gradient + x * decay, at: x)
                var point: Tensor<Scalar>, buffer: Tensor<Scalar>?
                if momentum > 0 {
                    let b = state.moment.map { $0 * mu + xi } ?? xi
                    let direction = nesterov ? xi + b * mu : b
                    (point, buffer) = try manifold.retractAndTransport(direction * -lr, b, at: x)
                } else {
                    point = try manifold.retract(xi * -lr, at: x)
                    buffer = nil
                }
                (point, buffer) = try stabilizing(point, buffer, step: step, on: manifold)
                return PendingManifoldStep(slot: onManifold, point: point, moment: buffer, secondMoment: nil, state: state)
            })
        }
        for step in pending { step.commit() }
        for (name, slot, gradient) in parameters where !(slot is OnManifold<Scalar>) {
            euclideanStep(name, slot, gradient)
        }
    }

    /// The ``SGD`` step of a tensor that is not on a manifold.
    private func euclideanStep<Scalar>(_ name: String, _ slot: any TypedTensorSlot<Scalar>, _ gradient: Tensor<Scalar>) {
        let lr = Scalar(learningRates.rate(for: name))
        let mu = Scalar(momentum), decay = Scalar(weightDecay), nesterov = self.nesterov
        let state: ParameterState<Scalar>? = momentum == 0 ? nil : binding.parameterState(name, count: 1, shape: gradient.shape)
        slot.modify { p in
            checkGradient(gradient, for: p, named: name, in: "RiemannianSGD")
            if let state {
                state.step += 1
                let first = state.step == 1
                p.withUnsafeMutableBufferPointer { p in
                    state.first.withUnsafeMutableBufferPointer { b in
                        gradient.withUnsafeBufferPointer { g in
                            sgdMomentumStep(p, b, g, lr: lr, momentum: mu, decay: decay, nesterov: nesterov, first: first)
                        }
                    }
                }
            } else {
                p.withUnsafeMutableBufferPointer { p in
                    gradient.withUnsafeBufferPointer { g in sgdStep(p, g, lr: lr, decay: decay) }
                }
            }
        }
    }
}
