import Testing
@testable import Constrained

/// A model with one orthogonal weight.
final class OrthogonalModel<S: TensorScalar>: Layer {
    @AnyConstrained var w: Tensor<S>

    init(_ initial: Tensor<S>, map: Orthogonal<S>.Map?, trivialization: Bool = true) {
        _w = Constrained(wrappedValue: initial, Orthogonal<S>(map: map, usesTrivialization: trivialization))
    }
}

@Suite("Orthogonal")
struct OrthogonalTests {
    static let shapes: [[Int]] = [[5, 5], [7, 3], [3, 7], [2, 4, 4], [2, 6, 3], [2, 3, 6]]

    func everyMapAndShapeIsOrthogonal<S: TensorScalar>(_: S.Type) throws {
        for map in Orthogonal<S>.Map.allCases {
            for shape in Self.shapes {
                for trivialization in [true, false] {
                    var p = Orthogonal<S>(map: map, usesTrivialization: trivialization)
                    if trivialization { _ = try p.rightInverse(try randomOrthogonal(shape, seed: 3)) }
                    let q = try p.forward(Tensor<S>.randomNormal(shape, seed: 1))
                    #expect(q.shape == shape)
                    let error = orthogonalityError(q), bound = orthogonalityBound(S.self, shape)
                    #expect(error <= bound, "\(map) \(shape) trivialization \(trivialization): \(error) > \(bound)")
                }
            }
        }
    }

    @Test func everyMapIsOrthogonalForSquareTallWideAndBatchedMatrices() throws {
        try everyMapAndShapeIsOrthogonal(Float.self)
        try everyMapAndShapeIsOrthogonal(Double.self)
    }

    func rightInverseRoundTrips<S: TensorScalar>(_: S.Type) throws {
        for map in Orthogonal<S>.Map.allCases {
            for shape in Self.shapes {
                var p = Orthogonal<S>(map: map)
                let q: Tensor<S> = try randomOrthogonal(shape, seed: 4)
                let back = try p.forward(try p.rightInverse(q))
                #expect(maxAbsoluteDifference(back, q) <= orthogonalityBound(S.self, shape), "\(map) \(shape)")
            }
        }
    }

    @Test func rightInverseRoundTripsWithTrivialization() throws {
        try rightInverseRoundTrips(Float.self)
        try rightInverseRoundTrips(Double.self)
    }

    @Test func householderRightInverseWithoutTrivializationRoundTrips() throws {
        for shape in Self.shapes {
            var p = Orthogonal<Double>(map: .householder, usesTrivialization: false)
            let q: Tensor<Double> = try randomOrthogonal(shape, seed: 5)
            let back = try p.forward(try p.rightInverse(q))
            #expect(maxAbsoluteDifference(back, q) <= orthogonalityBound(Double.self, shape), "\(shape)")
        }
    }

    @Test func householderRightInverseHandlesAxisAlignedColumns() throws {
        // The identity's columns need no reflection (LAPACK's τ = 0): the signs compensate.
        var p = Orthogonal<Double>(map: .householder, usesTrivialization: false)
        let q = Tensor<Double>.eye(rows: 5, columns: 3)
        #expect(maxAbsoluteDifference(try p.forward(try p.rightInverse(q)), q) <= 1e-15)
    }

    @Test func aNonOrthogonalInitialValueIsOrthogonalisedByQR() throws {
        let a = Tensor<Double>.randomNormal([4, 4], seed: 6)
        let model = OrthogonalModel(a, map: .cayley)
        let expected = try qr(a, nonNegativeDiagonal: true).q
        #expect(maxAbsoluteDifference(model.w, expected) <= 1e-13)
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        for map in Orthogonal<Double>.Map.allCases {
            for shape in [[4, 4], [5, 3], [3, 5], [2, 3, 3]] {
                var p = Orthogonal<Double>(map: map)
                _ = try p.rightInverse(try randomOrthogonal(shape, seed: 7))
                let x = Tensor<Double>.randomNormal(shape, seed: 8) * 0.5
                let result = try gradientCheck(at: [x]) { xs in try p.forward(xs[0]) }
                #expect(result.passed, "\(map) \(shape): \(result)")
            }
        }
    }

    @Test func theUnusedTriangleAndDiagonalGetZeroGradient() throws {
        for map in Orthogonal<Double>.Map.allCases {
            for shape in [[5, 5], [6, 3], [3, 6]] {
                var p = Orthogonal<Double>(map: map)
                _ = try p.rightInverse(try randomOrthogonal(shape, seed: 9))
                let g = try gradientOfForward(&p, at: Tensor<Double>.randomNormal(shape, seed: 10))
                let tall = shape[0] < shape[1] ? g.transposed() : g
                #expect(tall.triu().scalars.allSatisfy { $0 == 0 }, "\(map) \(shape)")
                #expect(tall.tril(-1).scalars.contains { $0 != 0 }, "\(map) \(shape)")
            }
        }
    }

