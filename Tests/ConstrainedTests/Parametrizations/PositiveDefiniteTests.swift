import Testing
@testable import Constrained

@Suite("PositiveDefinite")
struct PositiveDefiniteTests {
    func positiveDefiniteOnRead<S: TensorScalar>(_: S.Type) throws {
        for map in PositiveDefinite<S>.Map.allCases {
            for shape in [[4, 4], [3, 5, 5]] {
                let p = try PositiveDefinite<S>(map).forward(Tensor<S>.randomNormal(shape, seed: 1) * 2)
                let (values, _) = try eigh(p)
                #expect(values.scalars.allSatisfy { $0 > 0 }, "\(map) \(shape)")
                let asymmetry = maxAbsoluteDifference(p, p.transposed())
                #expect(asymmetry <= 64 * S.ulpOfOne * (p.scalars.map { abs($0) }.max() ?? 1), "\(map) \(shape)")
                _ = try cholesky(p)
            }
        }
    }

    @Test func valuesAreSymmetricPositiveDefinite() throws {
        try positiveDefiniteOnRead(Float.self)
        try positiveDefiniteOnRead(Double.self)
    }

    @Test func theJitterBoundsTheSmallestEigenvalue() throws {
        // A very negative diagonal makes L nearly singular; the jitter keeps P ⪰ jitter·I.
        let x = Tensor<Double>.eye(3) * -800
        let p = try PositiveDefinite<Double>(jitter: 1e-4).forward(x)
        let smallest = try eigh(p).values.scalars.min()!
        #expect(abs(smallest - 1e-4) <= 1e-12)
    }

    func roundTrips<S: TensorScalar>(_: S.Type) throws {
        for map in PositiveDefinite<S>.Map.allCases {
            let a = Tensor<S>.randomNormal([2, 4, 4], seed: 2)
            let target = matmul(a, transposed: false, a, transposed: true) + Tensor<S>.eye(4)
            var p = PositiveDefinite<S>(map)
            let back = try p.forward(try p.rightInverse(target))
            #expect(maxRelativeError(back, target) <= 2000 * S.ulpOfOne, "\(map)")
        }
    }

    @Test func rightInverseRoundTrips() throws {
        try roundTrips(Float.self)
        try roundTrips(Double.self)
    }

    @Test func aMatrixThatIsNotPositiveDefiniteCannotBeAssigned() throws {
        let indefinite = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 2, 1])
        for map in PositiveDefinite<Double>.Map.allCases {
            var p = PositiveDefinite<Double>(map)
            #expect {
                _ = try p.rightInverse(indefinite)
            } throws: { error in
                guard let e = error as? ConstrainedError, case .notInImage = e.cause else { return false }
                return e.description.contains("PositiveDefinite")
            }
        }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        for map in PositiveDefinite<Double>.Map.allCases {
            for shape in [[3, 3], [2, 3, 3]] {
                let x = Tensor<Double>.randomNormal(shape, seed: 3)
                let result = try gradientCheck(at: [x]) { xs in try PositiveDefinite<Double>(map).forward(xs[0]) }
                #expect(result.passed, "\(map) \(shape): \(result)")
            }
        }
    }

    @Test func theUpperTriangleIsUnusedByTheCholeskyMap() throws {
        var p = PositiveDefinite<Double>()
        let g = try gradientOfForward(&p, at: Tensor<Double>.randomNormal([4, 4], seed: 4))
        #expect(g.triu(1).scalars.allSatisfy { $0 == 0 })
        #expect(g.diagonal().scalars.allSatisfy { $0 != 0 })
    }
}
