/// An Elman recurrent cell, `h' = σ(x W_inᵀ + h W_recᵀ + b)`, whose recurrent kernel can carry
/// a constraint (orthogonal, for long memories).
///
/// Shapes follow PyTorch: `input` `[hidden, inputSize]`, `recurrent` `[hidden, hidden]`,
/// `bias` `[hidden]`; an input `[batch, inputSize]` and a state `[batch, hidden]` give the
/// next state `[batch, hidden]`. All three start uniform in `(−1/√hidden, 1/√hidden)` as in
/// PyTorch (the recurrent kernel as the constrained value: a parametrization's right inverse
/// maps it to the original; a start outside the constraint's set becomes the original, so the
/// kernel starts at `p.forward(start)`, as for ``Linear``), and `σ` is an ``Activation`` or expRNN's ``ModReLU`` (whose
/// bias `b` is trained with the cell, named `modReLU.bias`).
///
/// ```swift
/// // expRNN's orthogonal cell:
/// let cell = RNNCell<Double>(inputSize: 10, hiddenSize: 128, nonlinearity: .modReLU,
///                            recurrent: Orthogonal(), seed: 0)
/// let (outputs, last) = cell.unrolled(over: xs)   // xs [T, batch, 10] → outputs [T, batch, 128]
/// cell.parameterNames   // ["input", "recurrent.original", "bias", "modReLU.bias"]
/// ```
///
/// **Caching.** A loop over ``callAsFunction(_:state:)`` reads the recurrent kernel once per
/// step; the constrained property's cache makes all those reads one evaluation of the
/// parametrization per recording (per training step), and one backward through it.
/// ``unrolled(over:initialState:)`` reads it once and runs the sequence as one node.
public final class RNNCell<Scalar: TensorScalar>: Layer {
    /// The nonlinearity `σ` of a cell.
    public enum Nonlinearity: Sendable, Equatable {
        /// `tanh`, PyTorch's default.
        case tanh
        /// `max(x, 0)`.
        case relu
        /// expRNN's `sign(z) · relu(|z| + b)` with a trainable `b` per hidden unit.
        case modReLU
    }

    /// The input kernel `W_in`, `[hidden, inputSize]`.
    @Parameter public var input: Tensor<Scalar>
    /// The recurrent kernel `W_rec`, `[hidden, hidden]`: the constrained value when constrained.
    @AnyConstrained public var recurrent: Tensor<Scalar>
    let _bias: Parameter<Scalar>?
    /// The modReLU activation (with its bias) when the nonlinearity is ``Nonlinearity/modReLU``.
    public let modReLU: ModReLU<Scalar>?

    /// The bias `b`, `[hidden]`, or nil. Settable when present.
    public var bias: Tensor<Scalar>? {
        get { _bias?.wrappedValue }
        set {
            guard let _bias, let newValue else {
                preconditionFailure("RNNCell: a bias can be replaced, not added or removed (has one: \(_bias != nil))")
            }
            _bias.wrappedValue = newValue
        }
    }
    /// The nonlinearity.
    public let nonlinearity: Nonlinearity
    /// The size of the last axis of an input.
    public let inputSize: Int
    /// The size of the state.
    public let hiddenSize: Int

