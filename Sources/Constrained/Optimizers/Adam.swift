/// Adam: per-coordinate steps scaled by running estimates of the gradient's first and
/// second moments (Kingma & Ba 2015), with PyTorch's `torch.optim.Adam` conventions.
///
/// For each parameter `p` with gradient `g`, at step t:
/// ```
/// g ← g + λ p                          (L2 weight decay λ)
/// m ← β₁ m + (1 − β₁) g
/// v ← β₂ v + (1 − β₂) g²
/// p ← p − η / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
/// The bias corrections `1 − βᵗ` undo the zero initialisation of `m` and `v`; ε sits
/// outside the square root, as in PyTorch.
///
/// ```swift
/// let adam = Adam(for: model, learningRate: 1e-3, learningRates: ["rnn.recurrent": 1e-4])
/// ```
public final class Adam: Optimizer {
    /// The learning rates, per parameter group.
    public var learningRates: LearningRates
    /// The decay rate β₁ of the first-moment estimate.
    public var beta1: Double
    /// The decay rate β₂ of the second-moment estimate.
    public var beta2: Double
    /// The term ε added to the denominator for stability.
    public var epsilon: Double
    /// The L2 weight decay λ.
    public var weightDecay: Double
    var binding: OptimizerBinding

    /// An Adam optimizer for `model`.
    public init(for model: some Layer, learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-8, weightDecay: Double = 0, learningRates: [String: Double] = [:]) {
        self.learningRates = LearningRates(base: learningRate, byPrefix: learningRates)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        binding = OptimizerBinding(model)
    }

    /// The base learning rate.
    public var learningRate: Double {
        get { learningRates.base }
        set { learningRates.base = newValue }
    }

    /// One Adam step for every parameter of `model` with a gradient (see the type's formula).
    public func update<Model: Layer, Scalar>(_ model: Model, along gradients: NamedTensors<Scalar>) {
        for (name, slot, gradient) in binding.parameters(of: model, along: gradients, optimizer: "Adam") {
            let state: ParameterState<Scalar> = binding.parameterState(name, count: 2, shape: gradient.shape)
            state.step += 1
            let t = Double(state.step)
            let stepSize = Scalar(learningRates.rate(for: name) / (1 - Double.pow(beta1, t)))
            let correction2 = Scalar((1 - Double.pow(beta2, t)).squareRoot())
            let b1 = Scalar(beta1), b2 = Scalar(beta2), eps = Scalar(epsilon), decay = Scalar(weightDecay)
            slot.modify { p in
                checkGradient(gradient, for: p, named: name, in: "Adam")
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
}

@_specialize(where S == Float)
@_specialize(where S == Double)
func adamStep<S: TensorScalar>(_ p: UnsafeMutableBufferPointer<S>, _ m: UnsafeMutableBufferPointer<S>,
                               _ v: UnsafeMutableBufferPointer<S>, _ g: UnsafeBufferPointer<S>,
                               stepSize: S, correction2: S, beta1: S, beta2: S, epsilon: S, decay: S) {
    for i in 0..<p.count {
        let gi = g[i] + decay * p[i]
        let mi = beta1 * m[i] + (1 - beta1) * gi
        let vi = beta2 * v[i] + (1 - beta2) * gi * gi
        m[i] = mi
        v[i] = vi
        p[i] -= stepSize * mi / (vi.squareRoot() / correction2 + epsilon)
    }
}
