/// RMSprop: steps divided by a running root-mean-square of the gradient (Hinton's lecture
/// 6e), with PyTorch's `torch.optim.RMSprop` conventions.
///
/// For each parameter `p` with gradient `g`:
/// ```
/// g ← g + λ p                              (L2 weight decay λ)
/// s ← α s + (1 − α) g²
/// d ← √s + ε, or √(s − a²) + ε with a ← α a + (1 − α) g   if centered
/// b ← μ b + g / d,  p ← p − η b            with momentum μ > 0
/// p ← p − η g / d                          otherwise
/// ```
///
/// ```swift
/// let rms = RMSprop(for: model, learningRate: 1e-3, learningRates: ["rnn.recurrent": 1e-4])
/// ```
public final class RMSprop: Optimizer {
    /// The learning rates, per parameter group.
    public var learningRates: LearningRates
    /// The smoothing constant α of the squared-gradient average.
    public var alpha: Double
    /// The term ε added to the denominator for stability.
    public var epsilon: Double
    /// The momentum factor μ (0: none).
    public var momentum: Double
    /// Whether to normalise by the centred second moment (an estimate of the variance).
    public var centered: Bool
    /// The L2 weight decay λ.
    public var weightDecay: Double
    var binding: OptimizerBinding

    /// An RMSprop optimizer for `model`.
    public init(for model: some Layer, learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8,
                momentum: Double = 0, centered: Bool = false, weightDecay: Double = 0,
                learningRates: [String: Double] = [:]) {
        self.learningRates = LearningRates(base: learningRate, byPrefix: learningRates)
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.centered = centered
        self.weightDecay = weightDecay
        binding = OptimizerBinding(model)
    }

    /// The base learning rate.
    public var learningRate: Double {
        get { learningRates.base }
        set { learningRates.base = newValue }
    }

    /// One RMSprop step for every parameter of `model` with a gradient (see the type's formula).
    public func update<Model: Layer, Scalar>(_ model: Model, along gradients: NamedTensors<Scalar>) {
        for (name, slot, gradient) in binding.parameters(of: model, along: gradients, optimizer: "RMSprop") {
            // Buffers: squared average, momentum, gradient average (the last two when used).
            let state: ParameterState<Scalar> = binding.parameterState(name, count: 3, shape: gradient.shape)
            state.step += 1
            let options = RMSpropOptions(lr: Scalar(learningRates.rate(for: name)), alpha: Scalar(alpha),
                                         epsilon: Scalar(epsilon), momentum: Scalar(momentum),
                                         decay: Scalar(weightDecay), centered: centered)
            slot.modify { p in
                checkGradient(gradient, for: p, named: name, in: "RMSprop")
                p.withUnsafeMutableBufferPointer { p in
                    state.first.withUnsafeMutableBufferPointer { s in
                        state.second.withUnsafeMutableBufferPointer { b in
                            state.third.withUnsafeMutableBufferPointer { a in
                                gradient.withUnsafeBufferPointer { g in
                                    rmspropStep(p, s, b, a, g, options)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

struct RMSpropOptions<S: TensorScalar> {
    var lr, alpha, epsilon, momentum, decay: S
    var centered: Bool
}

@_specialize(where S == Float)
@_specialize(where S == Double)
func rmspropStep<S: TensorScalar>(_ p: UnsafeMutableBufferPointer<S>, _ s: UnsafeMutableBufferPointer<S>,
                                  _ b: UnsafeMutableBufferPointer<S>, _ a: UnsafeMutableBufferPointer<S>,
                                  _ g: UnsafeBufferPointer<S>, _ o: RMSpropOptions<S>) {
    for i in 0..<p.count {
        let gi = g[i] + o.decay * p[i]
        let si = o.alpha * s[i] + (1 - o.alpha) * gi * gi
        s[i] = si
        var mean2 = si
        if o.centered {
            let ai = o.alpha * a[i] + (1 - o.alpha) * gi
            a[i] = ai
            mean2 -= ai * ai
        }
        let d = mean2.squareRoot() + o.epsilon
        if o.momentum > 0 {
            let bi = o.momentum * b[i] + gi / d
            b[i] = bi
            p[i] -= o.lr * bi
        } else {
            p[i] -= o.lr * gi / d
        }
    }
}
