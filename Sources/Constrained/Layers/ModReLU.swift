/// expRNN's modReLU activation with a trainable bias per feature:
/// `z ↦ sign(z) · relu(|z| + b)`.
///
/// For complex `z` it keeps the phase and shrinks the modulus; for real `z` (our tensors) the
/// phase is the sign. With `b < 0` small magnitudes are zeroed (a dead zone of width `2|b|`),
/// larger ones pass shifted toward zero, so the map is as cheap as a ReLU but odd, which suits
/// an orthogonal recurrence that must not drift to one sign.
///
/// ```swift
/// let activation = ModReLU<Double>(features: 128)     // b uniform in (−0.01, 0.01)
/// let h = activation(preactivation)                    // [..., 128]
/// ```
public final class ModReLU<Scalar: TensorScalar>: Layer {
    /// The bias `b`, one per feature (the last axis of the input).
    @Parameter public var bias: Tensor<Scalar>

    /// A modReLU over `features` features with `b` drawn from `generator` uniformly in
    /// (−0.01, 0.01), as expRNN initialises it.
    public init<G: RandomNumberGenerator>(features: Int, using generator: inout G) {
        precondition(features > 0, "ModReLU: features must be positive, got \(features)")
        bias = Tensor.randomUniform([features], from: -0.01, to: 0.01, using: &generator)
    }

    /// A modReLU over `features` features, `b` uniform in (−0.01, 0.01), reproducible from
    /// `seed` (system randomness when nil).
    public convenience init(features: Int, seed: UInt64? = nil) {
        if let seed {
            var g = SeededGenerator(seed: seed)
            self.init(features: features, using: &g)
        } else {
            var g = SystemRandomNumberGenerator()
            self.init(features: features, using: &g)
        }
    }

    /// A modReLU with the given bias `[features]`.
    public init(bias: Tensor<Scalar>) {
        precondition(bias.rank == 1, "ModReLU: bias must be one-dimensional, got shape \(bias.shape)")
        self.bias = bias
    }

    /// `sign(z) · relu(|z| + b)` for `z` of shape `[..., features]`.
    @inlinable
    public func callAsFunction(_ z: Tensor<Scalar>) -> Tensor<Scalar> {
        modReLU(z, bias: bias)
    }
}

/// `sign(z) · relu(|z| + b)` elementwise, `b` broadcast along the last axis of `z`.
///
/// One pass forward; the pullback is exact away from the kinks `z = 0` and `|z| = −b`:
/// `∂y/∂z = 1[z ≠ 0, |z| + b > 0]` (the sign squared) and `∂y/∂b = sign(z) · 1[|z| + b > 0]`,
/// summed over all leading axes for `b`.
@inlinable
public func modReLU<Scalar>(_ z: Tensor<Scalar>, bias: Tensor<Scalar>) -> Tensor<Scalar> {
    let features = bias.scalarCount
    precondition(bias.rank == 1 && z.rank >= 1 && z.shape[z.rank - 1] == features,
                 "modReLU: input shape \(z.shape) does not end with the bias shape \(bias.shape)")
    let rows = features == 0 ? 0 : z.scalarCount / features
    var y = Tensor<Scalar>(shape: z.shape) { out in
        z.withUnsafeBufferPointer { zs in
            bias.withUnsafeBufferPointer { bs in
                guard rows > 0 else { return }
                out.baseAddress!.initialize(from: zs.baseAddress!, count: rows * features)
                ModReLUKernel.apply(out.baseAddress!, bias: bs.baseAddress!, rows: rows, columns: features)
            }
        }
    }
    if let tapeID = Tensor.recordingTapeID(z, bias) {
        // The pullback needs only the output: an element is active exactly where y ≠ 0, and
        // there sign(y) = sign(z).
        let yValue = y.detached()
        let needZ = z.isTracked, needB = bias.isTracked
        y.record(tapeID, "modReLU", z, bias) { g in
            var dz: Tensor<Scalar>? = nil, db: Tensor<Scalar>? = nil
            var dbSum = [Scalar](repeating: 0, count: features)
            let dzValue = Tensor<Scalar>(shape: yValue.shape) { out in
                guard rows > 0 else { return }
                yValue.withUnsafeBufferPointer { ys in
                    g.withUnsafeBufferPointer { gs in
                        dbSum.withUnsafeMutableBufferPointer { db in
                            ModReLUKernel.pullback(output: ys.baseAddress!, cotangent: gs.baseAddress!,
                                                   into: out.baseAddress!, biasCotangent: db.baseAddress!,
                                                   columnSums: nil, rows: rows, columns: features)
                        }
                    }
                }
            }
            if needZ { dz = dzValue }
            if needB { db = Tensor(dbSum) }
            return (dz, db)
        }
    }
    return y
}
