import Testing
@testable import LinAlg

@Suite("Elementwise arithmetic and broadcasting")
struct ArithmeticTests {
    func broadcastsRowsAndColumns<S: TensorScalar>(_: S.Type) {
        let a = Tensor<S>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let row = Tensor<S>([10, 20, 30])
        let column = Tensor<S>(shape: [2, 1], scalars: [100, 200])
        #expect((a + row).scalars == [11, 22, 33, 14, 25, 36])
        #expect((a * column).scalars == [100, 200, 300, 800, 1000, 1200])
        #expect((row - column).shape == [2, 3])
        #expect((a / 2).scalars == [0.5, 1, 1.5, 2, 2.5, 3])
        #expect((1 - a).scalars == [0, -1, -2, -3, -4, -5])
        let batch = Tensor<S>.ones([4, 1, 3]) + Tensor<S>.ones([2, 1])
        #expect(batch.shape == [4, 2, 3])
    }

    @Test func broadcastsRowsAndColumns() {
        broadcastsRowsAndColumns(Float.self)
        broadcastsRowsAndColumns(Double.self)
    }

    @Test func summedToShapeIsTheAdjointOfBroadcast() {
        let g = Tensor<Double>.arange(24).reshaped(to: [2, 3, 4])
        let s = g.summed(toShape: [3, 1])
        // sum over axis 0 and axis 2
        var expected = [Double](repeating: 0, count: 3)
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { expected[j] += g[i, j, k] } } }
        #expect(s.scalars == expected)
        #expect(Tensor<Double>([1, 2]).broadcast(to: [2, 2]).scalars == [1, 2, 1, 2])
    }

    @Test func pairwiseSumIsAccurate() {
        let n = 1_000_003
        let t = Tensor<Float>(shape: [n], repeating: 0.1)
        let s = t.sum().scalar
        #expect(abs(s - Float(n) * 0.1) / (Float(n) * 0.1) < 1e-5)
    }
}

@Suite("matmul")
struct MatmulTests {
    func naive<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> Tensor<S> {
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        var out = [S](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for l in 0..<k { out[i * n + j] += a[i, l] * b[l, j] } } }
        return Tensor(shape: [m, n], scalars: out)
    }

    func agreesWithNaiveProduct<S: TensorScalar>(_: S.Type, tolerance: S) {
        let a = Tensor<S>.randomNormal([5, 7], seed: 1)
        let b = Tensor<S>.randomNormal([7, 3], seed: 2)
        #expect(maxRelativeError(matmul(a, b), naive(a, b)) < tolerance)
        #expect(maxRelativeError(matmul(a.transposed(), transposed: true, b, transposed: false), naive(a, b)) < tolerance)
        #expect(maxRelativeError(matmul(a, transposed: false, b.transposed(), transposed: true), naive(a, b)) < tolerance)
    }

    @Test func agreesWithNaiveProduct() {
        agreesWithNaiveProduct(Float.self, tolerance: 1e-5)
        agreesWithNaiveProduct(Double.self, tolerance: 1e-13)
    }

    @Test func batchesAndBroadcastsLeadingAxes() {
        let a = Tensor<Double>.randomNormal([2, 1, 3, 4], seed: 3)
        let b = Tensor<Double>.randomNormal([5, 4, 2], seed: 4)
        let c = matmul(a, b)
        #expect(c.shape == [2, 5, 3, 2])
        let a1 = Tensor<Double>(shape: [3, 4], scalars: Array(a.scalars[12..<24]))
        let b3 = Tensor<Double>(shape: [4, 2], scalars: Array(b.scalars[24..<32]))
        let c13 = Tensor<Double>(shape: [3, 2], scalars: Array(c.scalars[(5 + 3) * 6..<(5 + 4) * 6]))
        #expect(maxRelativeError(c13, naive(a1, b3)) < 1e-13)
    }

    @Test func vectorsArePromotedAndSqueezed() {
        let m = Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let v = Tensor<Double>([1, 0, -1])
        #expect(matmul(m, v).scalars == [-2, -2])
        #expect(matmul(Tensor<Double>([1, 1]), m).scalars == [5, 7, 9])
    }

    @Test func transposeSwapsTheLastTwoAxes() {
        let t = Tensor<Float>.arange(24).reshaped(to: [2, 3, 4]).transposed()
        #expect(t.shape == [2, 4, 3])
        #expect(t[1, 2, 0] == 12 + 2)
    }
}
