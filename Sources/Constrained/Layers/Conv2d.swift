/// A two-dimensional convolution over `NCHW` inputs whose kernel can carry a constraint.
///
/// The weight has PyTorch's layout `[outChannels, inChannels, k, k]`; an input
/// `[batch, inChannels, H, W]` gives `[batch, outChannels, H', W']` with
/// `H' = ⌊(H + 2·padding − k) / stride⌋ + 1` (and the same for `W'`). As in PyTorch this is a
/// cross-correlation: `y[n, o, p, q] = b[o] + Σ_{c,i,j} W[o, c, i, j] · x[n, c, p·s − pad + i, q·s − pad + j]`,
/// with zeros outside the image. Initialisation is PyTorch's: uniform in `(−1/√fanIn, 1/√fanIn)`
/// with `fanIn = inChannels · k²`.
///
/// **Constraining the kernel.** Like ``Linear``'s weight, the kernel is a ``Constrained``
/// property. A parametrization receives the 4-D tensor: one that works on the last two axes
/// (``Skew``, ``Orthogonal``) constrains each `k × k` kernel; spectral normalisation
/// normalises the `[outChannels, inChannels·k²]` view, as PyTorch's `spectral_norm` does.
///
/// ```swift
/// let conv = Conv2d<Double>(3, 8, kernelSize: 3, padding: 1, seed: 0)
/// let skew = Conv2d(3, 8, kernelSize: 3, weight: Skew<Double>())   // every 3×3 kernel skew
/// let y = conv(images)   // [n, 3, 32, 32] → [n, 8, 32, 32]
/// ```
///
/// Implementation: `im2col` gathers every receptive field into a column (`[batch, C·k², H'·W']`),
/// then one GEMM per image multiplies by the `[outChannels, C·k²]` kernel matrix. The pullback
/// of `im2col` is `col2im`, which adds each column back into the image positions it came from.
public final class Conv2d<Scalar: TensorScalar>: Layer {
    /// The kernel, `[outChannels, inChannels, k, k]`: the constrained value when constrained.
    @Constrained public var weight: Tensor<Scalar>
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
    /// The step between receptive fields, in both directions.
    public let stride: Int
    /// The zeros added on every side of the image.
    public let padding: Int

    /// A convolution from given values: `weight` `[out, in, k, k]`, `bias` `[out]` or nil.
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>?, stride: Int = 1, padding: Int = 0,
                weightParametrization: (any Parametrization<Scalar>)? = nil) {
        precondition(weight.rank == 4 && weight.shape[2] == weight.shape[3],
                     "Conv2d: weight must be [out, in, k, k], got shape \(weight.shape)")
        precondition(stride > 0 && padding >= 0, "Conv2d: stride \(stride) must be positive, padding \(padding) non-negative")
        if let bias {
            precondition(bias.shape == [weight.shape[0]],
                         "Conv2d: bias shape \(bias.shape) does not match weight shape \(weight.shape)")
        }
        self.stride = stride
        self.padding = padding
        _weight = Constrained.registering(weightParametrization, on: weight)
        _bias = bias.map { Parameter(wrappedValue: $0) }
    }

    /// A randomly initialised convolution (PyTorch's initialisation) drawing from `generator`.
    public convenience init<G: RandomNumberGenerator>(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        bias: Bool = true, weight parametrization: (any Parametrization<Scalar>)? = nil,
        using generator: inout G
    ) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0,
                     "Conv2d: channels and kernel size must be positive, got \(inChannels) → \(outChannels), k = \(kernelSize)")
        let bound = 1 / Scalar(inChannels * kernelSize * kernelSize).squareRoot()
        let w = Tensor<Scalar>.randomUniform([outChannels, inChannels, kernelSize, kernelSize],
                                             from: -bound, to: bound, using: &generator)
        let b = bias ? Tensor<Scalar>.randomUniform([outChannels], from: -bound, to: bound, using: &generator) : nil
        self.init(weight: w, bias: b, stride: stride, padding: padding)
        // A start outside the constraint's set starts at `p.forward(w)` instead (see Linear).
        _weight = Constrained.startingOrStop(at: w, under: parametrization, layer: "Conv2d(\(inChannels), \(outChannels), kernelSize: \(kernelSize))",
                                             fix: "conv.constrainWeight(p)")
    }

    /// A randomly initialised convolution, reproducible from `seed` (system randomness when nil).
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1,
                            padding: Int = 0, bias: Bool = true, seed: UInt64? = nil) {
        self.init(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                  bias: bias, parametrization: nil, seed: seed)
    }

    /// A randomly initialised convolution whose kernel satisfies the constraint `weight`.
    public convenience init<P: Parametrization>(_ inChannels: Int, _ outChannels: Int, kernelSize: Int,
                                                stride: Int = 1, padding: Int = 0, bias: Bool = true,
                                                weight: P, seed: UInt64? = nil) where P.Scalar == Scalar {
        self.init(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                  bias: bias, parametrization: weight, seed: seed)
    }

    private convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int, padding: Int,
                             bias: Bool, parametrization: (any Parametrization<Scalar>)?, seed: UInt64?) {
        if let seed {
            var g = SeededGenerator(seed: seed)
            self.init(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                      bias: bias, weight: parametrization, using: &g)
        } else {
            var g = SystemRandomNumberGenerator()
            self.init(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                      bias: bias, weight: parametrization, using: &g)
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
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }
}

