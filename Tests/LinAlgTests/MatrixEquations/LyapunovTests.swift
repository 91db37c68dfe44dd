import Testing
@testable import LinAlg

@Suite("lyapunov")
struct LyapunovTests {
    func matchesSciPy<S: TensorScalar>(_: S.Type) throws -> S {
        var worst: S = 0
        for c in try Fixture.load("lyapunov").cases {
            let a: Tensor<S> = c.input("a", as: S.self), q: Tensor<S> = c.input("q", as: S.self)
            let x = try lyapunov(a, q)
            let error = normwiseRelativeError(x, c.output("x"))
            worst = max(worst, error)
            #expect(error <= fixtureTolerance(S.self) * 10, "\(c.name): \(error)")
            // The residual A X + X Aᵀ − Q, relative to ‖Q‖.
            let residual = matmul(a, x) + matmul(x, transposed: false, a, transposed: true) - q
            #expect(normwiseRelativeError(residual + q, q) <= fixtureTolerance(S.self) * 10, "\(c.name): residual")
        }
        return worst
    }

    @Test func matchesSciPysSolveContinuousLyapunov() throws {
        let d = try matchesSciPy(Double.self), f = try matchesSciPy(Float.self)
        print("lyapunov vs scipy: worst relative error \(d) (Double), \(f) (Float)")
    }

    @Test func aStableMatrixWithMinusIdentityGivesAPositiveDefiniteSolution() throws {
        let a = Tensor<Double>(shape: [2, 2], scalars: [-1, 2, 0, -3])
        let x = try lyapunov(a, -Tensor<Double>.eye(2))
        #expect(try eigh(x).values.scalars.allSatisfy { $0 > 0 })
        #expect(maxRelativeError(x, x.transposed()) <= 1e-15)
    }

    @Test func eigenvaluesSummingToZeroThrowNearlySingular() {
        // A skew matrix: its eigenvalues ±i sum to zero.
        let a = Tensor<Double>(shape: [2, 2], scalars: [0, 1, -1, 0])
        #expect {
            _ = try lyapunov(a, -Tensor<Double>.eye(2))
        } throws: { error in
            guard let e = error as? LinAlgError, case .nearlySingular = e.cause else { return false }
            return e.operation == "lyapunov" && e.description.contains("[2, 2]")
        }
    }

    @Test func aBatchNamesTheFailingMatrix() {
        var scalars = [Double](repeating: 0, count: 8)
        scalars[0] = -1; scalars[3] = -2          // stable
        scalars[4] = 1; scalars[7] = -1           // 1 + (−1) = 0
        #expect {
            _ = try lyapunov(Tensor(shape: [2, 2, 2], scalars: scalars), Tensor<Double>.zeros([2, 2, 2]) - Tensor<Double>.eye(rows: 2, columns: 2, batch: [2]))
        } throws: { error in (error as? LinAlgError)?.batchIndex == [1] }
    }

    @Test(arguments: [[1, 1], [3, 3], [2, 4, 4]])
    func gradientsMatchFiniteDifferences(shape: [Int]) throws {
        let a = Tensor<Double>.randomNormal(shape, seed: 5) * 0.3 - Tensor<Double>.eye(rows: shape.last!, columns: shape.last!, batch: Array(shape.dropLast(2))) * 2
        let q = Tensor<Double>.randomNormal(shape, seed: 6)
        let result = try gradientCheck(at: [a, q]) { t in try lyapunov(t[0], t[1]) }
        #expect(result.passed, "\(result)")
    }
}

@Suite("eigvals")
struct GeneralEigenvaluesTests {
    /// The eigenvalues of each matrix sorted by (real, imaginary), as the fixture script sorts.
    func sorted<S: TensorScalar>(_ re: Tensor<S>, _ im: Tensor<S>) -> (Tensor<S>, Tensor<S>) {
        let n = re.shape.last!
        var r = re.scalars, i = im.scalars
        for b in 0..<(r.count / max(n, 1)) {
            let pairs = (0..<n).map { (r[b * n + $0], i[b * n + $0]) }
                .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            for (k, p) in pairs.enumerated() { r[b * n + k] = p.0; i[b * n + k] = p.1 }
        }
        return (Tensor(shape: re.shape, scalars: r), Tensor(shape: im.shape, scalars: i))
    }

    @Test func matchesNumPy() throws {
        var worst = 0.0
        for c in try Fixture.load("eigvals").cases {
            let a: Tensor<Double> = c.input("a")
            let (re, im) = try eigvals(a)
            let (r, i) = sorted(re, im)
            let error = max(maxRelativeError(r, c.output("real")), maxRelativeError(i, c.output("imaginary")))
            worst = max(worst, error)
            #expect(error <= 1e-12, "\(c.name): \(error)")
        }
        print("eigvals vs numpy: worst error (relative, floor 1) \(worst)")
    }

    @Test func aRotationHasImaginaryEigenvalues() throws {
        let (re, im) = try eigvals(Tensor<Float>(shape: [2, 2], scalars: [0, 1, -1, 0]))
        #expect(re.scalars.allSatisfy { abs($0) <= 1e-7 })
        #expect(Set(im.scalars) == [1, -1])
    }
}
