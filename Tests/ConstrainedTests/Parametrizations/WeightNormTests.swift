import Testing
@testable import Constrained

final class WeightNormModel<S: TensorScalar>: Layer {
    @AnyConstrained var w: Tensor<S>

    init(_ initial: Tensor<S>, dim: Int?) {
        _w = Constrained(wrappedValue: initial, WeightNorm<S>(dim: dim))
    }

    var g: Tensor<S> { $w.parametrization(as: WeightNorm<S>.self)!.$g.storedValue! }
}

@Suite("WeightNorm")
struct WeightNormTests {
    /// `g · v / ‖v‖` with the norms over the axes other than `dim` of a [3, 4, 2] tensor,
    /// computed entry by entry.
    func expected<S: TensorScalar>(_ v: Tensor<S>, g: Tensor<S>, dim: Int?) -> Tensor<S> {
        let shape = v.shape, s = v.scalars, gs = g.scalars
        func index(_ flat: Int) -> [Int] { [flat / 8, (flat / 2) % 4, flat % 2] }
        var norms = [Int: S]()
        for flat in 0..<s.count {
            let key = dim.map { index(flat)[$0] } ?? 0
            norms[key, default: 0] += s[flat] * s[flat]
        }
        return Tensor(shape: shape, scalars: (0..<s.count).map { flat in
            let key = dim.map { index(flat)[$0] } ?? 0
            return gs[key] * s[flat] / norms[key]!.squareRoot()
        })
    }

    func valueIsGTimesDirection<S: TensorScalar>(_: S.Type) throws {
        for dim in [0, 1, 2, -1, nil] as [Int?] {
            let w0 = Tensor<S>.randomNormal([3, 4, 2], seed: 1)
            let model = WeightNormModel<S>(w0, dim: dim)
            #expect(maxRelativeError(model.w, w0) <= tolerance(S.self), "registration keeps the value, dim \(String(describing: dim))")
            let v = Tensor<S>.randomNormal([3, 4, 2], seed: 2)
            model.$w.original = v
            let reference = expected(v, g: model.g, dim: dim.map { $0 < 0 ? $0 + 3 : $0 })
            #expect(maxRelativeError(model.w, reference) <= tolerance(S.self), "dim \(String(describing: dim))")
        }
    }

    @Test func theValueIsGTimesVOverItsNormAlongDim() throws {
        try valueIsGTimesDirection(Float.self)
        try valueIsGTimesDirection(Double.self)
    }

    @Test func gHasTheShapeOfPyTorchs() {
        #expect(WeightNormModel<Double>(Tensor.ones([3, 4, 2]), dim: 0).g.shape == [3, 1, 1])
        #expect(WeightNormModel<Double>(Tensor.ones([3, 4, 2]), dim: 1).g.shape == [1, 4, 1])
        #expect(WeightNormModel<Double>(Tensor.ones([3, 4, 2]), dim: nil).g.shape == [])
    }

    @Test func gradientsReachGAndV() throws {
        let model = WeightNormModel<Double>(Tensor<Double>.randomNormal([3, 4], seed: 3), dim: 0)
        let c = Tensor<Double>.randomNormal([3, 4], seed: 4)
        let (_, gradients) = try valueWithGradient(of: model) { m in (m.w * c).sum() }
        let gg = try #require(gradients["w.0.g"])
        let gv = try #require(gradients["w.original"])
        // dL/dgᵢ = Σⱼ Cᵢⱼ vᵢⱼ / ‖vᵢ‖.
        let v = model.$w.original, vs = v.scalars, cs = c.scalars
        for i in 0..<3 {
            var norm = 0.0, dot = 0.0
            for j in 0..<4 { norm += vs[i * 4 + j] * vs[i * 4 + j]; dot += cs[i * 4 + j] * vs[i * 4 + j] }
            #expect(abs(gg.scalars[i] - dot / norm.squareRoot()) <= 1e-14)
        }
        // dL/dv is orthogonal to each row of v (‖v‖ is scale invariant) and non-zero.
        for i in 0..<3 {
            var dot = 0.0
            for j in 0..<4 { dot += gv.scalars[i * 4 + j] * vs[i * 4 + j] }
            #expect(abs(dot) <= 1e-13)
        }
        #expect(gv.scalars.contains { abs($0) > 1e-3 })
        #expect(model.parameterNames.sorted() == ["w.0.g", "w.original"])
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        for dim in [0, 1, nil] as [Int?] {
            let p = WeightNorm<Double>(dim: dim)
            let w = Tensor<Double>.randomNormal([3, 4, 2], seed: 5)
            _ = try p.rightInverse(w * 2)
            let result = try gradientCheck(at: [w]) { xs in try p.forward(xs[0]) }
            #expect(result.passed, "dim \(String(describing: dim)): \(result)")
        }
    }

    @Test func anOutOfRangeDimIsRejected() throws {
        let error = #expect(throws: ConstrainedError.self) { try WeightNorm<Double>(dim: 3).rightInverse(Tensor.ones([2, 2])) }
        #expect(error?.cause == .invalidArgument("dim 3 is out of range (expected -2...1, or nil for the whole tensor)"))
    }
}
