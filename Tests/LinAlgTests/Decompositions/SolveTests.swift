import Testing
@testable import LinAlg

@Suite("solve")
struct SolveTests {
    func matchesTheFixtures<S: TensorScalar>(_: S.Type) throws {
        for c in try Fixture.load("solve").cases where S.self == Double.self || c.runsInFloat {
            let a: Tensor<S> = c.input("a"), b: Tensor<S> = c.input("b")
            let x = try solve(a, b)
            let expected: Tensor<S> = c.output("x")
            #expect(x.shape == expected.shape, "\(c.name)")
            // Forward error ≈ κ(A) ε: 1e-12 for the well-conditioned cases, κ · 1e-15 otherwise.
            let tolerance = c.number("condition").map { S($0 * 1e-15) } ?? fixtureTolerance(S.self)
            let error = normwiseRelativeError(x, expected)
            #expect(error <= tolerance, "\(c.name): relative error \(error)")
        }
    }

    @Test func matchesTheFixtures() throws {
        try matchesTheFixtures(Float.self)
        try matchesTheFixtures(Double.self)
    }

    @Test func nearlySingularSystemsHaveASmallBackwardError() throws {
        for c in try Fixture.load("solve").cases where c.number("condition") != nil {
            let a: Tensor<Double> = c.input("a"), b: Tensor<Double> = c.input("b")
            let x = try solve(a, b)
            // ‖A X − B‖ / (‖A‖ ‖X‖) ≲ n ε whatever κ is: LU with partial pivoting is backward stable.
            let residual = (matmul(a, x) - b).scalars.map(abs).max()!
            let scale = a.scalars.map(abs).max()! * x.scalars.map(abs).max()!
            #expect(residual / scale < 1e-14, "\(c.name)")
        }
    }

    @Test func aVectorRightHandSideKeepsItsShape() throws {
        let a = Tensor<Double>(shape: [2, 2], scalars: [3, 1, 1, 2])
        let x = try solve(a, Tensor([9, 8]))
        #expect(x.shape == [2])
        #expect(maxRelativeError(x, Tensor([2, 3])) < 1e-15)
    }

    @Test func aSingularMatrixThrowsNamingThePivot() throws {
        for c in try Fixture.load("decomposition_errors").cases where c.string("kind") == "singular" {
            let a: Tensor<Double> = c.input("a")
            let error = linAlgError { _ = try solve(a, Tensor<Double>.ones(Array(a.shape.dropLast()) + [1])) }
            let pivot = c.int("pivot")! - 1   // the fixture holds LAPACK's 1-based info
            #expect(error?.cause == .singular(pivot: pivot), "\(c.name)")
            #expect(error?.operation == "solve")
            let text = error?.description ?? ""
            #expect(text.contains("solve: matrix") && text.contains("\(a.shape)") && text.contains("is singular")
                        && text.contains("U[\(pivot), \(pivot)] is exactly zero"), "\(text)")
            if let index = c.int("batchIndex") {
                #expect(error?.batchIndex == [index])
                #expect(text.contains("matrix [\(index)] of the batch of shape \(a.shape)"), "\(text)")
            } else {
                #expect(error?.batchIndex == nil)
            }
        }
    }

    @Test func nonFiniteEntriesThrow() {
        let a = Tensor<Double>(shape: [2, 2], scalars: [1, .nan, 0, 1])
        let error = linAlgError { _ = try solve(a, Tensor([1, 1])) }
        #expect(error?.cause == .nonFinite)
        #expect(error?.description == "solve: matrix of shape [2, 2] contains NaN or infinity")
        let b = Tensor<Double>(shape: [2, 2], scalars: [1, .infinity, 0, 1])
        #expect(linAlgError { _ = try inverse(b) }?.cause == .nonFinite)
    }

    @Test func shapeMismatchMessagesNameBothShapes() {
        #expect(SolveShapes.mismatch([3, 3], [4, 2]) == "solve: shapes [3, 3] and [4, 2] do not match (b must be (..., 3, k) or (3))")
        #expect(SolveShapes.mismatch([2, 3, 3], [5, 3, 1])?.contains("batch axes [2] and [5] do not broadcast") == true)
        #expect(SolveShapes.mismatch([3, 3], [4]) == "solve: shapes [3, 3] and [4] do not match (a vector b needs 3 entries)")
        #expect(SolveShapes.mismatch([3, 4], [3]) == "solve: a must be a square matrix or a batch of them (..., n, n), got shape [3, 4]")
        #expect(SolveShapes.mismatch([2, 3, 3], [1, 3, 2]) == nil)
        #expect(SolveShapes.mismatch([2, 3, 3], [2, 3]) == nil)
    }

    @Test func mismatchedShapesStopTheProcessWithBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = try? solve(Tensor<Double>.zeros([3, 3]), Tensor<Double>.zeros([4, 2]))
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("solve: shapes [3, 3] and [4, 2] do not match"))
    }
}
