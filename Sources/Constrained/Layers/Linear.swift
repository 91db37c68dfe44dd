/// A fully connected layer, `y = x Wᵀ + b`, whose weight can carry a constraint.
///
/// The weight has PyTorch's layout `[outputSize, inputSize]`; inputs of shape
/// `[..., inputSize]` give outputs `[..., outputSize]` (all leading axes are folded into one
/// GEMM). Initialisation is PyTorch's: `W` and `b` uniform in `(−1/√inputSize, 1/√inputSize)`.
///
/// **Constraining the weight.** The weight is a ``Constrained`` property. Pass a
/// parametrization at creation, or register one later (PyTorch's
/// `register_parametrization(linear, "weight", p)`):
///
/// ```swift
/// let plain = Linear<Double>(3, 4)                        // weight, bias
/// let normalised = Linear(3, 4, weight: SpectralNorm<Double>())  // σ(W) = 1
/// let square = Linear<Double>(8, 8)
/// try square.constrainWeight(Orthogonal())                 // from now on orthogonal
/// normalised.weight                     // the constrained value, cached
/// normalised.$weight.original           // what the optimizer updates
/// normalised.parameterNames             // ["weight.original", "bias"]
/// ```
///
/// The initial weight is a constrained value: the parametrization's right inverse (when it
/// has one) maps it to the original, so an orthogonal weight starts as the orthogonal factor
/// of the random initialisation. When the random start is not a point of the set (a
/// `Positive()` weight from a start with negative entries), it becomes the original instead,
/// so the weight starts at `p.forward(start)` (`softplus(start)`), a point of the set: the
/// initialiser never traps on a constraint's set, only on a constraint that has no matrices of
/// the layer's shape (`Skew()` on a non-square layer), a mistake in the code whose throwing
/// form is ``constrainWeight(_:)``. A plain layer's tensors are named `weight` and `bias`; a
/// constrained one's `weight.original`, plus the parametrization's state (`weight.0.u`, …).
///
/// Writing one's own layer is as short: declare `@Constrained(SpectralNorm()) var weight`
/// and call ``linear(_:weight:bias:)``.
public final class Linear<Scalar: TensorScalar>: Layer {
    /// The weight `W`, `[outputSize, inputSize]`: the constrained value when constrained.
    @AnyConstrained public var weight: Tensor<Scalar>
    let _bias: Parameter<Scalar>?

    /// The bias `b`, `[outputSize]`, or nil for a layer without one. Settable when present.
    public var bias: Tensor<Scalar>? {
        get { _bias?.wrappedValue }
        set {
            guard let _bias, let newValue else {
                preconditionFailure("Linear: a bias can be replaced, not added or removed (has one: \(_bias != nil))")
            }
            _bias.wrappedValue = newValue
        }
    }

    /// The size of the last axis of an input.
    public let inputSize: Int
    /// The size of the last axis of an output.
    public let outputSize: Int

