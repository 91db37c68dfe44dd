import Testing
@testable import LinAlg

@Suite("householderProduct")
struct HouseholderProductTests {
    func matchesTheFixtures<S: TensorScalar>(_: S.Type) throws {
        for c in try Fixture.load("householder_product").cases {
            let q = try householderProduct(c.input("reflectors", as: S.self), tau: c.input("tau"))
            let expected: Tensor<S> = c.output("q")
            #expect(q.shape == expected.shape, "\(c.name)")
            let error = normwiseRelativeError(q, expected)
            #expect(error <= fixtureTolerance(S.self), "\(c.name): relative error \(error)")
        }
    }

    @Test func matchesTheFixtures() throws {
        try matchesTheFixtures(Float.self)
        try matchesTheFixtures(Double.self)
    }

    @Test func theReflectorsOfQRGiveItsQ() throws {
        // qr's Q is orgqr of geqrf's reflectors, the very definition of householderProduct.
        let c = try Fixture.load("householder_product").cases.first { $0.name == "several blocks" }!
        let reflectors: Tensor<Double> = c.input("reflectors")
        let q = try householderProduct(reflectors, tau: c.input("tau"))
        #expect(normwiseRelativeError(matmul(q, transposed: true, q, transposed: false), Tensor.eye(70)) < 1e-13)
        // The reflectors hold R in their upper triangle: a = Q R is the factorised matrix (to
        // rounding), and our own qr of it (geqrf + orgqr, same signs) gives the same Q.
        let r = reflectors.slice(0..<70).triu(0)
        let a = matmul(q, r)
        let (qOfA, rOfA) = try qr(a)
        #expect(normwiseRelativeError(qOfA, q) < 1e-12)
        #expect(normwiseRelativeError(rOfA, r) < 1e-12)
    }

    @Test func shapeMismatchMessagesNameBothShapes() {
        #expect(HouseholderShapes.mismatch([3, 4], [3]) == "householderProduct: reflectors of shape [3, 4] need m ≥ n (tau has shape [3])")
        #expect(HouseholderShapes.mismatch([5, 3], [4]) == "householderProduct: shapes [5, 3] and [4] do not match (k = 4 reflectors need k ≤ n = 3)")
        #expect(HouseholderShapes.mismatch([2, 5, 3], [3, 3])?.contains("batch axes [2] and [3] differ") == true)
        #expect(HouseholderShapes.mismatch([2, 5, 3], [2, 2]) == nil)
    }

    @Test func mismatchedShapesStopTheProcessWithBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = try? householderProduct(Tensor<Double>.zeros([5, 3]), tau: Tensor<Double>.zeros([4]))
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("householderProduct: shapes [5, 3] and [4] do not match"))
    }
}
