import Testing
@testable import LinAlg

/// `matrixExp` on symmetric and skew-symmetric inputs against references from `eigh`: in
/// `Double` through the Taylor path, and the Padé path (which `Float` uses for them, with even
/// powers by `syrk` and no non-normality guard) called directly.
@Suite("Matrix exponential of symmetric and skew matrices")
struct MatrixExponentialSymmetryTests {
    /// `S = triu(G) + triu(G, 1)ᵀ` for `G` normal with standard deviation `scale / √n`: the
    /// construction of an SPD sample, `exp(S)`.
    func symmetric(_ n: Int, scale: Double, seed: UInt64) -> Tensor<Double> {
        let g = Tensor<Double>.randomNormal([n, n], seed: seed) * (scale / Double(n).squareRoot())
        return g.triu() + g.triu(1).transposed()
    }

    func skew(_ n: Int, scale: Double, seed: UInt64) -> Tensor<Double> {
        let l = (Tensor<Double>.randomNormal([n, n], seed: seed) * (scale / Double(n).squareRoot())).tril()
        return l - l.transposed()
    }

    /// `Q diag(e^λ) Qᵀ`.
    func eigenExponential(_ s: Tensor<Double>) throws -> Tensor<Double> {
        let (values, vectors) = try eigh(s)
        return symmetricMatrix(eigenvalues: values.map { Double.exp($0) }, eigenvectors: vectors)
    }

    /// `cos(√B) + A sinc(√B)` with `B = AAᵀ = −A²` (positive semidefinite), through `eigh(B)`.
    func skewExponential(_ a: Tensor<Double>) throws -> Tensor<Double> {
        let (mu, v) = try eigh(matmul(a, transposed: false, a, transposed: true))
        let roots = mu.map { Swift.max($0, 0).squareRoot() }
        let cosine = symmetricMatrix(eigenvalues: roots.map { Double.cos($0) }, eigenvectors: v)
        let sinc = symmetricMatrix(eigenvalues: roots.map { $0 == 0 ? 1 : Double.sin($0) / $0 }, eigenvectors: v)
        return cosine + matmul(a, sinc)
    }

    @Test(arguments: [0.125, 1.0, 4.0, 12.0])
    func aSymmetric64By64MatrixMatchesItsEigendecomposition(scale: Double) throws {
        for seed in UInt64(1)...4 {
            let s = symmetric(64, scale: scale, seed: seed)
            let expected = try eigenExponential(s)
            let tape = GradientTape()
            let watched = tape.watch(s)
            let recorded = try tape.record { try matrixExp(watched) }
            for value in [try matrixExp(s), recorded] {
                #expect(normwiseRelativeError(value, expected) <= 64 * Double.ulpOfOne * Swift.max(1, scale),
                        "scale \(scale) seed \(seed)")
            }
        }
    }

    /// `exp` of one matrix through the Padé path, whatever its symmetry.
    func padeExponential(_ a: Tensor<Double>) throws -> Tensor<Double> {
        let n = a.shape[0]
        var out = [Double](repeating: 0, count: n * n)
        try a.withUnsafeBufferPointer { p in
            try out.withUnsafeMutableBufferPointer { o in
                _ = try PadeExponential<Double>.exponential(of: p.baseAddress!, n: n, into: o.baseAddress!,
                                                            keepingState: false, shape: a.shape)
            }
        }
        return Tensor(shape: a.shape, scalars: out)
    }

    /// Measured worst orthogonality (n = 256): 1.3e-14 (Taylor) and 1.8e-15 (Padé).
    @Test(arguments: [64, 256])
    func aSkewMatrixGivesTheClosedFormRotation(n: Int) throws {
        let identity = Tensor<Double>.eye(n)
        for scale in [1.0, 3.0, 8.0] {
            let a = skew(n, scale: scale, seed: 9)
            let expected = try skewExponential(a)
            for (path, q, error, orthogonality) in [("Taylor", try matrixExp(a), 3e-14, 4e-14),
                                                    ("Padé", try padeExponential(a), 4e-15 * scale, 1e-14)] {
                #expect(normwiseRelativeError(q, expected) <= error, "\(path) n \(n) scale \(scale)")
                #expect(largestDifference(matmul(q, transposed: true, q, transposed: false), identity) <= orthogonality,
                        "\(path) n \(n) scale \(scale)")
            }
        }
    }

    @Test func theSymmetricPathAgreesWithTheGeneralOne() throws {
        // One entry moved by an ulp makes the matrix unsymmetric: the Padé path with GEMM powers
        // and the rounding guard must give the Taylor path's exponential to rounding.
        for a in [symmetric(32, scale: 3, seed: 2), skew(32, scale: 3, seed: 2)] {
            var perturbed = a
            perturbed.withUnsafeMutableBufferPointer { $0[1] = $0[1].nextUp }
            #expect(normwiseRelativeError(try matrixExp(a), try matrixExp(perturbed)) <= 1e-13)
        }
    }
}