    /// A layer from given values: `weight` `[out, in]`, `bias` `[out]` or nil.
    ///
    /// - Parameters:
    ///   - weight: the weight, of shape `[out, in]` (a constrained value when
    ///     `weightParametrization` is given).
    ///   - bias: the bias, of shape `[out]`, or nil for none.
    ///   - weightParametrization: a constraint for the weight; `weight` is then a
    ///     constrained value (its right inverse gives the original).
    /// - Precondition: the shapes fit, and `weight` is a point of the constraint's set. The
    ///   throwing form: `let layer = Linear(weight: w, bias: b)`, then
    ///   `try layer.constrainWeight(p)`.
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>?,
                weightParametrization: (any Parametrization<Scalar>)? = nil) {
        Self.checkShapes(weight, bias)
        outputSize = weight.shape[0]
        inputSize = weight.shape[1]
        _weight = Constrained.registering(weightParametrization, on: weight)
        _bias = bias.map { Parameter(wrappedValue: $0) }
    }

    /// A layer whose weight starts at a point of the set of `weightParametrization` near the
    /// random `start` (see ``Constrained/starting(at:under:)``).
    private init(start: Tensor<Scalar>, bias: Tensor<Scalar>?, weightParametrization: (any Parametrization<Scalar>)?) {
        Self.checkShapes(start, bias)
        outputSize = start.shape[0]
        inputSize = start.shape[1]
        _weight = Constrained.startingOrStop(at: start, under: weightParametrization,
                                             layer: "Linear(\(start.shape[1]), \(start.shape[0]))",
                                             fix: "layer.constrainWeight(p)")
        _bias = bias.map { Parameter(wrappedValue: $0) }
    }

    private static func checkShapes(_ weight: Tensor<Scalar>, _ bias: Tensor<Scalar>?) {
        precondition(weight.rank == 2, "Linear: weight must be [out, in], got shape \(weight.shape)")
        if let bias {
            precondition(bias.shape == [weight.shape[0]],
                         "Linear: bias shape \(bias.shape) does not match weight shape \(weight.shape)")
        }
    }

    /// A randomly initialised layer (PyTorch's initialisation) drawing from `generator`.
    ///
    /// - Parameters:
    ///   - inputSize: the size of the last axis of an input.
    ///   - outputSize: the size of the last axis of an output.
    ///   - bias: whether the layer adds a bias.
    ///   - parametrization: a constraint for the weight (see the type's documentation), or nil.
    ///   - generator: the source of the initial values.
    public convenience init<G: RandomNumberGenerator>(
        _ inputSize: Int, _ outputSize: Int, bias: Bool = true,
        weight parametrization: (any Parametrization<Scalar>)? = nil, using generator: inout G
    ) {
        precondition(inputSize > 0 && outputSize > 0,
                     "Linear: sizes must be positive, got \(inputSize) → \(outputSize)")
        // PyTorch: kaiming_uniform_(a = √5) has gain √(2/(1 + a²)) = 1/√3 and bound
        // gain·√(3/fanIn) = 1/√fanIn; the bias uses the same bound.
        let bound = 1 / Scalar(inputSize).squareRoot()
        let w = Tensor<Scalar>.randomUniform([outputSize, inputSize], from: -bound, to: bound, using: &generator)
        let b = bias ? Tensor<Scalar>.randomUniform([outputSize], from: -bound, to: bound, using: &generator) : nil
        self.init(start: w, bias: b, weightParametrization: parametrization)
    }

    /// A randomly initialised layer (PyTorch's initialisation), reproducible from `seed`, or
    /// from the system's generator when `seed` is nil.
    ///
    /// ```swift
    /// let layer = Linear<Double>(3, 4, seed: 42)
    /// let y = layer(Tensor.randomNormal([10, 3], seed: 1))   // [10, 4]
    /// ```
    public convenience init(_ inputSize: Int, _ outputSize: Int, bias: Bool = true, seed: UInt64? = nil) {
        self.init(inputSize, outputSize, bias: bias, weightParametrization: nil, seed: seed)
    }

    /// A randomly initialised layer whose weight satisfies the constraint `weight`.
    ///
    /// ```swift
    /// let layer = Linear(3, 4, weight: SpectralNorm<Double>(), seed: 42)
    /// ```
    public convenience init<P: Parametrization>(_ inputSize: Int, _ outputSize: Int, bias: Bool = true,
                                                weight: P, seed: UInt64? = nil) where P.Scalar == Scalar {
        self.init(inputSize, outputSize, bias: bias, weightParametrization: weight, seed: seed)
    }

    private convenience init(_ inputSize: Int, _ outputSize: Int, bias: Bool,
                             weightParametrization: (any Parametrization<Scalar>)?, seed: UInt64?) {
        if let seed {
            var g = SeededGenerator(seed: seed)
            self.init(inputSize, outputSize, bias: bias, weight: weightParametrization, using: &g)
        } else {
            var g = SystemRandomNumberGenerator()
            self.init(inputSize, outputSize, bias: bias, weight: weightParametrization, using: &g)
        }
    }

    /// Puts the constraint `parametrization` on the weight, replacing any earlier one
    /// (PyTorch's `register_parametrization(layer, "weight", p)`).
    ///
    /// The current weight is taken as the constrained value: the original becomes
    /// `parametrization.rightInverse(weight)` (or the weight itself without a right inverse).
    /// Register before creating the optimizer: the parameter's name changes from `weight`
    /// to `weight.original`.
    ///
    /// - Throws: what the parametrization's `register(shape:)` or right inverse throws (the
    ///   set has no matrices of this shape, or the current weight is not a point of it); the
    ///   layer is then unchanged.
    public func constrainWeight<P: Parametrization>(_ parametrization: P) throws where P.Scalar == Scalar {
        let current = withoutRecording { weight }
        _weight = try Constrained.registered(parametrization, on: current)
        structureDidChange()   // a new property object: cached traversals must see it
    }

    /// `x Wᵀ + b` for `x` of shape `[..., inputSize]`.
    @inlinable
    public func callAsFunction(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        linear(x, weight: weight, bias: bias)
    }
}

/// The affine map of a fully connected layer, `x Wᵀ + b`, for `x` `[..., in]`, `W` `[out, in]`
/// and `b` `[out]` (or nil): one GEMM over all leading axes of `x`, then a broadcast add.
///
/// The building block for one's own layers:
///
/// ```swift
/// final class Normalised: Layer {
///     @Constrained(SpectralNorm()) var weight = Tensor<Double>.randomNormal([4, 3], seed: 1)
///     @Parameter var bias = Tensor<Double>.zeros([4])
///     func callAsFunction(_ x: Tensor<Double>) -> Tensor<Double> { linear(x, weight: weight, bias: bias) }
/// }
/// ```
@inlinable
public func linear<Scalar>(_ x: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>?) -> Tensor<Scalar> {
    precondition(weight.rank == 2 && x.rank >= 1 && x.shape[x.rank - 1] == weight.shape[1],
                 "linear: input shape \(x.shape) does not match weight shape \(weight.shape) ([out, in])")
    let y = matmul(x, transposed: false, weight, transposed: true)
    guard let bias else { return y }
    return y + bias
}

extension Linear where Scalar == Double {
    /// A randomly initialised layer of `Double`s when the scalar type is not written:
    /// `Linear(8, 2)` (a default keeps examples short, as PyTorch's default dtype does).
    /// Write `Linear<Float>(8, 2)` for `Float`.
    public convenience init(_ inputSize: Int, _ outputSize: Int, bias: Bool = true, seed: UInt64? = nil) {
        self.init(inputSize, outputSize, bias: bias, weightParametrization: nil, seed: seed)
    }
}
