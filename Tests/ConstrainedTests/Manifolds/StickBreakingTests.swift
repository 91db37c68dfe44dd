import PropertyBased
import Testing
@testable import Constrained

@Suite("Simplex by stick-breaking")
struct StickBreakingTests {
    @Test func lawsHoldForRandomShapes() async {
        await reproduciblePropertyCheck(count: 10, input: Gen.int(in: 2...9), Gen.int(in: 0...2), Gen.uint64(in: 1...1_000_000)) { n, batch, seed in
            try ManifoldLaws.check({ Simplex<Double>(map: .stickBreaking) }, shape: Array(repeating: 2, count: batch) + [n], seed: seed)
        }
    }

    @Test func forwardAndInverseGiveTorchsValues() throws {
        let cases = try Fixture.load("torch_distributions").cases
        #expect(cases.count == 4)
        var worst = 0.0
        for c in cases {
            let x: Tensor<Double> = c.input("x"), y0: Tensor<Double> = c.input("y0")
            var p = Simplex<Double>(map: .stickBreaking)
            let y = try p.forward(x)
            let x0 = try p.rightInverse(y0)
            worst = max(worst, maxAbsoluteDifference(y, c.output("y")), maxAbsoluteDifference(x0, c.output("x0")))
            #expect(maxAbsoluteDifference(y, c.output("y")) <= 1e-15, "\(c.name)")
            #expect(maxAbsoluteDifference(x0, c.output("x0")) <= 1e-13, "\(c.name)")
        }
        print("stick-breaking vs torch: worst max abs difference \(worst)")
    }

    @Test func zeroIsTheCentreAndTheOriginalHasOneEntryLess() throws {
        let p = Simplex<Double>(map: .stickBreaking)
        #expect(maxAbsoluteDifference(try p.forward(Tensor<Double>.zeros([3])), Tensor<Double>(shape: [4], repeating: 0.25)) <= 1e-16)
        #expect(try p.originalShape(forValueShape: [2, 4]) == [2, 3])
        let holder = ManifoldHolder(Simplex(map: .stickBreaking), initial: Tensor([0.2, 0.3, 0.5]))
        #expect(holder.$w.original.shape == [2])
        #expect(maxAbsoluteDifference(holder.w, Tensor([0.2, 0.3, 0.5])) <= 1e-15)
    }

    @Test func aSingleEntryOrAZeroEntryIsRefused() {
        var p = Simplex<Double>(map: .stickBreaking)
        #expect {
            try p.register(shape: [1])
        } throws: { error in
            guard let e = error as? ConstrainedError, case .invalidShape(let detail) = e.cause else { return false }
            return detail.contains("n ≥ 2") && e.description.contains("Simplex(map: stickBreaking)")
        }
        #expect {
            _ = try p.rightInverse(Tensor([0, 0.5, 0.5]))
        } throws: { error in
            guard let e = error as? ConstrainedError, case .notInImage = e.cause else { return false }
            return e.description.contains("Simplex")
        }
    }

    @Test func theDescriptionNamesTheMap() throws {
        var p = Simplex<Double>(map: .stickBreaking)
        try p.register(shape: [5, 3])
        #expect(p.description == "Simplex(n: 3, map: stickBreaking)")
    }
}
