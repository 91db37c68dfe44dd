import Testing
@testable import LinAlg

/// `matrixExp` on symmetric and skew-symmetric inputs, whose even powers are formed by `syrk`
/// and whose squarings skip the non-normality guard, against references from `eigh`.
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

    @Test(arguments: [64, 256])
    func aSkewMatrixGivesTheClosedFormRotation(n: Int) throws {
        for scale in [1.0, 3.0, 8.0] {
            let a = skew(n, scale: scale, seed: 9)
            let q = try matrixExp(a)
            #expect(normwiseRelativeError(q, try skewExponential(a)) <= 4e-15 * scale, "n \(n) scale \(scale)")
            let identity = Tensor<Double>.eye(n)
            #expect(largestDifference(matmul(q, transposed: true, q, transposed: false), identity) <= 1e-14)
        }
    }

    @Test func theSymmetricPathAgreesWithTheGeneralOne() throws {
        // One entry moved by an ulp makes the matrix unsymmetric: the general path (GEMM powers,
        // the rounding guard) must give the same exponential to rounding.
        for a in [symmetric(32, scale: 3, seed: 2), skew(32, scale: 3, seed: 2)] {
            var perturbed = a
            perturbed.withUnsafeMutableBufferPointer { $0[1] = $0[1].nextUp }
            #expect(normwiseRelativeError(try matrixExp(a), try matrixExp(perturbed)) <= 1e-13)
        }
    }
}
