import Testing
@testable import Constrained

/// The catalogue against `Scripts/fixtures/parametrizations.py`: NumPy/SciPy transcriptions of
/// `torch.nn.utils.parametrizations`, checked against PyTorch itself to 1e-12 when generated.
@Suite("PyTorch equivalence")
struct PyTorchEquivalenceTests {
    func string(_ c: Fixture.Case, _ key: String) -> String {
        guard case .string(let s) = c.params?[key] else { fatalError("case \(c.name) has no string \(key)") }
        return s
    }

    func number(_ c: Fixture.Case, _ key: String) -> Int {
        guard case .number(let d) = c.params?[key] else { fatalError("case \(c.name) has no number \(key)") }
        return Int(d)
    }

    /// Relative tolerance (floor 1): about 30 ulps of Float (measured 1.8e-7), 1e-12 in Double (measured 1.3e-15).
    func tolerance<S: TensorScalar>(_: S.Type) -> S { S.self == Float.self ? 4e-6 : 1e-12 }

    func orthogonalMatches<S: TensorScalar>(_: S.Type) throws {
        for c in try Fixture.load("orthogonal").cases {
            let x: Tensor<S> = c.input("x")
            let hasBase = c.inputs["base"] != nil
            let p = Orthogonal<S>(map: try Orthogonal<S>.Map(named: string(c, "map")), usesTrivialization: hasBase)
            if hasBase { p.base!.wrappedValue = c.input("base") }
            let q = try p.forward(x)
            let error = maxRelativeError(q, c.output("q"))
            #expect(error <= tolerance(S.self), "\(c.name): \(error)")
        }
    }

    @Test func orthogonalMatchesPyTorchForEveryMapShapeAndBase() throws {
        try orthogonalMatches(Float.self)
        try orthogonalMatches(Double.self)
    }

    func spectralNormMatches<S: TensorScalar>(_: S.Type) throws {
        for c in try Fixture.load("spectral_norm").cases {
            let w: Tensor<S> = c.input("w")
            var p = SpectralNorm<S>(dim: number(c, "dim"))
            p.u = c.input("u0"); p.v = c.input("v0")
            p.setTraining(false)
            let evaluated = try p.forward(w)
            #expect(maxRelativeError(evaluated, c.output("evaluated")) <= tolerance(S.self), "\(c.name) eval")
            p.setTraining(true)
            let trained = try p.forward(w)
            #expect(maxRelativeError(trained, c.output("trained")) <= tolerance(S.self), "\(c.name) train")
            #expect(maxRelativeError(p.u, c.output("u1")) <= tolerance(S.self), "\(c.name) u")
            #expect(maxRelativeError(p.v, c.output("v1")) <= tolerance(S.self), "\(c.name) v")
        }
    }

    @Test func spectralNormMatchesPyTorchInTrainingAndEvaluationMode() throws {
        try spectralNormMatches(Float.self)
        try spectralNormMatches(Double.self)
    }

    func weightNormMatches<S: TensorScalar>(_: S.Type) throws {
        for c in try Fixture.load("weight_norm").cases {
            let dim = number(c, "dim")
            let p = WeightNorm<S>(dim: dim == -1 ? nil : dim)
            p.g = c.input("g")
            let w = try p.forward(c.input("v"))
            #expect(maxRelativeError(w, c.output("w")) <= tolerance(S.self), "\(c.name)")
        }
    }

    @Test func weightNormMatchesPyTorch() throws {
        try weightNormMatches(Float.self)
        try weightNormMatches(Double.self)
    }
}
