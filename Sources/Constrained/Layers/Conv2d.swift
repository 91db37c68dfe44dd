/// A two-dimensional convolution over `NCHW` inputs whose kernel can carry a constraint, with
/// the options of PyTorch's `torch.nn.Conv2d`: rectangular kernels, a stride, padding
/// (including `.same`) and a dilation per axis, and groups.
///
/// The weight has PyTorch's layout `[outChannels, inChannels / groups, kh, kw]`; an input
/// `[batch, inChannels, H, W]` gives `[batch, outChannels, H', W']` (see
/// ``conv2d(_:weight:bias:stride:padding:dilation:groups:)`` for the sum and the sizes). As in
/// PyTorch this is a cross-correlation with zeros outside the image. Initialisation is
/// PyTorch's: uniform in `(−1/√fanIn, 1/√fanIn)` with `fanIn = (inChannels / groups)·kh·kw`,
/// for the weight and the bias.
///
/// **Constraining the kernel.** Like ``Linear``'s weight, the kernel is a ``Constrained``
/// property. A parametrization receives the 4-D tensor: one that works on the last two axes
/// (``Skew``, ``Orthogonal``) constrains each `kh × kw` kernel; spectral normalisation
/// normalises the `[outChannels, (inChannels / groups)·kh·kw]` view, as PyTorch's
/// `spectral_norm` does.
///
/// ```swift
/// let conv = Conv2d<Double>(3, 8, kernelSize: 3, padding: 1, seed: 0)
/// let wide = Conv2d<Double>(8, 8, kernelSize: [1, 5], padding: .same, dilation: [1, 2], groups: 4, seed: 1)
/// let skew = Conv2d(3, 8, kernelSize: 3, weight: Skew<Double>())   // every 3×3 kernel skew
/// let y = conv(images)   // [n, 3, 32, 32] → [n, 8, 32, 32]
/// ```
///
/// Implementation: `im2col` gathers every receptive field into a column
/// (`[batch, C·kh·kw, H'·W']`), then one GEMM per image (per group) multiplies by the kernel
/// matrix. The pullback of `im2col` is `col2im`, which adds each column back into the image
/// positions it came from.
public final class Conv2d<Scalar: TensorScalar>: Layer {
    /// The kernel, `[outChannels, inChannels / groups, kh, kw]`: the constrained value when
    /// constrained.
    @AnyConstrained public var weight: Tensor<Scalar>
    let _bias: Parameter<Scalar>?

    /// The bias, `[outChannels]`, or nil. Settable when present.
    public var bias: Tensor<Scalar>? {
        get { _bias?.wrappedValue }
        set {
            guard let _bias, let newValue else {
                preconditionFailure("Conv2d: a bias can be replaced, not added or removed (has one: \(_bias != nil))")
            }
            _bias.wrappedValue = newValue
        }
    }
    /// The step between receptive fields, per axis.
    public let stride: Size2D
    /// The zeros added around the image.
    public let padding: Padding2D
    /// The spacing between kernel taps, per axis (1: adjacent pixels).
    public let dilation: Size2D
    /// The number of channel groups (1: every output sees every input).
    public let groups: Int

