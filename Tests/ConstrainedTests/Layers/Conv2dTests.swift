import Testing
@testable import Constrained

@Suite("Conv2d")
struct Conv2dTests {
    func matchesDirectConvolution<S: TensorScalar>(_: S.Type) throws {
        for c in try Fixture.load("layers_conv2d").cases {
            guard case .number(let stride) = c.params?["stride"], case .number(let padding) = c.params?["padding"] else {
                Issue.record("\(c.name): missing stride/padding"); continue
            }
            let conv = Conv2d(weight: c.input("weight", as: S.self), bias: c.input("bias", as: S.self),
                              stride: Size2D(Int(stride)), padding: .explicit(Size2D(Int(padding))))
            let y = conv(c.input("x", as: S.self))
            let expected: Tensor<S> = c.output("y")
            #expect(y.shape == expected.shape, "\(c.name)")
            let error = maxRelativeError(y, expected)
            #expect(error <= tolerance(S.self) * 8, "\(c.name): relative error \(error)")
        }
    }

    @Test func outputMatchesNumPyDirectConvolution() throws {
        try matchesDirectConvolution(Float.self)
        try matchesDirectConvolution(Double.self)
    }

    func shapes<S: TensorScalar>(_: S.Type) {
        let conv = Conv2d<S>(3, 8, kernelSize: 3, stride: 2, padding: 1, seed: 0)
        #expect(conv.weight.shape == [8, 3, 3, 3])
        #expect(conv(Tensor<S>.zeros([2, 3, 9, 8])).shape == [2, 8, 5, 4])
        let bound = 1 / S(27).squareRoot()
        #expect(conv.weight.scalars.allSatisfy { abs($0) <= bound })
        #expect(conv.parameterNames == ["weight", "bias"])
    }

    @Test func outputShapeFollowsStrideAndPaddingAndInitIsPyTorchs() {
        shapes(Float.self)
        shapes(Double.self)
    }

    @Test func gradientsInInputKernelAndBiasMatchFiniteDifferences() throws {
        for (stride, padding) in [(1, 0), (2, 1), (1, 2)] {
            let x = Tensor<Double>.randomNormal([2, 2, 5, 4], seed: 1)
            let w = Tensor<Double>.randomNormal([3, 2, 3, 3], seed: 2)
            let b = Tensor<Double>.randomNormal([3], seed: 3)
            let check = try gradientCheck(at: [x, w, b]) { xs in
                conv2d(xs[0], weight: xs[1], bias: xs[2], stride: Size2D(stride), padding: .explicit(Size2D(padding)))
            }
            #expect(check.passed, "stride \(stride), padding \(padding): \(check)")
        }
    }

    @Test func col2imIsTheAdjointOfIm2col() {
        // ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for any x, c (overlaps and padding included).
        let x = Tensor<Double>.randomNormal([2, 3, 6, 5], seed: 4)
        let g = ConvolutionGeometry(input: x.shape, kernel: [3, 2], stride: [2, 1], padding: [1, 2],
                                    dilation: [2, 1], groups: 1)
        let columns = ConvolutionGeometry.im2col(x, g)
        let c = Tensor<Double>.randomNormal(columns.shape, seed: 5)
        let lhs = (columns * c).sum().scalar
        let rhs = (x * ConvolutionGeometry.col2im(c, g)).sum().scalar
        #expect(abs(lhs - rhs) <= 1e-12 * max(1, abs(lhs)))
    }

    // MARK: Constrained kernels

    func skewKernels<S: TensorScalar>(_: S.Type) {
        let conv = Conv2d(2, 3, kernelSize: 3, padding: 1, weight: SkewPart<S>(), seed: 6)
        let w = conv.weight
        #expect(largestDifference(w, -w.transposed()) == 0, "every 3×3 kernel is skew-symmetric")
        #expect(conv.parameterNames == ["weight.original", "bias"])
        let x = Tensor<S>.randomNormal([1, 2, 4, 4], seed: 7)
        let y = conv(x)
        #expect(y.shape == [1, 3, 4, 4])
        let expected = conv2d(x, weight: w, bias: conv.bias, padding: 1)
        #expect(maxRelativeError(y, expected) <= tolerance(S.self))
    }

