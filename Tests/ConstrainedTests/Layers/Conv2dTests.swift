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
                              stride: Int(stride), padding: Int(padding))
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
                conv2d(xs[0], weight: xs[1], bias: xs[2], stride: stride, padding: padding)
            }
            #expect(check.passed, "stride \(stride), padding \(padding): \(check)")
        }
    }

    @Test func col2imIsTheAdjointOfIm2col() {
        // ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for any x, c (overlaps and padding included).
        let x = Tensor<Double>.randomNormal([2, 3, 6, 5], seed: 4)
        let g = ConvolutionGeometry(input: x.shape, kernel: 3, stride: 2, padding: 1)
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
        let conv = Conv2d<Double>(2, 3, kernelSize: 2, seed: 3)
        let before = conv.weight
        try conv.constrainWeight(ScaledMatrixView())
        #expect(maxRelativeError(conv.weight, before) <= tolerance(Double.self))
        #expect(conv.stateNames == ["weight.0.scale", "weight.0.calls"])
        let x = Tensor<Double>.randomNormal([1, 2, 4, 4], seed: 4)
        let check = try layerGradientCheck(conv) { weightedSum($0(x)) }
        #expect(check.passed, "\(check)")
    }
}
