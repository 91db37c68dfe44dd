import Testing
@testable import LinAlg

@Suite("symmetricMatrix(eigenvalues:eigenvectors:)")
struct SymmetricReconstructionTests {
    /// `V diag(λ) Vᵀ` by GEMM, the reference.
    func product(_ values: Tensor<Double>, _ vectors: Tensor<Double>) -> Tensor<Double> {
        let k = values.shape[values.rank - 1]
        let scaled = vectors * values.reshaped(to: Array(values.shape.dropLast()) + [1, k])
        return matmul(scaled, transposed: false, vectors, transposed: true)
    }

    @Test(arguments: ["positive", "mixed", "negative", "zero"])
    func agreesWithTheProductAndIsExactlySymmetric(signs: String) throws {
        let g = Tensor<Double>.randomNormal([2, 7, 7], seed: 5)
        let (raw, vectors) = try eigh(g + g.transposed())
        let values: Tensor<Double>
        switch signs {
        case "positive": values = raw.map { Swift.abs($0) + 0.1 }
        case "negative": values = raw.map { -Swift.abs($0) - 0.1 }
        case "zero": values = raw.map { _ in 0 }
        default: values = raw
        }
        let p = symmetricMatrix(eigenvalues: values, eigenvectors: vectors)
        #expect(p.shape == [2, 7, 7])
        #expect(largestDifference(p, product(values, vectors)) <= 1e-14 * max(1, values.scalars.map { Swift.abs($0) }.max()!))
        #expect(p == p.transposed())
    }

    @Test func aTallSetOfVectorsGivesARankKMatrix() throws {
        let q = try qr(Tensor<Double>.randomNormal([6, 3], seed: 2)).q
        let values = Tensor<Double>([2, -1, 3])
        let p = symmetricMatrix(eigenvalues: values, eigenvectors: q)
        #expect(largestDifference(p, product(values, q)) <= 1e-14)
    }
}

/// `max |a − b|` over all entries.
func largestDifference<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> S {
    precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape) differ")
    return zip(a.scalars, b.scalars).reduce(0) { Swift.max($0, Swift.abs($1.0 - $1.1)) }
}