    @Test func skewParametrizationMakesEverySquareKernelSkew() {
        skewKernels(Float.self)
        skewKernels(Double.self)
    }

    @Test func skewKernelGradientsReachTheOriginal() throws {
        let conv = Conv2d(2, 2, kernelSize: 2, stride: 1, padding: 1, weight: SkewPart<Double>(), seed: 1)
        let x = Tensor<Double>.randomNormal([2, 2, 3, 3], seed: 2)
        let check = try layerGradientCheck(conv) { weightedSum($0(x)) }
        #expect(check.passed, "\(check)")
        #expect(check.checkedNames == ["weight.original", "bias"])
    }

    @Test func matrixViewParametrizationSeesTheOutByRestViewAndReportsItsState() throws {
        // Row normalisation of the [out, in·k·k] view: every output channel's whole kernel gets
        // norm 1, which no other view of the 4-D weight produces (a per-k×k-kernel view would
        // give every 2×2 kernel norm 1 instead).
        let conv = Conv2d<Double>(2, 3, kernelSize: 2, seed: 3)
        try conv.constrainWeight(RowNormalizedView())
        let w = conv.weight
        for o in 0..<3 {
            let kernel = w.slice(o..<(o + 1), alongAxis: 0)
            #expect(abs(kernel.norm().scalar - 1) <= 1e-14, "output channel \(o)")
            let first = kernel.slice(0..<1, alongAxis: 1)
            #expect(abs(first.norm().scalar - 1) > 1e-3, "not normalised per input channel")
        }
        #expect(conv.stateNames == ["weight.0.calls"])
        let x = Tensor<Double>.randomNormal([1, 2, 4, 4], seed: 4)
        let check = try layerGradientCheck(conv) { weightedSum($0(x)) }
        #expect(check.passed, "\(check)")
    }

    // MARK: PyTorch's options

    /// The options of a `pytorch_conv2d` fixture case.
    struct Options {
        let stride: Size2D, padding: Padding2D, dilation: Size2D, groups: Int

        init(_ c: Fixture.Case) {
            func number(_ key: String) -> Int {
                guard case .number(let v) = c.params?[key] else { fatalError("\(c.name): no \(key)") }
                return Int(v)
            }
            guard case .string(let p) = c.params?["padding"] else { fatalError("\(c.name): no padding") }
            switch p {
            case "same": padding = .same
            case "valid": padding = .valid
            default:
                let parts = p.split(separator: ",").map { Int($0)! }
                padding = .explicit(Size2D(parts[0], parts[1]))
            }
            stride = Size2D(number("stride_h"), number("stride_w"))
            dilation = Size2D(number("dilation_h"), number("dilation_w"))
            groups = number("groups")
        }
    }

    func matchesPyTorch<S: TensorScalar>(_: S.Type, tolerance: S) throws {
        let cases = try Fixture.load("pytorch_conv2d").cases
        #expect(cases.count == 10)
        for c in cases {
            let o = Options(c)
            let bias: Tensor<S>? = c.inputs["bias"] == nil ? nil : c.input("bias", as: S.self)
            let conv = Conv2d(weight: c.input("weight", as: S.self), bias: bias, stride: o.stride,
                              padding: o.padding, dilation: o.dilation, groups: o.groups)
            let y = conv(c.input("x", as: S.self))
            let expected: Tensor<S> = c.output("y")
            guard y.shape == expected.shape else {
                Issue.record("\(c.name): shape \(y.shape), PyTorch's \(expected.shape)"); continue
            }
            let error = maxRelativeError(y, expected)
            #expect(error <= tolerance, "\(c.name): relative error \(error)")
        }
    }

    @Test func everyOptionMatchesTorchFunctionalConv2d() throws {
        try matchesPyTorch(Double.self, tolerance: 1e-12)
        try matchesPyTorch(Float.self, tolerance: 1e-5)
    }

