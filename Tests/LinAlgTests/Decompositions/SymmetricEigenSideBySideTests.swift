import CLAPACK
import Dispatch
import Synchronization
import Testing
@testable import LinAlg

/// `eigh` at the sizes where `stedc` and `orgtr` run side by side on two threads
/// (``SymmetricEigenKernels/concurrentSizes``): the same decomposition as one after the other,
/// from several callers at once, and OpenBLAS's thread count restored afterwards.
@Suite("eigh: stedc beside orgtr", .serialized)
struct SymmetricEigenSideBySideTests {
    /// `Q diag(1, 2, …, n) Qᵀ` for a random orthogonal `Q`: eigenvalue gaps of 1, so the
    /// eigenvectors are determined to about `n ε` and two algorithms' can be compared.
    func spread<S: TensorScalar>(_: S.Type, _ shape: [Int], seed: UInt64) throws -> (a: Tensor<S>, values: Tensor<S>) {
        let n = shape.last!
        let (q, _) = try qr(Tensor<S>.randomNormal(shape, seed: seed))
        let steps = Tensor<S>((1...n).map { S($0) })
        let a = matmul(q * steps, transposed: false, q, transposed: true)
        let count = shape.dropLast(2).reduce(1, *)
        let values = Tensor<S>(shape: Array(shape.dropLast()), scalars: Array((0..<count).map { _ in steps.scalars }.joined()))
        return ((a + a.transposed()) * 0.5, values)
    }

    func withThreads<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
        let saved = ElementwiseKernels.threadCount
        ElementwiseKernels.threadCount = count
        defer { ElementwiseKernels.threadCount = saved }
        return try body()
    }

    /// The decomposition is exact to rounding: ascending values, orthonormal vectors that
    /// rebuild `A`, and the sequential path's vectors up to sign.
    func sameDecomposition<S: TensorScalar>(_: S.Type, shape: [Int]) throws {
        let n = shape.last!
        let (a, exact) = try spread(S.self, shape, seed: UInt64(n))
        let threadsBefore = openblas_get_num_threads()
        let (values, vectors) = try withThreads(2) { try eigh(a) }
        let (sequentialValues, sequentialVectors) = try withThreads(1) { try eigh(a) }
        #expect(openblas_get_num_threads() == threadsBefore)
        let bound = S(n) * 8 * S.ulpOfOne
        #expect(normwiseRelativeError(values, exact) <= bound, "\(shape)")
        #expect(normwiseRelativeError(values, sequentialValues) <= bound, "\(shape)")
        #expect(normwiseRelativeError(alignedColumns(vectors, to: sequentialVectors), sequentialVectors) <= bound,
                "\(shape)")
        let identity = Tensor<S>.eye(rows: n, columns: n, batch: Array(shape.dropLast(2)))
        #expect(normwiseRelativeError(matmul(vectors, transposed: true, vectors, transposed: false), identity) <= bound,
                "\(shape)")
        let rebuilt = matmul(vectors * values.reshaped(to: Array(shape.dropLast(2)) + [1, n]),
                             transposed: false, vectors, transposed: true)
        #expect(normwiseRelativeError(rebuilt, a) <= bound, "\(shape)")
    }

    @Test func sameDecompositionAsOneAfterTheOther() throws {
        for shape in [[96, 96], [128, 128], [2, 200, 200], [384, 384]] {
            try sameDecomposition(Float.self, shape: shape)
            try sameDecomposition(Double.self, shape: shape)
        }
    }

    /// Callers on several threads at once: one gets the worker pool, the others run the steps
    /// in order; every result is right, and OpenBLAS's count is back when all are done.
    @Test func severalCallersAtOnce() throws {
        let n = 160
        let (a, exact) = try spread(Double.self, [n, n], seed: 11)
        let threadsBefore = openblas_get_num_threads()
        let errors = Mutex<[(values: Double, rebuilt: Double)]>([])
        withThreads(2) {
            DispatchQueue.concurrentPerform(iterations: 6) { _ in
                var error = (values: Double.infinity, rebuilt: Double.infinity)
                if let (values, vectors) = try? eigh(a) {
                    let rebuilt = matmul(vectors * values.reshaped(to: [1, n]), transposed: false, vectors, transposed: true)
                    error = (normwiseRelativeError(values, exact), normwiseRelativeError(rebuilt, a))
                }
                errors.withLock { $0.append(error) }
            }
        }
        #expect(openblas_get_num_threads() == threadsBefore)
        let all = errors.withLock { $0 }
        #expect(all.count == 6)
        let bound = Double(n) * 8 * Double.ulpOfOne
        #expect(all.allSatisfy { $0.values <= bound && $0.rebuilt <= bound }, "\(all)")
    }

    /// The first section saves OpenBLAS's count and sets one thread; only the last to end
    /// restores it.
    @Test func nestedSectionsRestoreTheCountAtTheEnd() {
        let saved = openblas_get_num_threads()
        defer { openblas_set_num_threads(saved) }
        openblas_set_num_threads(2)
        OpenBLASSingleThreadedSection.enter()
        #expect(openblas_get_num_threads() == 1)
        OpenBLASSingleThreadedSection.enter()
        OpenBLASSingleThreadedSection.leave()
        #expect(openblas_get_num_threads() == 1)
        OpenBLASSingleThreadedSection.leave()
        #expect(openblas_get_num_threads() == 2)
    }
}
