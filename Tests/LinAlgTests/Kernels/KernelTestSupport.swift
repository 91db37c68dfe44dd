import Testing
@testable import LinAlg

/// The worst elementwise relative error `|a − e| / max(|e|, floor)`, where equal infinities
/// and NaN against NaN count as exact and any other non-finite mismatch (or a shape
/// mismatch) as infinite.
func worstRelativeError<S: TensorScalar>(_ actual: Tensor<S>, _ expected: Tensor<S>, floor: S) -> S {
    if actual.shape != expected.shape { return .infinity }
    var worst: S = 0
    for (a, e) in zip(actual.scalars, expected.scalars) {
        if a == e || (a.isNaN && e.isNaN) { continue }
        if !a.isFinite || !e.isFinite { return .infinity }
        worst = Swift.max(worst, Swift.abs(a - e) / Swift.max(Swift.abs(e), floor))
    }
    return worst
}

/// The relative error floor below which values count as zero: beneath Float's normal range,
/// and deep in Double's subnormals.
func comparisonFloor<S: TensorScalar>(_: S.Type) -> S { S.self == Double.self ? 1e-300 : 1e-35 }

extension Fixture.Case {
    /// A comma-separated list of integers parameter (`"0,-1"`; empty for none).
    func integers(_ key: String) -> [Int] {
        guard let text = string(key) else { fatalError("fixture case \(name) has no list \(key)") }
        return text.split(separator: ",").map { Int($0)! }
    }
}

/// The result of `gradientCheck` for a function of one tensor (Double).
func checkGradient(at x: Tensor<Double>, relativeTolerance: Double = 1e-6,
                   _ f: @escaping (Tensor<Double>) -> Tensor<Double>) throws -> GradientCheckResult<Double> {
    try gradientCheck(at: [x], relativeTolerance: relativeTolerance) { f($0[0]) }
}

extension Fixture.Case {
    /// A boolean parameter that defaults to false when absent.
    func flag(_ key: String) -> Bool {
        guard case .bool(let b)? = params?[key] else { return false }
        return b
    }
}
