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

    final class Chart: Layer {
        @AnyConstrained var weight: Tensor<Double>
        init<M: Manifold>(_ set: M, _ x: Tensor<Double>) throws where M.Scalar == Double {
            _weight = Constrained(wrappedValue: Tensor<Double>.eye(x.shape[0]), set)
            try $weight.setOriginal(x)
        }
    }

    /// Our PyTorch-layout checkpoint names for a weight of the eigen chart, as geotorch's
    /// `state_dict` lists them (sorted, comma-separated).
    func geotorchKeys(_ set: String, _ x: Tensor<Double>) throws -> String {
        let layer = set == "psd_chart" ? try Chart(PositiveDefinite<Double>(.eigen), x) : try Chart(PositiveSemidefinite<Double>(), x)
        return try layer.checkpoint(layout: .pytorch).names.sorted().joined(separator: ",")
    }

    @Test func everySharedSetGivesGeotorchsValue() throws {
        let cases = try Fixture.load("geotorch_manifolds").cases
        #expect(cases.count == 40)
        var worst = 0.0, worstDiagonal = 0.0
        defer { print("geotorch equivalence: worst max abs difference \(worst) in the values, \(worstDiagonal) in the right inverse's diagonal, over \(cases.count) cases") }
        for c in cases {
            if string(c, "set") == "psd_chart_inverse" {
                // The diagonal of the original: softplus⁻¹(λ − 10⁻⁶), λ ascending.
                var p = PositiveDefinite<Double>(.eigen)
                let y0: Tensor<Double> = c.input("y0")
                try p.register(shape: y0.shape)
                _ = try p.rightInverse(y0)
                let original = try p.rightInverse(y0)
                #expect(original.tril(-1).scalars.allSatisfy { $0 == 0 } && original.triu(1).scalars.allSatisfy { $0 == 0 })
                let d: Tensor<Double> = c.output("d")
                worstDiagonal = max(worstDiagonal, maxAbsoluteDifference(original.diagonal(), d))
                #expect(maxAbsoluteDifference(original.diagonal(), d) <= 1e-12, "\(c.name): \(maxAbsoluteDifference(original.diagonal(), d))")
                continue
            }
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
                let x: Tensor<Double> = c.input("x")
                if string(c, "set") == "psd_chart" {
                    let p = PositiveDefinite<Double>(.eigen)
                    p.frame!.base!.wrappedValue = c.input("base")
                    value = try p.forward(x)
                } else {
                    let p = PositiveSemidefinite<Double>()
                    p.frame!.base!.wrappedValue = c.input("base")
                    value = try p.forward(x)
                }
                if case .string(let keys)? = c.params?["keys"] {
                    #expect(try geotorchKeys(string(c, "set"), x) == keys, "\(c.name)")
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
