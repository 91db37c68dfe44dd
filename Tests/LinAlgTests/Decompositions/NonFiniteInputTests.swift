import Testing
@testable import LinAlg

@Suite("Non-finite input")
struct NonFiniteInputTests {
    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func everyDecompositionRejectsItNamingItself(value: Double) {
        var a = Tensor<Double>.eye(rows: 3, columns: 3, batch: [2]) * 2
        a[1, 2, 0] = value
        let operations: [(String, () throws -> Void)] = [
            ("solve", { _ = try solve(a, Tensor<Double>.ones([3, 1])) }),
            ("inverse", { _ = try inverse(a) }),
            ("cayley", { _ = try cayley(a) }),
            ("determinant", { _ = try determinant(a) }),
            ("slogdet", { _ = try slogdet(a) }),
            ("cholesky", { _ = try cholesky(a) }),
            ("triangularSolve", { _ = try triangularSolve(a, Tensor<Double>.ones([3, 1]), upper: false) }),
            ("qr", { _ = try qr(a) }),
            ("householderProduct", { _ = try householderProduct(a, tau: Tensor<Double>.ones([2, 3])) }),
            ("eigh", { _ = try eigh(a) }),
            ("svd", { _ = try svd(a) }),
            ("singularValues", { _ = try singularValues(a) }),
        ]
        for (name, body) in operations {
            let error = linAlgError(body)
            #expect(error?.cause == .nonFinite, "\(name)")
            #expect(error?.batchIndex == [1], "\(name)")
            #expect(error?.description == "\(name): matrix [1] of the batch of shape [2, 3, 3] contains NaN or infinity",
                    "\(name)")
        }
    }

    @Test func entriesOutsideTheTriangleThatIsReadAreNotChecked() throws {
        var a = Tensor<Double>.eye(3) * 2
        a[0, 2] = .nan
        #expect(try cholesky(a) == Tensor<Double>.eye(3) * Double.sqrt(2))
        #expect(try eigh(a).values.scalars == [2, 2, 2])
        #expect(try triangularSolve(a, Tensor.ones([3, 1]), upper: false).scalars == [0.5, 0.5, 0.5])
        var unit = Tensor<Double>.eye(3)
        unit[1, 1] = .infinity
        #expect(try triangularSolve(unit, Tensor.ones([3, 1]), upper: true, unitDiagonal: true).scalars == [1, 1, 1])
        #expect(linAlgError { _ = try triangularSolve(a, Tensor.ones([3, 1]), upper: true) }?.cause == .nonFinite)
    }
}
