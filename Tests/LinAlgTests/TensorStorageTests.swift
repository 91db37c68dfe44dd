import Testing
@testable import LinAlg

@Suite("Tensor storage, copy-on-write and version counters")
struct TensorStorageTests {
    @Test func initialiserKeepsShapeAndRowMajorScalars() {
        let t = Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.shape == [2, 3])
        #expect(t.rank == 2)
        #expect(t.scalarCount == 6)
        #expect(t[1, 0] == 4)
        #expect(t.scalars == [1, 2, 3, 4, 5, 6])
    }

    @Test func copiesShareStorageUntilOneMutates() {
        let a = Tensor<Float>(shape: [3], scalars: [1, 2, 3])
        var b = a
        #expect(a.storageID == b.storageID)
        b[0] = 10
        #expect(a.scalars == [1, 2, 3])
        #expect(b.scalars == [10, 2, 3])
        #expect(a.storageID != b.storageID)
        #expect(a.version == 0)
    }

    @Test func everyInPlaceMutationBumpsTheVersion() {
        var t = Tensor<Double>.zeros([2, 2])
        var last = t.version
        func bumped(_ what: String) {
            #expect(t.version == last + 1, "\(what) did not bump the version")
            last = t.version
        }
        t[0, 1] = 3; bumped("subscript set")
        t += Tensor.ones([2, 2]); bumped("+=")
        t -= Tensor.ones([2]); bumped("-= (broadcast)")
        t *= Tensor.ones([2, 2]); bumped("*=")
        t *= 2; bumped("*= scalar")
        t.withUnsafeMutableBufferPointer { $0[0] = 7 }; bumped("withUnsafeMutableBufferPointer")
        t.assign(Tensor.eye(2)); bumped("assign")
        #expect(t == Tensor.eye(2))
    }

    @Test func uniqueMutationKeepsStorageIdentity() {
        var t = Tensor<Double>.zeros([4])
        let id = t.storageID
        t[2] = 1
        t += Tensor.ones([4])
        #expect(t.storageID == id)
    }

    @Test func storageIdentitiesAreUnique() {
        let ids = Set((0..<100).map { _ in Tensor<Float>.zeros([1]).storageID })
        #expect(ids.count == 100)
    }

    @Test func reshapeSharesStorageAndChecksCount() {
        let t = Tensor<Double>.arange(6)
        let r = t.reshaped(to: [2, -1])
        #expect(r.shape == [2, 3])
        #expect(r.storageID == t.storageID)
        #expect(r[1, 2] == 5)
    }

    @Test func factoriesMakeTheExpectedValues() {
        #expect(Tensor<Double>.eye(3).scalars == [1, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(Tensor<Float>.ones([2]).scalars == [1, 1])
        #expect(Tensor<Double>.eye(rows: 2, columns: 3, batch: [2]).shape == [2, 2, 3])
        let a = Tensor<Double>.randomNormal([1000], seed: 1)
        let b = Tensor<Double>.randomNormal([1000], seed: 1)
        #expect(a == b)
        #expect(a != Tensor<Double>.randomNormal([1000], seed: 2), "another seed, other values")
        // N(0, 1): mean within 4.5 standard errors (0.14) of 0, variance within 0.2 of 1, and
        // both signs and no repeats (an all-zero or constant draw fails each).
        let mean = a.sum().scalar / 1000
        let variance = ((a - mean) * (a - mean)).sum().scalar / 999
        #expect(abs(mean) < 0.14 && abs(variance - 1) < 0.2, "mean \(mean), variance \(variance)")
        #expect(Set(a.scalars).count == 1000)
        let u = Tensor<Float>.randomUniform([1000], from: -1, to: 1, seed: 3)
        #expect(u.scalars.allSatisfy { $0 >= -1 && $0 < 1 })
        let uMean = u.sum().scalar / 1000
        #expect(abs(uMean) < 0.1 && u.scalars.min()! < -0.9 && u.scalars.max()! > 0.9, "spread over [-1, 1)")
    }

    @Test func descriptionIsNumpyLikeAndSummarisesLargeTensors() {
        let t = Tensor<Double>(shape: [2, 2], scalars: [1, 2.5, -3, 4])
        #expect(t.description == "Tensor<Double>(shape: [2, 2])\n[[ 1.0,  2.5],\n [-3.0,  4.0]]")
        let big = Tensor<Float>.zeros([2000]).description
        #expect(big.contains("..."))
        #expect(big.count < 200)
    }
}
