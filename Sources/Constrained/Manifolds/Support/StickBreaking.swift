/// The stick-breaking bijection between `ℝ^{n−1}` and the open simplex in `ℝⁿ` of
/// ``Simplex``'s `.stickBreaking` map (torch's `StickBreakingTransform`), along the last axis.
enum StickBreaking {
    /// `log(n − 1 − i)` for `i` in `0..<n − 1`: centres `x = 0` on `(1/n, …, 1/n)`.
    static func logOffsets<Scalar: TensorScalar>(_ count: Int) -> Tensor<Scalar> {
        Tensor(shape: [count], scalars: (0..<count).map { Scalar.log(Scalar(count - $0)) })
    }

    /// `y = exp(a + C)`, with `a = (log zᵢ, 0)` and `C = (log(1 − z), 0) · triu(1, 1)` (the
    /// prefix sums of `log(1 − zⱼ)` as one GEMM), `log z = logσ(t)`, `log(1 − z) = logσ(−t)`.
    static func forward<Scalar: TensorScalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        let k = x.shape[x.rank - 1], n = k + 1
        let batch = Array(x.shape.dropLast())
        let t = x - logOffsets(k)
        let zero = Tensor<Scalar>.zeros(batch + [1])
        let logZ = concatenate([logSigmoid(t), zero], alongAxis: x.rank - 1)
        let logRest = concatenate([logSigmoid(-t), zero], alongAxis: x.rank - 1)
        let prefix = matmul(logRest.reshaped(to: [Shape.count(of: batch), n]), Tensor<Scalar>.ones([n, n]).triu(1))
        return exp(logZ + prefix.reshaped(to: batch + [n]))
    }

    /// `xᵢ = log yᵢ − log Σ_{j>i} yⱼ + log(n − 1 − i)` for `y` with positive entries.
    static func inverse<Scalar: TensorScalar>(_ y: Tensor<Scalar>) -> Tensor<Scalar> {
        let n = y.shape[y.rank - 1], k = n - 1
        let offsets: Tensor<Scalar> = logOffsets(k)
        var out = [Scalar](repeating: 0, count: (y.scalarCount / n) * k)
        y.withUnsafeBufferPointer { p in
            for row in 0..<(p.count / n) {
                var rest: Scalar = 0
                for i in stride(from: n - 1, through: 1, by: -1) {
                    rest += p[row * n + i]
                    out[row * k + i - 1] = Scalar.log(p[row * n + i - 1]) - Scalar.log(rest) + offsets.scalars[i - 1]
                }
            }
        }
        return Tensor(shape: Array(y.shape.dropLast()) + [k], scalars: out)
    }
}