/// The 2-D cross-correlation of `x` `[n, c, h, w]` with `weight` `[o, c, k, k]`, plus `bias`
/// `[o]` (or nil): `[n, o, h', w']`, `h' = ⌊(h + 2·padding − k) / stride⌋ + 1`.
///
/// Differentiable in `x`, `weight` and `bias` (im2col + GEMM forward; col2im in the pullback).
@inlinable
public func conv2d<Scalar>(_ x: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>?,
                           stride: Int = 1, padding: Int = 0) -> Tensor<Scalar> {
    precondition(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[1] && weight.shape[2] == weight.shape[3],
                 "conv2d: input shape \(x.shape) ([n, c, h, w]) does not match weight shape \(weight.shape) ([o, c, k, k])")
    let geometry = ConvolutionGeometry(input: x.shape, kernel: weight.shape[2], stride: stride, padding: padding)
    let outChannels = weight.shape[0]
    let columns = ConvolutionGeometry.im2col(x, geometry)                        // [n, c·k², h'·w']
    let kernels = weight.reshaped(to: [outChannels, geometry.patchSize])         // [o, c·k²]
    var y = matmul(kernels, columns)                                             // [n, o, h'·w']
    if let bias {
        precondition(bias.shape == [outChannels], "conv2d: bias shape \(bias.shape) does not match \(outChannels) output channels")
        y = y + bias.reshaped(to: [outChannels, 1])
    }
    return y.reshaped(to: [geometry.batch, outChannels, geometry.outputHeight, geometry.outputWidth])
}

/// The sizes of a convolution and its `im2col`/`col2im` kernels.
@usableFromInline
struct ConvolutionGeometry: Sendable {
    @usableFromInline let batch, channels, height, width, kernel, stride, padding: Int
    @usableFromInline let outputHeight, outputWidth: Int

    @inlinable
    init(input shape: [Int], kernel: Int, stride: Int, padding: Int) {
        precondition(stride > 0 && padding >= 0, "conv2d: stride \(stride) must be positive, padding \(padding) non-negative")
        batch = shape[0]; channels = shape[1]; height = shape[2]; width = shape[3]
        self.kernel = kernel; self.stride = stride; self.padding = padding
        precondition(height + 2 * padding >= kernel && width + 2 * padding >= kernel,
                     "conv2d: kernel \(kernel)×\(kernel) is larger than the padded input \(shape)")
        outputHeight = (height + 2 * padding - kernel) / stride + 1
        outputWidth = (width + 2 * padding - kernel) / stride + 1
    }

