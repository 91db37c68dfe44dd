import Testing
import LinAlg

/// Every call spelled in Docs/LinAlg.md's kernel list compiles as written and gives the
/// documented shape (the list is the user's reference for the call syntax).
@Test func theDocumentedCallSyntaxCompilesAndRuns() throws {
    let x = Tensor<Double>.randomNormal([2, 3], seed: 1), y = Tensor<Double>.randomNormal([2, 3], seed: 2)
    let s = Tensor<Double>.randomNormal([3, 3], seed: 3), d = Tensor<Double>([1, 2, 3])
    var z = x
    z += y; z -= y; z *= y; z *= 2
    let arithmetic = [x + y, x - y, x * y, x / (abs(y) + 1), 2 * x, x / 3,
                      Tensor.broadcastingMap(x, y) { $0 * $1 }, x.map { $0 * 2 }, z]
    #expect(arithmetic.allSatisfy { $0.shape == [2, 3] })
    #expect(x.reshaped(to: [3, 2]).shape == [3, 2] && x.flattened().shape == [6] && x.transposed().shape == [3, 2])
    #expect(Tensor<Double>.zeros([2, 3, 4]).permuted(2, 0, 1).shape == [4, 2, 3])
    #expect(x.expandingShape(at: 0).shape == [1, 2, 3] && x.expandingShape(at: 0).squeezingShape(at: 0).shape == [2, 3])
    #expect(d.broadcast(to: [4, 3]).shape == [4, 3] && x.summed(toShape: [1, 3]).shape == [1, 3])
    #expect(x.slice(1..<3, alongAxis: 1).shape == [2, 2] && x.slice(at: 0).shape == [3])
    #expect(x.padded(forSizes: [(1, 1), (0, 2)]).shape == [4, 5])
    #expect(s.diagonal(offset: 0).shape == [3] && s.triu(1).shape == [3, 3] && s.tril(-1).shape == [3, 3])
    #expect(s.trace().shape == [] && x.clamped(to: 0...1).shape == [2, 3])
    #expect(concatenate([x, y], alongAxis: 0).shape == [4, 3] && stack([x, y], alongAxis: 0).shape == [2, 2, 3])
    #expect(Tensor.diagonalMatrix(d).shape == [3, 3] && Tensor.where(x .> 0, x, y).shape == [2, 3])
    #expect(x.sum().shape == [] && x.sum(alongAxes: 0, keepingDimensions: true).shape == [1, 3])
    #expect(x.mean().shape == [] && x.mean(alongAxes: 1).shape == [2])
    #expect(x.max().shape == [] && x.min().shape == [] && x.max(alongAxes: 0).shape == [3])
    #expect(x.norm().shape == [] && x.norm(alongAxes: 1).shape == [2])
    #expect(x.logSumExp().shape == [] && x.logSumExp(alongAxes: 1).shape == [2])
    let positive = abs(x) + 0.5
    let elementwise = [exp(x), expm1(x), log(positive), log1p(positive), sqrt(positive), rsqrt(positive),
                       square(x), pow(positive, 2.5), abs(x), sin(x), cos(x), tanh(x), sigmoid(x),
                       logSigmoid(x), softplus(x), relu(x), max(x, y), min(x, y), max(x, 0), min(1, x),
                       softmax(x, alongAxis: -1), logSoftmax(x, alongAxis: -1)]
    #expect(elementwise.allSatisfy { $0.shape == [2, 3] })
    #expect(try cayley(s - s.transposed(), scale: 0.5, base: s).shape == [3, 3])
    #expect(try cayley(skewOfLowerTriangle: s, scale: 0.5).shape == [3, 3])
    #expect(matmul(x, s).shape == [2, 3] && matmul(x, transposed: false, y, transposed: true).shape == [2, 2])
    let masks = [x .< y, x .<= y, x .> y, x .>= y, x .== y, x .!= y, x .< 0, 0 .< x]
    #expect(masks.allSatisfy { $0.shape == [2, 3] && $0.scalars.allSatisfy { $0 == 0 || $0 == 1 } })
}
