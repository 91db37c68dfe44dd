/// Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay.
///
/// For each parameter `p` with gradient `g` (PyTorch's `torch.optim.SGD`):
/// ```
/// g ← g + λ p                                  (weight decay λ)
/// b ← μ b + g   (b = g on the first step)       (momentum μ)
/// g ← g + μ b   if Nesterov, else g ← b
/// p ← p − η g                                  (learning rate η of p's group)
/// ```
///
/// ```swift
/// let sgd = SGD(for: model, learningRate: 0.1, momentum: 0.9)
/// sgd.update(model, along: gradients)
/// ```
public final class SGD: Optimizer {
    /// The learning rates, per parameter group.
    public var learningRates: LearningRates
    /// The momentum factor μ (0: none).
    public var momentum: Double
    /// Whether to use Nesterov momentum.
    public var nesterov: Bool
    /// The L2 weight decay λ.
    public var weightDecay: Double
    var binding: OptimizerBinding

    /// An SGD optimizer for `model`.
    ///
    /// - Parameters:
    ///   - model: the model whose trainable tensors this optimizer updates.
    ///   - learningRate: the rate of parameters no entry of `learningRates` matches.
    ///   - momentum: the momentum factor (0: plain gradient descent).
    ///   - nesterov: whether to use Nesterov momentum.
    ///   - weightDecay: the L2 penalty added to each gradient (`g + weightDecay · θ`).
    ///   - learningRates: rates by parameter-name prefix (see ``LearningRates``).
    /// - Precondition: Nesterov momentum needs a positive momentum.
    public init(for model: some Layer, learningRate: Double, momentum: Double = 0, nesterov: Bool = false,
                weightDecay: Double = 0, learningRates: [String: Double] = [:]) {
        precondition(!nesterov || momentum > 0, "SGD: Nesterov momentum needs momentum > 0, got \(momentum)")
        self.learningRates = LearningRates(base: learningRate, byPrefix: learningRates)
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        binding = OptimizerBinding(model)
    }

    /// The base learning rate.
    public var learningRate: Double {
        get { learningRates.base }
        set { learningRates.base = newValue }
    }

    /// One SGD step for every parameter of `model` with a gradient (see the type's formula).
    public func update<Model: Layer, Scalar>(_ model: Model, along gradients: NamedTensors<Scalar>) {
        for (name, slot, gradient) in binding.parameters(of: model, along: gradients, optimizer: "SGD") {
            let lr = Scalar(learningRates.rate(for: name))
            let mu = Scalar(momentum), decay = Scalar(weightDecay), nesterov = self.nesterov
            let state: ParameterState<Scalar>? = momentum == 0 ? nil
                : binding.parameterState(name, count: 1, shape: gradient.shape)
            slot.modify { p in
                checkGradient(gradient, for: p, named: name, in: "SGD")
                if let state {
                    state.step += 1
                    let first = state.step == 1
                    p.withUnsafeMutableBufferPointer { p in
                        state.first.withUnsafeMutableBufferPointer { b in
                            gradient.withUnsafeBufferPointer { g in
                                sgdMomentumStep(p, b, g, lr: lr, momentum: mu, decay: decay,
                                                nesterov: nesterov, first: first)
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
}

@_specialize(where S == Float)
@_specialize(where S == Double)
func sgdStep<S: TensorScalar>(_ p: UnsafeMutableBufferPointer<S>, _ g: UnsafeBufferPointer<S>, lr: S, decay: S) {
    for i in 0..<p.count {
        p[i] -= lr * (g[i] + decay * p[i])
    }
}

@_specialize(where S == Float)
@_specialize(where S == Double)
func sgdMomentumStep<S: TensorScalar>(_ p: UnsafeMutableBufferPointer<S>, _ b: UnsafeMutableBufferPointer<S>,
                                      _ g: UnsafeBufferPointer<S>, lr: S, momentum: S, decay: S,
                                      nesterov: Bool, first: Bool) {
    for i in 0..<p.count {
        let gi = g[i] + decay * p[i]
        let bi = first ? gi : momentum * b[i] + gi
        b[i] = bi
        p[i] -= lr * (nesterov ? gi + momentum * bi : bi)
    }
}
