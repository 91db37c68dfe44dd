import Testing
@testable import Constrained

/// The sets both libraries have, with the same maps, against geotorch's values
/// (`Scripts/fixtures/geotorch_manifolds.py`).
@Suite("geotorch equivalence")
struct GeotorchEquivalenceTests {
    func number(_ c: Fixture.Case, _ key: String) -> Double {
        guard case .number(let d)? = c.params?[key] else { fatalError("\(c.name): no number \(key)") }
        return d
    }

    func string(_ c: Fixture.Case, _ key: String) -> String {
        guard case .string(let s)? = c.params?[key] else { fatalError("\(c.name): no string \(key)") }
        return s
    }

    @Test func everySharedSetGivesGeotorchsValue() throws {
        let cases = try Fixture.load("geotorch_manifolds").cases
        #expect(cases.count == 14)
        var worst = 0.0
        defer { print("geotorch equivalence: worst max abs difference \(worst) over \(cases.count) cases") }
        for c in cases {
            let expected: Tensor<Double> = c.output("y")
            let value: Tensor<Double>
            switch string(c, "set") {
            case "sphere_embedded":
                value = try Sphere<Double>(radius: number(c, "radius")).forward(c.input("x"))
            case "sphere_exp":
                let r = number(c, "radius")
                var p = Sphere<Double>(radius: r, map: .exponential)
                _ = try p.rightInverse(c.input("base"))
                value = try p.forward(c.input("v") * r)
            case "so_expm", "so_cayley":
                var p = Orthogonal<Double>(map: string(c, "set") == "so_expm" ? .matrixExp : .cayley)
                _ = try p.rightInverse(c.input("base"))
                value = try p.forward(c.input("x"))
            case "stiefel_expm":
                let p = Orthogonal<Double>(map: .matrixExp)
                p.base!.wrappedValue = c.input("base")
                value = try p.forward(c.input("x"))
            default:
                Issue.record("unknown set in \(c.name)")
                continue
            }
            // Measured: at most a few ulps of 1 (the maps are the same up to rounding).
            worst = max(worst, maxAbsoluteDifference(value, expected))
            #expect(maxAbsoluteDifference(value, expected) <= 1e-13, "\(c.name): \(maxAbsoluteDifference(value, expected))")
        }
    }
}
