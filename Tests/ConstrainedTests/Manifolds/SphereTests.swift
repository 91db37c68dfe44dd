import PropertyBased
import Testing
@testable import Constrained

@Suite("Sphere")
struct SphereTests {
    @Test func everyLawHoldsForRandomSizesRadiiAndSeeds() async {
        await reproduciblePropertyCheck(count: 12, input: Gen.int(in: 1...7), Gen.int(in: 0...2), Gen.uint64(in: 1...1_000_000)) { n, batch, seed in
            let shape = Array(repeating: 2, count: batch) + [n]
            let radius = Double(seed % 5) / 2 + 0.5
            for map in Sphere<Double>.Map.allCases {
                try ManifoldLaws.check({ Sphere<Double>(radius: radius, map: map) }, shape: shape, seed: seed)
            }
        }
    }

    @Test func theExponentialMapAtTheOriginHasTheTangentGradient() throws {
        // At x = 0 the coefficients' pullbacks replace 0/0: the gradient is finite.
        var p = Sphere<Double>(radius: 2, map: .exponential)
        try p.register(shape: [4])
        let x = try p.rightInverse(Tensor([0, 2, 0, 0]))
        let result = try gradientCheck(at: [x]) { xs in try p.forward(xs[0]) }
        #expect(result.passed, "\(result)")
    }

    @Test func aRadiusThatIsNotPositiveThrowsNamingTheSet() {
        for radius in [-1.0, 0, .infinity] {
            var p = Sphere<Double>(radius: radius)
            #expect {
                try p.register(shape: [3])
            } throws: { error in
                guard let e = error as? ConstrainedError, case .invalidArgument(let detail) = e.cause else { return false }
                return e.description.contains("Sphere") && detail.contains("radius")
            }
        }
    }

    @Test func theProjectionOfZeroThrows() {
        #expect(throws: ConstrainedError.self) { try Sphere<Double>().projection(Tensor([0, 0])) }
    }

    @Test func theDescriptionNamesTheSettings() throws {
        var p = Sphere<Double>(radius: 2, map: .exponential)
        try p.register(shape: [5, 3])
        #expect(p.description == "Sphere(n: 3, radius: 2.0, map: exponential)")
    }
}
