import Testing
@testable import LinAlg

@Suite("cholesky")
struct CholeskyTests {
    func matchesTheFixtures<S: TensorScalar>(_: S.Type) throws {
        for c in try Fixture.load("cholesky").cases {
            let l = try cholesky(c.input("a", as: S.self))
            let error = normwiseRelativeError(l, c.output("l"))
            #expect(error <= fixtureTolerance(S.self), "\(c.name): relative error \(error)")
        }
    }

    @Test func matchesTheFixtures() throws {
        try matchesTheFixtures(Float.self)
        try matchesTheFixtures(Double.self)
    }

    @Test func aMatrixThatIsNotPositiveDefiniteThrowsNamingTheMinor() throws {
        for c in try Fixture.load("decomposition_errors").cases where c.string("kind") == "notPositiveDefinite" {
            let a: Tensor<Double> = c.input("a")
            let error = linAlgError { _ = try cholesky(a) }
            let minor = c.int("minor")!
            #expect(error?.cause == .notPositiveDefinite(minor: minor), "\(c.name)")
            let text = error?.description ?? ""
            #expect(text.hasPrefix("cholesky: matrix") && text.contains("\(a.shape)")
                        && text.contains("is not positive definite (the leading minor of order \(minor) is not positive)"),
                    "\(text)")
            if let index = c.int("batchIndex") {
                #expect(error?.batchIndex == [index])
                #expect(text.contains("matrix [\(index)] of the batch of shape \(a.shape)"), "\(text)")
            }
        }
    }

    @Test func aNonSquareMatrixStopsTheProcessNamingItsShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = try? cholesky(Tensor<Double>.zeros([3, 4]))
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("cholesky: expected square matrices (..., n, n), got shape [3, 4]"))
    }
}
