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

    /// Ours for a `pssd*` case: the value from the case's eigen-factors `q`, `l`, or after the
    /// round trip of `y0`.
    func positiveSemidefinite(_ c: Fixture.Case) throws -> Tensor<Double> {
        let rank = Int(number(c, "rank"))
        var p: PositiveSemidefinite<Double>
        switch string(c, "set") {
        case "pssd": p = PositiveSemidefinite()
        case "pssd_low_rank": p = PositiveSemidefinite(rank: rank)
        default: p = PositiveSemidefinite(fixedRank: rank)
        }
        if string(c, "check") == "round_trip" {
            let y0: Tensor<Double> = c.input("y0")
            try p.register(shape: y0.shape)
            _ = try p.rightInverse(y0)   // the registration's value may be projected; this one needs none
            return try p.forward(try p.rightInverse(y0))
        }
        let q: Tensor<Double> = c.input("q"), l: Tensor<Double> = c.input("l")
        let n = q.shape[q.rank - 2], batch = Array(q.shape.dropLast(2))
        try p.register(shape: batch + [n, n])
        if p.rankConstraint == .any {
            // Ours: the eigen chart at the base Q, at its origin diag(λ).
            p.frame!.base!.wrappedValue = q
            return try p.forward(Tensor.diagonalMatrix(l))
        }
        var householder = Orthogonal<Double>(map: .householder, usesTrivialization: false)
        let original = concatenate([try householder.rightInverse(q), l.reshaped(to: batch + [1, rank])], alongAxis: q.rank - 2)
        return try p.forward(original)
    }

    @Test func everySharedSetGivesGeotorchsValue() throws {
        let cases = try Fixture.load("geotorch_manifolds").cases
        #expect(cases.count == 31)
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
            case "hurwitz":
                let y0: Tensor<Double> = c.input("y0")
                var p = Hurwitz<Double>(alpha: number(c, "alpha"))
                try p.register(shape: y0.shape)
                _ = try p.rightInverse(y0)
                value = try p.forward(try p.rightInverse(y0))
            case "pssd", "pssd_low_rank", "pssd_fixed_rank":
                value = try positiveSemidefinite(c)
            case "psd_chart", "pssd_chart":
                // The same original and base: geotorch's value of the eigen chart.
                if string(c, "set") == "psd_chart" {
                    let p = PositiveDefinite<Double>(.eigen)
                    p.frame!.base!.wrappedValue = c.input("base")
                    value = try p.forward(c.input("x"))
                } else {
                    let p = PositiveSemidefinite<Double>()
                    p.frame!.base!.wrappedValue = c.input("base")
                    value = try p.forward(c.input("x"))
                }
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
