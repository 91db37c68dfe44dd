import Testing
@testable import LinAlg

@Suite("The block inverse of I − S inside cayley")
struct ShiftedSkewInverseTests {
    /// `I − S` for a random skew-symmetric `S` with `‖S‖_F = frobenius`, and `S`'s lower
    /// triangle scaled so that `cayley(skewOfLowerTriangle: x, scale: 1)` inverts this `I − S`.
    func shiftedSkew<S: TensorScalar>(_: S.Type, _ n: Int, frobenius: S, seed: UInt64) -> (m: Tensor<S>, x: Tensor<S>) {
        let lower = Tensor<S>.randomNormal([n, n], seed: seed).tril(-1)
        let skew = lower - lower.transposed()
        let factor = frobenius / skew.scalars.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return (Tensor<S>.eye(rows: n, columns: n) - skew * factor, lower * factor)
    }

    func blocksInvertLikeLU<S: TensorScalar>(_: S.Type) throws {
        // 33: one base block and a 1 × 1; 100 and 256: two and three levels.
        for n in [33, 48, 100, 256] {
            let (m, _) = shiftedSkew(S.self, n, frobenius: 40, seed: UInt64(n))
            #expect(ShiftedSkewInverse.usesBlocks(order: n, frobeniusSquared: S(1600)))
            var w = m
            let pivots = UnsafeMutablePointer<Int32>.allocate(capacity: n)
            let workspace = UnsafeMutablePointer<S>.allocate(capacity: ShiftedSkewInverse.workspaceCount(order: n))
            defer { pivots.deallocate(); workspace.deallocate() }
            let info = w.withUnsafeMutableBufferPointer { p in
                ShiftedSkewInverse.invertInPlace(p.baseAddress!, order: n, leadingDimension: n,
                                                 workspace: workspace, pivots: pivots)
            }
            #expect(info == 0)
            let residual = normwiseRelativeError(matmul(m, w), Tensor<S>.eye(rows: n, columns: n))
            let lu = try inverse(m)
            let difference = normwiseRelativeError(w, lu)
            // κ₂(I − S) ≤ 41 here; both within 4nε of the identity and of each other.
            let bound = 4 * S(n) * S.ulpOfOne
            #expect(residual <= bound, "n = \(n): ‖MW − I‖ \(residual), bound \(bound)")
            #expect(difference <= bound, "n = \(n): blocks vs LU \(difference), bound \(bound)")
        }
    }

    @Test func blocksInvertLikeLU() throws {
        try blocksInvertLikeLU(Float.self)
        try blocksInvertLikeLU(Double.self)
    }

    /// The choice: blocks above the base order and up to the Frobenius limit, LU otherwise.
    @Test func blocksOnlyWithinTheirLimits() {
        let limit = ShiftedSkewInverse.frobeniusLimit
        #expect(ShiftedSkewInverse.usesBlocks(order: 256, frobeniusSquared: limit * limit))
        #expect(!ShiftedSkewInverse.usesBlocks(order: 256, frobeniusSquared: limit * limit * 1.01))
        #expect(!ShiftedSkewInverse.usesBlocks(order: 256, frobeniusSquared: Double.infinity))
        #expect(!ShiftedSkewInverse.usesBlocks(order: ShiftedSkewInverse.baseOrder, frobeniusSquared: 1.0))
        #expect(ShiftedSkewInverse.usesBlocks(order: ShiftedSkewInverse.baseOrder + 1, frobeniusSquared: Float(1)))
    }

    /// A large `S` (‖S‖₂ ≈ 650), where the blocks' error would grow as κ² (about 4e-12 here),
    /// goes to pivoted LU: the Cayley transform stays orthogonal to 10nε. Beside it in the
    /// batch, a small `S` takes the blocks; both match the general form.
    @Test func largeSkewFallsBackToPivotedLU() throws {
        let n = 256
        let (_, large) = shiftedSkew(Double.self, n, frobenius: 650 * 8, seed: 31)
        let (_, small) = shiftedSkew(Double.self, n, frobenius: 20, seed: 32)
        let x = concatenate([large, small]).reshaped(to: [2, n, n])
        let q = try cayley(skewOfLowerTriangle: x)
        let gram = matmul(q, transposed: true, q, transposed: false)
        let eye = Tensor<Double>.eye(rows: n, columns: n)
        let bound = 10 * Double(n) * Double.ulpOfOne
        for t in 0..<2 {
            let error = normwiseRelativeError(gram.slice(at: t), eye)
            #expect(error <= bound, "matrix \(t): ‖QᵀQ − I‖ \(error), bound \(bound)")
            let lower = x.slice(at: t)
            let expected = try cayley(lower - lower.transposed())
            #expect(normwiseRelativeError(q.slice(at: t), expected) <= bound)
        }
    }

    /// The general form takes the blocks only for an exactly skew-symmetric `A`: one entry
    /// off, or a nonzero diagonal, sends it to LU, whose result the solve form confirms.
    @Test func generalFormRecognisesExactlySkewInput() throws {
        let n = 40
        let lower = Tensor<Double>.randomNormal([n, n], seed: 35).tril(-1)
        let skew = lower - lower.transposed()
        let layout = MatrixBatch([n, n], operation: "test")
        let squares = skew.scalars.reduce(0) { $0 + $1 * $1 }
        var nearly = skew
        nearly[3, 1] += 1e-3
        var diagonal = skew
        diagonal[5, 5] = 1e-3
        skew.withUnsafeBufferPointer { p in
            let norm = CayleyKernels.skewFrobeniusSquared(p.baseAddress!, scale: 0.5, layout)[0]
            #expect(abs(norm - 0.25 * squares) <= 1e-12 * squares)
        }
        for matrix in [nearly, diagonal] {
            matrix.withUnsafeBufferPointer { p in
                #expect(CayleyKernels.skewFrobeniusSquared(p.baseAddress!, scale: 0.5, layout)[0] == .infinity)
            }
            let eye = Tensor<Double>.eye(rows: n, columns: n)
            let expected = try solve(eye - matrix * 0.5, eye + matrix * 0.5)
            #expect(normwiseRelativeError(try cayley(matrix, scale: 0.5), expected) <= 4 * Double(n) * Double.ulpOfOne)
        }
    }

    /// Finite differences through the block path (n = 36: a 32 block and a 4 × 4 complement).
    @Test func gradientsThroughTheBlocksMatchFiniteDifferences() throws {
        let (_, x) = shiftedSkew(Double.self, 36, frobenius: 30, seed: 33)
        let b = Tensor<Double>.randomNormal([36, 36], seed: 34)
        #expect(ShiftedSkewInverse.usesBlocks(order: 36, frobeniusSquared: 0.25 * 900.0))
        try expectGradient([x, b]) { t in try cayley(skewOfLowerTriangle: t[0], scale: 0.5, base: t[1]) }
    }
}