    /// Rows of a column matrix: `c·k²`, ordered (channel, kernel row, kernel column) to match
    /// the weight's row-major `[c, k, k]`.
    @inlinable var patchSize: Int { channels * kernel * kernel }
    /// Columns of a column matrix: one per output position.
    @inlinable var positions: Int { outputHeight * outputWidth }

    /// Calls `body(row, column, imageOffset)` for every in-bounds (row, column) entry of one
    /// image's column matrix, with the offset of the pixel it reads within the image.
    /// Padding entries are skipped.
    @inlinable
    func forEachEntry(_ body: (Int, Int, Int) -> Void) {
        for c in 0..<channels {
            for i in 0..<kernel {
                for j in 0..<kernel {
                    let row = (c * kernel + i) * kernel + j
                    for p in 0..<outputHeight {
                        let r = p * stride - padding + i
                        guard r >= 0 && r < height else { continue }
                        for q in 0..<outputWidth {
                            let s = q * stride - padding + j
                            guard s >= 0 && s < width else { continue }
                            body(row, p * outputWidth + q, (c * height + r) * width + s)
                        }
                    }
                }
            }
        }
    }

    /// `x` `[n, c, h, w]` → columns `[n, c·k², h'·w']` (zeros for padding), differentiable
    /// (pullback: ``col2im(_:_:)``).
    @inlinable
    static func im2col<Scalar>(_ x: Tensor<Scalar>, _ g: ConvolutionGeometry) -> Tensor<Scalar> {
        let rows = g.patchSize, cols = g.positions, image = g.channels * g.height * g.width
        var out = Tensor<Scalar>(shape: [g.batch, rows, cols]) { out in
            out.initialize(repeating: 0)
            x.withUnsafeBufferPointer { xs in
                for n in 0..<g.batch {
                    let src = xs.baseAddress! + n * image, dst = out.baseAddress! + n * rows * cols
                    g.forEachEntry { row, col, offset in dst[row * cols + col] = src[offset] }
                }
            }
        }
        if let tapeID = Tensor.recordingTapeID(x) {
            out.record(tapeID, "im2col", x) { grad in col2im(grad, g) }
        }
        return out
    }

    /// The adjoint of ``im2col(_:_:)``: columns `[n, c·k², h'·w']` → image `[n, c, h, w]`,
    /// each entry added to the pixel it was read from (overlapping fields accumulate).
    @inlinable
    static func col2im<Scalar>(_ columns: Tensor<Scalar>, _ g: ConvolutionGeometry) -> Tensor<Scalar> {
        let rows = g.patchSize, cols = g.positions, image = g.channels * g.height * g.width
        var out = Tensor<Scalar>(shape: [g.batch, g.channels, g.height, g.width]) { out in
            out.initialize(repeating: 0)
            columns.withUnsafeBufferPointer { cs in
                for n in 0..<g.batch {
                    let src = cs.baseAddress! + n * rows * cols, dst = out.baseAddress! + n * image
                    g.forEachEntry { row, col, offset in dst[offset] += src[row * cols + col] }
                }
            }
        }
        if let tapeID = Tensor.recordingTapeID(columns) {
            out.record(tapeID, "col2im", columns) { grad in im2col(grad, g) }
        }
        return out
    }
}

extension Conv2d where Scalar == Double {
    /// A randomly initialised convolution of `Double`s when the scalar type is not written:
    /// `Conv2d(3, 8, kernelSize: 3)`. Write `Conv2d<Float>(…)` for `Float`.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1,
                            padding: Int = 0, bias: Bool = true, seed: UInt64? = nil) {
        self.init(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                  bias: bias, parametrization: nil, seed: seed)
    }
}