    func staysOrthogonalUnderTraining<S: TensorScalar>(_: S.Type) throws {
        for map in Orthogonal<S>.Map.allCases {
            for shape in [[6, 6], [6, 3]] {
                let model = OrthogonalModel<S>(try randomOrthogonal(shape, seed: 11), map: map)
                let target = Tensor<S>.randomNormal(shape, seed: 12)
                let sgd = SGD(for: model, learningRate: 0.05)
                for _ in 0..<1000 {
                    let (_, gradients) = try valueWithGradient(of: model) { m in
                        let d = m.w - target
                        return (d * d).sum()
                    }
                    sgd.update(model, along: gradients)
                }
                let error = orthogonalityError(model.w), bound = orthogonalityBound(S.self, shape)
                #expect(error <= bound, "\(map) \(shape) after 1,000 steps: \(error) > \(bound)")
                #expect(model.$w.original.scalars.contains { abs($0) > 0.01 }, "the original moved")
            }
        }
    }

    @Test func thousandOptimizerStepsKeepTheWeightOrthogonal() throws {
        try staysOrthogonalUnderTraining(Float.self)
        try staysOrthogonalUnderTraining(Double.self)
    }

    @Test func updateBaseLeavesTheValueUnchangedAndResetsTheOriginal() throws {
        for map in Orthogonal<Double>.Map.allCases {
            for shape in Self.shapes {
                let model = OrthogonalModel<Double>(try randomOrthogonal(shape, seed: 13), map: map)
                model.$w.original = Tensor<Double>.randomNormal(shape, seed: 14) * 0.3
                let before = model.w
                try model.$w.updateBase()
                let after = model.w
                #expect(maxAbsoluteDifference(after, before) <= 1e-14, "\(map) \(shape)")
                #expect(model.$w.original.scalars == Orthogonal<Double>.chartOrigin(shape).scalars)
            }
        }
    }

    @Test func updateBaseWorksThroughATypeErasedParametrization() throws {
        final class Erased: Layer {
            @Constrained(AnyParametrization<Double>(Orthogonal<Double>(map: .cayley))) var w = Tensor<Double>.eye(4)
        }
        let model = Erased()
        model.$w.original = Tensor<Double>.randomNormal([4, 4], seed: 20) * 0.3
        let before = model.w
        try model.$w.updateBase()
        #expect(maxAbsoluteDifference(model.w, before) <= 1e-14)
    }

    @Test func updateBaseOfTheErasedFormNeedsAnOrthogonalParametrization() {
        final class Plain: Layer {
            @AnyConstrained var w: Tensor<Double>
            init() { _w = Constrained(wrappedValue: .zeros([3, 3]), Skew<Double>()) }
        }
        let error = #expect(throws: ConstrainedError.self) { try Plain().$w.updateBase() }
        #expect(error?.operation == "updateBase")
    }

    @Test func defaultMapIsMatrixExpWhenSquareAndHouseholderOtherwise() {
        let p = Orthogonal<Double>()
        #expect(p.resolvedMap(for: [3, 3]) == .matrixExp)
        #expect(p.resolvedMap(for: [2, 5, 5]) == .matrixExp)
        #expect(p.resolvedMap(for: [5, 3]) == .householder)
        #expect(p.resolvedMap(for: [3, 5]) == .householder)
        #expect(Orthogonal<Double>(map: .cayley).resolvedMap(for: [5, 3]) == .cayley)
    }

    @Test func mapsAreNamedAsInPyTorchAndUnknownNamesAreRejected() throws {
        #expect(try Orthogonal<Double>(mapNamed: "matrix_exp").map == .matrixExp)
        #expect(try Orthogonal<Double>(mapNamed: "householder").map == .householder)
        let error = #expect(throws: ConstrainedError.self) { try Orthogonal<Double>(mapNamed: "qr") }
        #expect(error?.description.contains("\"qr\"") == true)
    }

    @Test func vectorsAreRejectedNamingTheShape() throws {
        let p = Orthogonal<Double>()
        let error = #expect(throws: ConstrainedError.self) { try p.forward(Tensor<Double>([1, 2, 3])) }
        #expect(error?.description.contains("[3]") == true)
    }

    @Test func assigningAnotherShapeIsRejectedNamingBothShapes() throws {
        let model = OrthogonalModel<Double>(Tensor<Double>.eye(3), map: nil)
        let error = #expect(throws: ConstrainedError.self) { try model.$w.assign(Tensor<Double>.eye(4)) }
        #expect(error?.description.contains("[3, 3]") == true)
        #expect(error?.description.contains("[4, 4]") == true)
        #expect(model.w.scalars == Tensor<Double>.eye(3).scalars, "a failed assignment changes nothing")
    }

