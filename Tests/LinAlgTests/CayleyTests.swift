import Testing
@testable import LinAlg

@Suite("cayley")
struct CayleyTests {
    /// `B (I − sA)⁻¹ (I + sA)` the long way, with ``solve(_:_:)`` (checked against NumPy).
    func reference<S: TensorScalar>(_ a: Tensor<S>, scale: S, base: Tensor<S>?) throws -> Tensor<S> {
        let n = a.shape[a.rank - 1]
        let eye = Tensor<S>.eye(rows: n, columns: n, batch: Array(a.shape.dropLast(2)))
        let q = try solve(eye - a * scale, eye + a * scale)
        return base.map { matmul($0, q) } ?? q
    }

    func matchesSolveThenMultiply<S: TensorScalar>(_: S.Type) throws {
        // Entries of size 3 with s = 1 make partial pivoting interchange rows, so the permuted
        // right-hand side and the scattered pullback are exercised, not only the identity order.
        for (shape, scale) in [([5, 5], S(1)), ([3, 4, 4], S(0.5)), ([1, 1], S(1)), ([0, 0], S(1))] {
            let a = Tensor<S>.randomNormal(shape, seed: 11) * 3
            let b = Tensor<S>.randomNormal(shape, seed: 12)
            for base in [nil, b] {
                let q = try cayley(a, scale: scale, base: base)
                let expected = try reference(a, scale: scale, base: base)
                let error = normwiseRelativeError(q, expected)
                #expect(q.shape == shape)
                #expect(error <= (S.self == Double.self ? 1e-12 : 1e-4), "\(shape) base: \(base != nil): \(error)")
            }
        }
    }

    @Test func matchesSolveThenMultiply() throws {
        try matchesSolveThenMultiply(Float.self)
        try matchesSolveThenMultiply(Double.self)
    }

    func skewInputWithOrthogonalBaseIsOrthogonal<S: TensorScalar>(_: S.Type) throws {
        let x = Tensor<S>.randomNormal([2, 6, 6], seed: 13)
        let skew = x - x.transposed()
        let upper = Tensor<S>.randomNormal([2, 6, 6], seed: 14).triu(1)
        let base = try cayley(upper - upper.transposed())
        let q = try cayley(skew, scale: 0.5, base: base)
        let gram = matmul(q, transposed: true, q, transposed: false)
        let error = normwiseRelativeError(gram, Tensor<S>.eye(rows: 6, columns: 6, batch: [2]))
        #expect(error <= 64 * S.ulpOfOne, "\(error)")
    }

    @Test func skewInputWithOrthogonalBaseIsOrthogonal() throws {
        try skewInputWithOrthogonalBaseIsOrthogonal(Float.self)
        try skewInputWithOrthogonalBaseIsOrthogonal(Double.self)
    }

    @Test(arguments: [[4, 4], [2, 3, 3], [1, 1]])
    func gradientsMatchFiniteDifferences(shape: [Int]) throws {
        let a = Tensor<Double>.randomNormal(shape, seed: 15) * 2
        let b = Tensor<Double>.randomNormal(shape, seed: 16)
        try expectGradient([a, b]) { t in try cayley(t[0], scale: 0.5, base: t[1]) }
        try expectGradient([a]) { t in try cayley(t[0], scale: 1) }
        try expectGradient([b]) { t in try cayley(a, scale: 0.7, base: t[0]) }
        try expectGradient([a]) { t in try cayley(t[0], scale: 0.5, base: b) }
    }

    func skewFormMatchesTheComposedOne<S: TensorScalar>(_: S.Type) throws {
        for shape in [[6, 6], [2, 5, 5], [1, 1], [0, 0]] {
            var x = Tensor<S>.randomNormal(shape, seed: 17)
            let lower = x.tril(), b = Tensor<S>.randomNormal(shape, seed: 18)
            if shape == [6, 6] { x[0, 5] = .nan }   // the strictly upper triangle is never read
            for base in [nil, b] {
                let q = try cayley(skewOfLowerTriangle: x, scale: 0.5, base: base)
                let expected = try cayley(lower - lower.transposed(), scale: 0.5, base: base)
                let error = normwiseRelativeError(q, expected)
                #expect(error <= 8 * S.ulpOfOne, "\(shape) base: \(base != nil): \(error)")
            }
        }
    }

    @Test func skewFormMatchesTheComposedOne() throws {
        try skewFormMatchesTheComposedOne(Float.self)
        try skewFormMatchesTheComposedOne(Double.self)
    }

    @Test(arguments: [[4, 4], [2, 3, 3]])
    func skewFormGradientsMatchFiniteDifferences(shape: [Int]) throws {
        let x = Tensor<Double>.randomNormal(shape, seed: 19) * 2
        let b = Tensor<Double>.randomNormal(shape, seed: 20)
        try expectGradient([x, b]) { t in try cayley(skewOfLowerTriangle: t[0], scale: 0.5, base: t[1]) }
        try expectGradient([x]) { t in try cayley(skewOfLowerTriangle: t[0]) }
    }

    /// Beyond one 32 × 32 tile of the mirrored loops (n = 70: full, partial and diagonal
    /// tiles), and through the block inverse: value and gradient agree with the composed form's.
    func skewFormMatchesTheComposedOneAcrossTiles<S: TensorScalar>(_: S.Type) throws {
        let x = Tensor<S>.randomNormal([70, 70], seed: 21), b = Tensor<S>.randomNormal([70, 70], seed: 22)
        let w = Tensor<S>.randomNormal([70, 70], seed: 23)
        let fused = try gradient(at: x, b) { x, b in (try cayley(skewOfLowerTriangle: x, scale: 0.5, base: b) * w).sum() }
        let composed = try gradient(at: x, b) { x, b in
            let lower = x.tril()
            return (try cayley(lower - lower.transposed(), scale: 0.5, base: b) * w).sum()
        }
        let tolerance: S = S.self == Double.self ? 1e-12 : 1e-4
        #expect(normwiseRelativeError(fused.0, composed.0) <= tolerance, "x̄: \(normwiseRelativeError(fused.0, composed.0))")
        #expect(normwiseRelativeError(fused.1, composed.1) <= tolerance, "b̄: \(normwiseRelativeError(fused.1, composed.1))")
        #expect(fused.0.triu().scalars.allSatisfy { $0 == 0 })
        let q = try cayley(skewOfLowerTriangle: x, scale: 0.5, base: b)
        let lower = x.tril()
        let expected = try cayley(lower - lower.transposed(), scale: 0.5, base: b)
        // Above order 32 the skew form inverts I − A/2 by blocks and the general one by LU:
        // the same value up to the two algorithms' rounding.
        #expect(normwiseRelativeError(q, expected) <= 2 * 70 * S.ulpOfOne)
    }

    @Test func skewFormMatchesTheComposedOneAcrossTiles() throws {
        try skewFormMatchesTheComposedOneAcrossTiles(Float.self)
        try skewFormMatchesTheComposedOneAcrossTiles(Double.self)
    }

    @Test func skewFormRejectsNonFiniteEntriesItReads() {
        var x = Tensor<Double>.zeros([3, 3])
        x[1, 1] = .nan
        #expect(linAlgError { _ = try cayley(skewOfLowerTriangle: x) }?.cause == .nonFinite)
    }

    @Test func aSingularShiftThrowsNamingThePivot() {
        // I − 1·I = 0: the first pivot is exactly zero.
        let error = linAlgError { _ = try cayley(Tensor<Double>.eye(3)) }
        #expect(error?.cause == .singular(pivot: 0))
        #expect(error?.operation == "cayley" && error?.shape == [3, 3])
    }
}