    /// A cell initialised from `generator` (PyTorch's initialisation).
    ///
    /// - Parameters:
    ///   - inputSize: the size of the last axis of an input.
    ///   - hiddenSize: the size of the state.
    ///   - nonlinearity: the function applied to the pre-activation.
    ///   - bias: whether the cell adds a bias before the nonlinearity.
    ///   - parametrization: a constraint for the recurrent kernel, or nil for a plain one.
    ///   - generator: the source of the initial values.
    public init<G: RandomNumberGenerator>(
        inputSize: Int, hiddenSize: Int, nonlinearity: Nonlinearity = .tanh, bias: Bool = true,
        recurrent parametrization: (any Parametrization<Scalar>)? = nil, using generator: inout G
    ) {
        precondition(inputSize > 0 && hiddenSize > 0,
                     "RNNCell: sizes must be positive, got input \(inputSize), hidden \(hiddenSize)")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.nonlinearity = nonlinearity
        let bound = 1 / Scalar(hiddenSize).squareRoot()
        input = Tensor.randomUniform([hiddenSize, inputSize], from: -bound, to: bound, using: &generator)
        let w = Tensor<Scalar>.randomUniform([hiddenSize, hiddenSize], from: -bound, to: bound, using: &generator)
        // A start outside the constraint's set starts at `p.forward(w)` instead (see Linear).
        _recurrent = Constrained.startingOrStop(at: w, under: parametrization,
                                                layer: "RNNCell(inputSize: \(inputSize), hiddenSize: \(hiddenSize))",
                                                fix: "cell.constrainRecurrent(p)")
        _bias = bias ? Parameter(wrappedValue: Tensor.randomUniform([hiddenSize], from: -bound, to: bound, using: &generator)) : nil
        modReLU = nonlinearity == .modReLU ? ModReLU(features: hiddenSize, using: &generator) : nil
    }

    /// A cell reproducible from `seed` (system randomness when nil), with a plain recurrent kernel.
    public convenience init(inputSize: Int, hiddenSize: Int, nonlinearity: Nonlinearity = .tanh,
                            bias: Bool = true, seed: UInt64? = nil) {
        self.init(inputSize: inputSize, hiddenSize: hiddenSize, nonlinearity: nonlinearity, bias: bias,
                  parametrization: nil, seed: seed)
    }

    /// A cell whose recurrent kernel satisfies the constraint `recurrent`, reproducible from
    /// `seed` (system randomness when nil).
    public convenience init<P: Parametrization>(inputSize: Int, hiddenSize: Int, nonlinearity: Nonlinearity = .tanh,
                                                bias: Bool = true, recurrent: P, seed: UInt64? = nil)
    where P.Scalar == Scalar {
        self.init(inputSize: inputSize, hiddenSize: hiddenSize, nonlinearity: nonlinearity, bias: bias,
                  parametrization: recurrent, seed: seed)
    }

    private convenience init(inputSize: Int, hiddenSize: Int, nonlinearity: Nonlinearity, bias: Bool,
                             parametrization: (any Parametrization<Scalar>)?, seed: UInt64?) {
        if let seed {
            var g = SeededGenerator(seed: seed)
            self.init(inputSize: inputSize, hiddenSize: hiddenSize, nonlinearity: nonlinearity, bias: bias,
                      recurrent: parametrization, using: &g)
        } else {
            var g = SystemRandomNumberGenerator()
            self.init(inputSize: inputSize, hiddenSize: hiddenSize, nonlinearity: nonlinearity, bias: bias,
                      recurrent: parametrization, using: &g)
        }
    }

    /// Puts the constraint `parametrization` on the recurrent kernel, replacing any earlier
    /// one; the current kernel is taken as the constrained value. Register before creating
    /// the optimizer (the name changes from `recurrent` to `recurrent.original`).
    ///
    /// - Throws: what the parametrization's `register(shape:)` or right inverse throws; the
    ///   cell is then unchanged.
    public func constrainRecurrent<P: Parametrization>(_ parametrization: P) throws where P.Scalar == Scalar {
        let current = withoutRecording { recurrent }
        _recurrent = try Constrained.registered(parametrization, on: current)
        structureDidChange()   // a new property object: cached traversals must see it
    }

    /// A zero state `[batchSize, hidden]`.
    @inlinable
    public func zeroState(batchSize: Int) -> Tensor<Scalar> {
        Tensor.zeros([batchSize, hiddenSize])
    }