    @Test func matrixExpAndCayleyHaveNoRightInverseWithoutTrivialization() throws {
        for map in [Orthogonal<Double>.Map.matrixExp, .cayley] {
            var p = Orthogonal<Double>(map: map, usesTrivialization: false)
            #expect(throws: ConstrainedError.self) { try p.rightInverse(Tensor<Double>.eye(3)) }
        }
    }

    @Test func theBaseIsAStateTensorNamedLikePyTorch() {
        let model = OrthogonalModel<Double>(Tensor<Double>.eye(3), map: .cayley)
        #expect(model.stateNames.contains("w.0.base"))
        #expect(!model.parameterNames.contains("w.0.base"))
        let plain = OrthogonalModel<Double>(Tensor<Double>.eye(3), map: .householder, trivialization: false)
        #expect(!plain.stateNames.contains("w.0.base"))
    }

    @Test func anOriginalSetDirectlyUsesTheIdentityBase() throws {
        let p = Orthogonal<Double>(map: .cayley)
        let x = Tensor<Double>.randomNormal([4, 4], seed: 15)
        let plain = Orthogonal<Double>(map: .cayley, usesTrivialization: false)
        #expect(maxAbsoluteDifference(try p.forward(x), try plain.forward(x)) == 0)
        #expect(p.base?.storedValue?.scalars == Tensor<Double>.eye(4).scalars)
    }

    func torusSamples<S: TensorScalar>(_: S.Type) throws {
        var generator = SeededGenerator(seed: 16)
        for map in Orthogonal<S>.Map.allCases {
            for (rows, columns) in [(6, 6), (7, 7), (6, 3), (3, 6)] {
                let q = Orthogonal<S>.torusSample(rows: rows, columns: columns, batch: [2], map: map, using: &generator)
                #expect(q.shape == [2, rows, columns])
                #expect(orthogonalityError(q) <= orthogonalityBound(S.self, [rows, columns]), "\(map) \(rows)×\(columns)")
            }
        }
    }

    @Test func torusSamplesAreOrthogonal() throws {
        try torusSamples(Float.self)
        try torusSamples(Double.self)
    }

    @Test func torusSampleIsBlockDiagonalRotationsWithAnglesInMinusPiToPi() throws {
        var generator = SeededGenerator(seed: 17)
        let n = 400
        let q = Orthogonal<Double>.torusSample(n: n, using: &generator)
        let s = q.scalars
        var angles: [Double] = []
        for t in 0..<(n / 2) {
            let i = 2 * t
            #expect(s[i * n + i] == s[(i + 1) * n + i + 1])
            #expect(s[i * n + i + 1] == -s[(i + 1) * n + i])
            angles.append(Double.atan2(y: s[i * n + i + 1], x: s[i * n + i]))
        }
        // Outside the 2 × 2 blocks everything is zero.
        var offBlock = 0.0
        for i in 0..<n { for j in 0..<n where i / 2 != j / 2 { offBlock = max(offBlock, abs(s[i * n + j])) } }
        #expect(offBlock == 0)
        // Uniform on (−π, π): the mean is near 0 and both halves are populated alike.
        let mean = angles.reduce(0, +) / Double(angles.count)
        #expect(abs(mean) < 0.5)
        #expect(angles.allSatisfy { $0 > -Double.pi && $0 < Double.pi })
        #expect(angles.filter { $0 > 2 }.count > 10 && angles.filter { $0 < -2 }.count > 10)
    }

    @Test func torusSampleWithCayleyIsTheCayleyImageOfTheSameSkewMatrix() throws {
        var g1 = SeededGenerator(seed: 18), g2 = SeededGenerator(seed: 18)
        let viaCayley = Orthogonal<Double>.torusSample(n: 6, map: .cayley, using: &g1)
        let viaExp = Orthogonal<Double>.torusSample(n: 6, map: .matrixExp, using: &g2)
        // Rebuild A from the exp sample's angles and map it with the Cayley map (I − A/2)⁻¹(I + A/2).
        var a = [Double](repeating: 0, count: 36)
        let e = viaExp.scalars
        for t in 0..<3 {
            let i = 2 * t, theta = Double.atan2(y: e[i * 6 + i + 1], x: e[i * 6 + i])
            a[i * 6 + i + 1] = theta; a[(i + 1) * 6 + i] = -theta
        }
        let half = Tensor<Double>(shape: [6, 6], scalars: a) * 0.5
        let expected = try solve(Tensor<Double>.eye(6) - half, Tensor<Double>.eye(6) + half)
        #expect(maxAbsoluteDifference(viaCayley, expected) <= 1e-14)
    }

    @Test func aTorusSampleInitialisesATrivializedPropertyExactly() throws {
        var generator = SeededGenerator(seed: 19)
        let sample = Orthogonal<Double>.torusSample(n: 8, using: &generator)
        let model = OrthogonalModel<Double>(sample, map: .matrixExp)
        #expect(model.w.scalars == sample.scalars)
    }
}
