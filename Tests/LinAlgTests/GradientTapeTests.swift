import Testing
@testable import LinAlg

@Suite("Gradient tape")
struct GradientTapeTests {
    @Test func gradientOfASumOfSquares() throws {
        let tape = GradientTape()
        let x = tape.watch(Tensor<Double>([1, 2, 3]))
        let y = tape.record { (x * x).sum() }
        #expect(try tape.gradient(of: y, wrt: x).scalars == [2, 4, 6])
    }

    @Test func nothingIsRecordedWithRecordingOff() throws {
        let tape = GradientTape()
        let x = tape.watch(Tensor<Double>([1, 2]))
        let y = tape.record { withoutRecording { (x * x).sum() } }
        #expect(!y.isTracked)
        #expect(try tape.gradient(of: y, wrt: x).scalars == [0, 0])
    }

    @Test func aNonScalarTargetIsRejected() {
        let tape = GradientTape()
        let x = tape.watch(Tensor<Double>([1, 2]))
        let y = tape.record { x * 2 }
        #expect(throws: LinAlgError(operation: "gradient", shape: [2], cause: .nonScalarTarget)) { try tape.gradient(of: y, wrt: x) }
    }

    @Test func aConsumedTapeRefusesASecondGradientButAPersistentOneGivesTheSame() throws {
        let tape = GradientTape()
        let x = tape.watch(Tensor<Double>([3]))
        let y = tape.record { (x * x * x).sum() }
        _ = try tape.gradient(of: y, wrt: x)
        let error = #expect(throws: LinAlgError.self) { try tape.gradient(of: y, wrt: x) }
        #expect(error?.cause == .tapeConsumed(tapeID: tape.id))

        let persistent = GradientTape(persistent: true)
        let z = persistent.watch(Tensor<Double>([3]))
        let w = persistent.record { (z * z * z).sum() }
        let g1 = try persistent.gradient(of: w, wrt: z)
        let g2 = try persistent.gradient(of: w, wrt: z)
        #expect(g1 == g2)
        #expect(g1.scalars == [27])
    }

    @Test func nestedTapesEachSeeTheirOwnGradient() throws {
        let outer = GradientTape()
        let x = outer.watch(Tensor<Double>([2]))
        let loss = try outer.record { () throws -> Tensor<Double> in
            let inner = GradientTape()
            let y = inner.watch(Tensor<Double>([5]))
            let innerLoss = inner.record { (x * y * y).sum() }
            let dy = try inner.gradient(of: innerLoss, wrt: y)
            #expect(dy.scalars == [20])  // 2·x·y
            return innerLoss
        }
        #expect(try outer.gradient(of: loss, wrt: x).scalars == [25])  // y²
    }

    @Test func broadcastingGradientsAreReducedToTheInputShape() throws {
        let (_, g) = try valueWithGradient(at: Tensor<Double>.ones([3, 4]), Tensor<Double>([1, 2, 3, 4])) { a, b in
            ((a + b) * (a - b)).sum()
        }
        #expect(g.1.shape == [4])
        #expect(g.1.scalars == [-6, -12, -18, -24])
    }

    @Test func arithmeticAndMatmulPassTheGradientCheck() throws {
        let a = Tensor<Double>.randomNormal([3, 4], seed: 1)
        let b = Tensor<Double>.randomNormal([2, 4, 5], seed: 2)
        let c = Tensor<Double>.randomUniform([5], from: 1, to: 2, seed: 3)
        let result = try gradientCheck(at: [a, b, c]) { t in
            (matmul(t[0], t[1]) / t[2] - 3 * t[2] + 1 / t[2]).transposed().reshaped(to: [-1]) * 2
        }
        #expect(result.passed, "\(result)")
        let tr = try gradientCheck(at: [a, b]) { t in
            matmul(t[0].transposed(), transposed: true, t[1].transposed(), transposed: true)
        }
        #expect(tr.passed, "\(tr)")
    }

    @Test func valuesOnOtherThreadsAreNotRecorded() async throws {
        let tape = GradientTape()
        let x = tape.watch(Tensor<Double>([1]))
        let tracked = await tape.record {
            Task.detached { (x * 2).isTracked }
        }.value
        #expect(!tracked)
    }
}
