import Testing
@testable import LinAlg

/// The agreement demanded of well-conditioned fixtures: 1e-12 in Double, 1e-4 in Float.
func fixtureTolerance<S: TensorScalar>(_: S.Type) -> S { S.self == Double.self ? 1e-12 : 1e-4 }

extension Fixture.Case {
    func bool(_ key: String) -> Bool {
        guard case .bool(let b)? = params?[key] else { fatalError("fixture case \(name) has no boolean \(key)") }
        return b
    }

    func string(_ key: String) -> String? {
        guard case .string(let x)? = params?[key] else { return nil }
        return x
    }

    func int(_ key: String) -> Int? {
        guard case .number(let x)? = params?[key] else { return nil }
        return Int(x)
    }

    func number(_ key: String) -> Double? {
        guard case .number(let x)? = params?[key] else { return nil }
        return x
    }

    /// Whether the case is meant for Float too (cases whose values overflow Float say no).
    var runsInFloat: Bool {
        if case .bool(false)? = params?["float32"] { return false }
        return number("condition") == nil
    }
}

/// `x` with each column's sign flipped to agree with `reference`'s (the gauge of eigenvectors
/// and singular vectors), batched.
func alignedColumns<S: TensorScalar>(_ x: Tensor<S>, to reference: Tensor<S>) -> Tensor<S> {
    let m = x.shape[x.rank - 2], n = x.shape[x.rank - 1]
    let count = m * n == 0 ? 0 : x.scalarCount / (m * n)
    let p = x.scalars, r = reference.scalars
    var out = p
    for b in 0..<count {
        for j in 0..<n {
            var dot: S = 0
            for i in 0..<m { dot += p[b * m * n + i * n + j] * r[b * m * n + i * n + j] }
            if dot < 0 { for i in 0..<m { out[b * m * n + i * n + j] = -out[b * m * n + i * n + j] } }
        }
    }
    return Tensor(shape: x.shape, scalars: out)
}

/// Runs `body` for Float and Double.
func forBothScalarTypes(_ body: (any TensorScalar.Type) throws -> Void) rethrows {
    try body(Float.self)
    try body(Double.self)
}

/// The error `body` throws, if it is a `LinAlgError`.
func linAlgError(_ body: () throws -> Void) -> LinAlgError? {
    do { try body() } catch let error as LinAlgError { return error } catch { return nil }
    return nil
}
