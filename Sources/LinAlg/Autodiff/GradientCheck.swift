/// The outcome of ``gradientCheck(at:relativeTolerance:absoluteTolerance:seed:_:)``.
public struct GradientCheckResult<Scalar: TensorScalar>: CustomStringConvertible, Sendable {
    /// Whether every entry agreed within tolerance.
    public let passed: Bool
    /// The largest `|analytic − numeric| / max(|analytic|, |numeric|, absoluteTolerance / relativeTolerance)`.
    public let worstRelativeError: Scalar
    /// Which input (index into `inputs`) and which flat element had the worst error.
    public let worstInput: Int
    /// The flat index of the worst entry within its input.
    public let worstElement: Int
    /// The tape's derivative at the worst entry.
    public let analytic: Scalar
    /// The central-difference derivative at the worst entry.
    public let numeric: Scalar

    /// Whether the check passed, and the worst entry with both derivatives.
    public var description: String {
        "gradientCheck \(passed ? "passed" : "FAILED"): worst relative error \(worstRelativeError) at input \(worstInput), element \(worstElement) (analytic \(analytic), numeric \(numeric))"
    }
}

/// Compares the tape's gradient of `f` with central finite differences.
///
/// For an output `y = f(inputs)` of any shape, checks the vector–Jacobian product with a
/// fixed random cotangent `v` (seeded by `seed`): the scalar `L = Σ v ⊙ y` is differentiated
/// by the tape and by `(L(x + h eᵢ) − L(x − h eᵢ)) / 2h` for every element of every input,
/// with `h = ε^{1/3} · max(1, |xᵢ|)` (the step that balances truncation, O(h²), against
/// rounding, O(ε/h)). An entry passes when
/// `|analytic − numeric| ≤ absoluteTolerance + relativeTolerance · max(|analytic|, |numeric|)`.
///
/// Use it on your own parametrizations:
/// ```swift
/// let result = try gradientCheck(at: [x]) { xs in myMap(xs[0]) }
/// #expect(result.passed, "\(result)")
/// ```
public func gradientCheck<Scalar>(
    at inputs: [Tensor<Scalar>],
    relativeTolerance: Scalar = 1e-6,
    absoluteTolerance: Scalar = 1e-8,
    seed: UInt64 = 0x5eed,
    _ f: ([Tensor<Scalar>]) throws -> Tensor<Scalar>
) throws -> GradientCheckResult<Scalar> {
    let inputs = inputs.map { $0.detached() }
    let probe = try withoutRecording { try f(inputs) }
    let v = Tensor<Scalar>.randomNormal(probe.shape, seed: seed)
    func loss(_ xs: [Tensor<Scalar>]) throws -> Scalar {
        let y = try withoutRecording { try f(xs) }
        var acc: Scalar = 0
        for (a, b) in zip(y.scalars, v.scalars) { acc += a * b }
        return acc
    }
    let tape = GradientTape()
    let watched = inputs.map { tape.watch($0) }
    let l = try tape.record { (try f(watched) * v).sum() }
    let analytic = try tape.gradient(of: l, wrt: watched)

    var worst: Scalar = 0, worstInput = 0, worstElement = 0
    var worstA: Scalar = 0, worstN: Scalar = 0
    var passed = true
    let h0 = Scalar.pow(Scalar.epsilon, 1.0 / 3)
    let floor = absoluteTolerance / relativeTolerance
    for k in inputs.indices {
        let values = inputs[k].scalars, derivatives = analytic[k].scalars
        for i in values.indices {
            var plus = inputs, minus = inputs
            let x = values[i]
            let h = h0 * Swift.max(1, Swift.abs(x))
            plus[k].withUnsafeMutableBufferPointer { $0[i] = x + h }
            minus[k].withUnsafeMutableBufferPointer { $0[i] = x - h }
            let numeric = (try loss(plus) - loss(minus)) / (2 * h)
            let a = derivatives[i]
            let diff = Swift.abs(a - numeric)
            if diff > absoluteTolerance + relativeTolerance * Swift.max(Swift.abs(a), Swift.abs(numeric)) {
                passed = false
            }
            let rel = diff / Swift.max(Swift.abs(a), Swift.abs(numeric), floor)
            if rel > worst || (worst == 0 && k == 0 && i == 0) {
                worst = rel; worstInput = k; worstElement = i; worstA = a; worstN = numeric
            }
        }
    }
    return GradientCheckResult(passed: passed, worstRelativeError: worst, worstInput: worstInput,
                               worstElement: worstElement, analytic: worstA, numeric: worstN)
}