    /// A convolution from given values: `weight` `[out, in / groups, kh, kw]`, `bias` `[out]`
    /// or nil.
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>?, stride: Size2D = 1, padding: Padding2D = 0,
                dilation: Size2D = 1, groups: Int = 1,
                weightParametrization: (any Parametrization<Scalar>)? = nil) {
        precondition(weight.rank == 4, "Conv2d: weight must be [out, in / groups, kh, kw], got shape \(weight.shape)")
        precondition(groups > 0 && weight.shape[0] % groups == 0,
                     "Conv2d: groups \(groups) must be positive and divide the \(weight.shape[0]) output channels")
        precondition(stride.height > 0 && stride.width > 0 && dilation.height > 0 && dilation.width > 0,
                     "Conv2d: stride \(stride) and dilation \(dilation) must be positive")
        if case .explicit(let p) = padding {
            precondition(p.height >= 0 && p.width >= 0, "Conv2d: padding \(p) must be non-negative")
        }
        if padding == .same {
            precondition(stride == 1, "Conv2d: padding .same needs stride 1, got \(stride) (as in PyTorch)")
        }
        if let bias {
            precondition(bias.shape == [weight.shape[0]],
                         "Conv2d: bias shape \(bias.shape) does not match weight shape \(weight.shape)")
        }
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        _weight = Constrained.registering(weightParametrization, on: weight)
        _bias = bias.map { Parameter(wrappedValue: $0) }
    }

    /// A randomly initialised convolution (PyTorch's initialisation) drawing from `generator`.
    ///
    /// - Precondition: channels and kernel sizes are positive, and `groups` divides both
    ///   channel counts.
    public convenience init<G: RandomNumberGenerator>(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Padding2D = 0,
        dilation: Size2D = 1, groups: Int = 1, bias: Bool = true,
        weight parametrization: (any Parametrization<Scalar>)? = nil, using generator: inout G
    ) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize.height > 0 && kernelSize.width > 0,
                     "Conv2d: channels and kernel size must be positive, got \(inChannels) → \(outChannels), kernel \(kernelSize)")
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2d: groups \(groups) must divide both \(inChannels) input and \(outChannels) output channels")
        let fanIn = inChannels / groups * kernelSize.height * kernelSize.width
        let bound = 1 / Scalar(fanIn).squareRoot()
        let w = Tensor<Scalar>.randomUniform([outChannels, inChannels / groups, kernelSize.height, kernelSize.width],
                                             from: -bound, to: bound, using: &generator)
        let b = bias ? Tensor<Scalar>.randomUniform([outChannels], from: -bound, to: bound, using: &generator) : nil
        self.init(weight: w, bias: b, stride: stride, padding: padding, dilation: dilation, groups: groups)
        // A start outside the constraint's set starts at `p.forward(w)` instead (see Linear).
        _weight = Constrained.startingOrStop(at: w, under: parametrization,
                                             layer: "Conv2d(\(inChannels), \(outChannels), kernelSize: \(kernelSize))",
                                             fix: "conv.constrainWeight(p)")
    }

    /// A randomly initialised convolution, reproducible from `seed` (system randomness when nil).
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Size2D, stride: Size2D = 1,
                            padding: Padding2D = 0, dilation: Size2D = 1, groups: Int = 1, bias: Bool = true,
                            seed: UInt64? = nil) {
        self.init(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                  dilation: dilation, groups: groups, bias: bias, parametrization: nil, seed: seed)
    }

    /// A randomly initialised convolution whose kernel satisfies the constraint `weight`.
    public convenience init<P: Parametrization>(_ inChannels: Int, _ outChannels: Int, kernelSize: Size2D,
                                                stride: Size2D = 1, padding: Padding2D = 0, dilation: Size2D = 1,
                                                groups: Int = 1, bias: Bool = true,
                                                weight: P, seed: UInt64? = nil) where P.Scalar == Scalar {
        self.init(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                  dilation: dilation, groups: groups, bias: bias, parametrization: weight, seed: seed)
    }

    private convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Size2D, stride: Size2D,
                             padding: Padding2D, dilation: Size2D, groups: Int, bias: Bool,
                             parametrization: (any Parametrization<Scalar>)?, seed: UInt64?) {
        if let seed {
            var g = SeededGenerator(seed: seed)
            self.init(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                      dilation: dilation, groups: groups, bias: bias, weight: parametrization, using: &g)
        } else {
            var g = SystemRandomNumberGenerator()
            self.init(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                      dilation: dilation, groups: groups, bias: bias, weight: parametrization, using: &g)
        }
    }

    /// Puts the constraint `parametrization` on the kernel, replacing any earlier one; the
    /// current kernel is taken as the constrained value. Register before creating the optimizer.
    ///
    /// - Throws: what the parametrization's `register(shape:)` or right inverse throws; the
    ///   layer is then unchanged.
    public func constrainWeight<P: Parametrization>(_ parametrization: P) throws where P.Scalar == Scalar {
        let current = withoutRecording { weight }
        _weight = try Constrained.registered(parametrization, on: current)
        structureDidChange()   // a new property object: cached traversals must see it
    }

    /// The convolution of `x` `[batch, inChannels, H, W]`.
    @inlinable
    public func callAsFunction(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}

extension Conv2d where Scalar == Double {
    /// A randomly initialised convolution of `Double`s when the scalar type is not written:
    /// `Conv2d(3, 8, kernelSize: 3)`. Write `Conv2d<Float>(…)` for `Float`.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Size2D, stride: Size2D = 1,
                            padding: Padding2D = 0, dilation: Size2D = 1, groups: Int = 1, bias: Bool = true,
                            seed: UInt64? = nil) {
        self.init(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                  dilation: dilation, groups: groups, bias: bias, parametrization: nil, seed: seed)
    }
}