    @Test func everyOptionPassesTheGradientCheck() throws {
        for c in try Fixture.load("pytorch_conv2d").cases {
            let o = Options(c)
            let x: Tensor<Double> = c.input("x"), w: Tensor<Double> = c.input("weight")
            let hasBias = c.inputs["bias"] != nil
            let inputs = hasBias ? [x, w, c.input("bias")] : [x, w]
            let check = try gradientCheck(at: inputs) { xs in
                conv2d(xs[0], weight: xs[1], bias: hasBias ? xs[2] : nil, stride: o.stride,
                       padding: o.padding, dilation: o.dilation, groups: o.groups)
            }
            #expect(check.passed, "\(c.name): \(check)")
        }
    }

    @Test func samePaddingKeepsTheSizeAndPutsTheOddRowAfter() {
        // A 1×2 kernel of ones on a 1×3 image [1, 2, 3]: "same" pads one zero on the right only,
        // so the outputs are [1+2, 2+3, 3+0].
        let x = Tensor<Double>(shape: [1, 1, 1, 3], scalars: [1, 2, 3])
        let y = conv2d(x, weight: Tensor.ones([1, 1, 1, 2]), bias: nil, padding: .same)
        #expect(y.scalars == [3, 5, 3])
    }

    @Test func groupsSeparateTheChannels() {
        // Two groups: output 0 sees only input channel 0, output 1 only input channel 1.
        let x = Tensor<Double>(shape: [1, 2, 1, 1], scalars: [2, 3])
        let w = Tensor<Double>(shape: [2, 1, 1, 1], scalars: [10, 100])
        #expect(conv2d(x, weight: w, bias: nil, groups: 2).scalars == [20, 300])
    }

    func layerOptions<S: TensorScalar>(_: S.Type) {
        let conv = Conv2d<S>(4, 6, kernelSize: [3, 2], stride: [2, 1], padding: [1, 0], dilation: [1, 2],
                             groups: 2, seed: 5)
        #expect(conv.weight.shape == [6, 2, 3, 2])
        let bound = 1 / S(2 * 3 * 2).squareRoot()
        #expect(conv.weight.scalars.allSatisfy { abs($0) <= bound }, "fanIn = in/groups · kh · kw")
        let x = Tensor<S>.randomNormal([2, 4, 7, 6], seed: 6)
        let y = conv(x)
        #expect(y.shape == [2, 6, 4, 4])
        let direct = conv2d(x, weight: conv.weight, bias: conv.bias, stride: [2, 1], padding: [1, 0],
                            dilation: [1, 2], groups: 2)
        #expect(y == direct)
    }

    @Test func theLayerForwardsEveryOption() {
        layerOptions(Float.self)
        layerOptions(Double.self)
    }

    @Test func aConvolutionWithoutBiasHasNoBiasParameterAndNoOffset() throws {
        let conv = Conv2d<Double>(2, 3, kernelSize: 3, padding: .same, bias: false, seed: 7)
        #expect(conv.bias == nil)
        #expect(conv.parameterNames == ["weight"])
        // Linear in x without a bias: conv(0) = 0 and conv(2x) = 2 conv(x).
        let x = Tensor<Double>.randomNormal([1, 2, 4, 5], seed: 8)
        #expect(conv(Tensor<Double>.zeros(x.shape)).scalars.allSatisfy { $0 == 0 })
        #expect(maxRelativeError(conv(x * 2), conv(x) * 2) <= 1e-15)
        let check = try layerGradientCheck(conv) { weightedSum($0(x)) }
        #expect(check.passed, "\(check)")
        #expect(check.checkedNames == ["weight"])
    }
}

/// Divides each row of the `[out, rest]` view by its norm; counts its evaluations in a buffer.
struct RowNormalizedView: Parametrization {
    @Buffer var calls = Tensor<Double>([0])
    func forward(_ x: Tensor<Double>) -> Tensor<Double> {
        calls = calls + 1
        let matrix = x.reshaped(to: [x.shape[0], -1])
        let norms = matrix.norm(alongAxes: [1], keepingDimensions: true)
        return (matrix / norms).reshaped(to: x.shape)
    }
}