    /// One step: `σ(x W_inᵀ + h W_recᵀ + b)` for `x` `[batch, inputSize]`, `state` `[batch, hidden]`.
    @inlinable
    public func callAsFunction(_ x: Tensor<Scalar>, state: Tensor<Scalar>) -> Tensor<Scalar> {
        step(x, state: state, recurrent: recurrent, input: input, bias: bias)
    }

    /// The step with the kernels already read.
    /// Inlinable, like the loop, so the elementwise work is specialised for the client's scalar
    /// type (unspecialised generic loops across modules run 20–30× slower).
    @inlinable
    func step(_ x: Tensor<Scalar>, state: Tensor<Scalar>, recurrent: Tensor<Scalar>,
                      input: Tensor<Scalar>, bias: Tensor<Scalar>?) -> Tensor<Scalar> {
        precondition(x.rank == 2 && x.shape[1] == inputSize && state.shape == [x.shape[0], hiddenSize],
                     "RNNCell: input shape \(x.shape) and state shape \(state.shape) do not match [batch, \(inputSize)] and [batch, \(hiddenSize)]")
        switch nonlinearity {
        case .tanh:
            return Self.affineTanh(x, state, input: input, recurrent: recurrent, bias: bias)
        case .relu:
            return LinAlg.relu(Self.affine(x, state, input: input, recurrent: recurrent, bias: bias))
        case .modReLU:
            return Self.affineModReLU(x, state, input: input, recurrent: recurrent, bias: bias,
                                      modReLUBias: modReLU!.bias)
        }
    }

    /// The cell run over a sequence `xs` `[T, batch, inputSize]` from `initialState`
    /// (zeros when nil): the states after each step, `[T, batch, hidden]`, and the last one.
    ///
    /// The whole sequence is one graph node with a hand-written backward pass through time
    /// (as PyTorch's `nn.RNN`): the input projection of all steps and the weight gradients
    /// are single large matrix products instead of one small product per step, and the graph
    /// holds only the states. The kernels are read once (one evaluation and one backward of a
    /// parametrization per training step). A loop over ``callAsFunction(_:state:)`` computes
    /// the same values, one node per step.
    ///
    /// `outputs` and `last` are two graph nodes over the same inputs, each with its own
    /// backward pass: using only `last` (a classifier on the final state) costs one pass and
    /// no cotangent of all the states; using both costs two passes.
    @inlinable
    public func unrolled(over xs: Tensor<Scalar>, initialState: Tensor<Scalar>? = nil)
    -> (outputs: Tensor<Scalar>, last: Tensor<Scalar>) {
        precondition(xs.rank == 3 && xs.shape[2] == inputSize,
                     "RNNCell.unrolled: sequence shape \(xs.shape) is not [T, batch, \(inputSize)]")
        precondition(xs.shape[0] > 0, "RNNCell.unrolled: empty sequence")
        precondition(xs.shape[1] > 0, "RNNCell.unrolled: empty batch")
        if let initialState {
            precondition(initialState.shape == [xs.shape[1], hiddenSize],
                         "RNNCell.unrolled: initial state shape \(initialState.shape) does not match [\(xs.shape[1]), \(hiddenSize)]")
        }
        return Self.sequence(xs, initialState: initialState, input: input, recurrent: recurrent,
                             bias: bias, nonlinearity: nonlinearity, modReLUBias: modReLU?.bias)
    }
}

extension RNNCell where Scalar == Double {
    /// A cell of `Double`s when the scalar type is not written:
    /// `RNNCell(inputSize: 10, hiddenSize: 128)`. Write `RNNCell<Float>(…)` for `Float`.
    public convenience init(inputSize: Int, hiddenSize: Int, nonlinearity: Nonlinearity = .tanh,
                            bias: Bool = true, seed: UInt64? = nil) {
        self.init(inputSize: inputSize, hiddenSize: hiddenSize, nonlinearity: nonlinearity, bias: bias,
                  parametrization: nil, seed: seed)
    }
}
