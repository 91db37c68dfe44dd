/// The 2-D cross-correlation of `x` `[n, c, h, w]` with `weight` `[o, c/groups, kh, kw]`, plus
/// `bias` `[o]` (or nil), as `torch.nn.functional.conv2d`: `[n, o, h', w']`.
///
/// ```
/// y[n, o, p, q] = b[o] + Σ_{c ∈ group(o), i, j} W[o, c, i, j] · x[n, c, p·sₕ − padₕ + i·dₕ, q·s_w − pad_w + j·d_w]
/// h' = ⌊(h + padding above + padding below − dₕ·(kh − 1) − 1) / sₕ⌋ + 1
/// ```
/// with zeros outside the image (`s` the stride, `d` the dilation). With `groups: g` the
/// channels split into `g` groups of `c/g` inputs and `o/g` outputs, group `k`'s outputs
/// seeing only group `k`'s inputs (`groups: c` with `o = c` is a depthwise convolution).
///
/// Differentiable in `x`, `weight` and `bias` (im2col + GEMM forward; col2im in the pullback).
///
/// ```swift
/// let y = conv2d(x, weight: w, bias: b, stride: [2, 1], padding: .same, dilation: 2)
/// ```
///
/// - Precondition: `x` and `weight` have rank 4, `c = weight.shape[1] · groups`, `o` is a
///   multiple of `groups`, the padded input is at least the dilated kernel, and `.same`
///   padding has stride 1 (as PyTorch requires).
@inlinable
public func conv2d<Scalar>(_ x: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>?,
                           stride: Size2D = 1, padding: Padding2D = 0, dilation: Size2D = 1,
                           groups: Int = 1) -> Tensor<Scalar> {
    precondition(x.rank == 4 && weight.rank == 4 && groups > 0 && x.shape[1] == weight.shape[1] * groups
                 && weight.shape[0] % groups == 0,
                 "conv2d: input shape \(x.shape) ([n, c, h, w]) does not match weight shape \(weight.shape) ([o, c/groups, kh, kw]) with groups \(groups)")
    let geometry = ConvolutionGeometry(input: x.shape, kernel: Size2D(weight.shape[2], weight.shape[3]),
                                       stride: stride, padding: padding, dilation: dilation, groups: groups)
    let outChannels = weight.shape[0]
    let columns = ConvolutionGeometry.im2col(x, geometry)                         // [n, c·kh·kw, h'·w']
    var y: Tensor<Scalar>
    if groups == 1 {
        let kernels = weight.reshaped(to: [outChannels, geometry.patchSize])      // [o, c·kh·kw]
        y = matmul(kernels, columns)                                              // [n, o, h'·w']
    } else {
        // The column rows are ordered (channel, i, j), so each group's rows are contiguous.
        let groupPatch = geometry.patchSize / groups
        let kernels = weight.reshaped(to: [groups, outChannels / groups, groupPatch])
        let grouped = columns.reshaped(to: [geometry.batch, groups, groupPatch, geometry.positions])
        y = matmul(kernels, grouped).reshaped(to: [geometry.batch, outChannels, geometry.positions])
    }
    if let bias {
        precondition(bias.shape == [outChannels], "conv2d: bias shape \(bias.shape) does not match \(outChannels) output channels")
        y = y + bias.reshaped(to: [outChannels, 1])
    }
    return y.reshaped(to: [geometry.batch, outChannels, geometry.outputHeight, geometry.outputWidth])
}

/// The sizes of a convolution and its `im2col`/`col2im` kernels.
@usableFromInline
struct ConvolutionGeometry: Sendable {
    @usableFromInline let batch, channels, height, width: Int
    @usableFromInline let kernelHeight, kernelWidth, strideHeight, strideWidth: Int
    @usableFromInline let dilationHeight, dilationWidth: Int
    /// Zero rows above and zero columns left of the image (the padding below and right
    /// follows from the output size).
    @usableFromInline let padTop, padLeft: Int
    @usableFromInline let outputHeight, outputWidth: Int

    @inlinable
    init(input shape: [Int], kernel: Size2D, stride: Size2D, padding: Padding2D, dilation: Size2D, groups: Int) {
        precondition(stride.height > 0 && stride.width > 0 && dilation.height > 0 && dilation.width > 0
                     && kernel.height > 0 && kernel.width > 0,
                     "conv2d: stride \(stride), dilation \(dilation) and kernel \(kernel) must be positive")
        batch = shape[0]; channels = shape[1]; height = shape[2]; width = shape[3]
        kernelHeight = kernel.height; kernelWidth = kernel.width
        strideHeight = stride.height; strideWidth = stride.width
        dilationHeight = dilation.height; dilationWidth = dilation.width
        let spanHeight = dilation.height * (kernel.height - 1), spanWidth = dilation.width * (kernel.width - 1)
        let totalHeight: Int, totalWidth: Int
        switch padding {
        case .explicit(let p):
            precondition(p.height >= 0 && p.width >= 0, "conv2d: padding \(p) must be non-negative")
            padTop = p.height; padLeft = p.width
            totalHeight = 2 * p.height; totalWidth = 2 * p.width
        case .valid:
            padTop = 0; padLeft = 0; totalHeight = 0; totalWidth = 0
        case .same:
            precondition(stride.height == 1 && stride.width == 1,
                         "conv2d: padding .same needs stride 1, got \(stride) (as in PyTorch)")
            padTop = spanHeight / 2; padLeft = spanWidth / 2
            totalHeight = spanHeight; totalWidth = spanWidth
        }
        precondition(height + totalHeight > spanHeight && width + totalWidth > spanWidth,
                     "conv2d: kernel \(kernel) with dilation \(dilation) is larger than the padded input \(shape)")
        outputHeight = (height + totalHeight - spanHeight - 1) / stride.height + 1
        outputWidth = (width + totalWidth - spanWidth - 1) / stride.width + 1
    }

    /// Rows of a column matrix: `c·kh·kw`, ordered (channel, kernel row, kernel column) to
    /// match the weight's row-major `[c, kh, kw]`.
    @inlinable var patchSize: Int { channels * kernelHeight * kernelWidth }
    /// Columns of a column matrix: one per output position.
    @inlinable var positions: Int { outputHeight * outputWidth }

    /// Calls `body(row, column, imageOffset)` for every in-bounds (row, column) entry of one
    /// image's column matrix, with the offset of the pixel it reads within the image.
    /// Padding entries are skipped.
    @inlinable
    func forEachEntry(_ body: (Int, Int, Int) -> Void) {
        for c in 0..<channels {
            for i in 0..<kernelHeight {
                for j in 0..<kernelWidth {
                    let row = (c * kernelHeight + i) * kernelWidth + j
                    for p in 0..<outputHeight {
                        let r = p * strideHeight - padTop + i * dilationHeight
                        guard r >= 0 && r < height else { continue }
                        for q in 0..<outputWidth {
                            let s = q * strideWidth - padLeft + j * dilationWidth
                            guard s >= 0 && s < width else { continue }
                            body(row, p * outputWidth + q, (c * height + r) * width + s)
                        }
                    }
                }
            }
        }
    }

    /// `x` `[n, c, h, w]` → columns `[n, c·kh·kw, h'·w']` (zeros for padding), differentiable
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

    /// The adjoint of ``im2col(_:_:)``: columns `[n, c·kh·kw, h'·w']` → image `[n, c, h, w]`,
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
