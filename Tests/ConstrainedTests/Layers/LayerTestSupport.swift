import Testing
@testable import Constrained

/// The outcome of ``layerGradientCheck(_:relativeTolerance:absoluteTolerance:_:)``.
struct LayerGradientCheckResult: CustomStringConvertible {
    var passed = true
    var worstRelativeError = 0.0
    var worstName = ""
    var analytic = 0.0
    var numeric = 0.0
    var checkedNames: [String] = []

    var description: String {
        "layer gradient check \(passed ? "passed" : "FAILED"): worst relative error \(worstRelativeError) in \(worstName) (analytic \(analytic), numeric \(numeric)); checked \(checkedNames)"
    }
}

/// Compares `valueWithGradient(of: model)` with central differences on every element of every
/// trainable tensor of `model` (originals of constrained properties included), so a layer's
/// own parameters are checked the way training uses them.
///
/// Perturbations go through the traversal's slots (the way optimizers and checkpoints write),
/// with `h = ε^{1/3} · max(1, |x|)`.
func layerGradientCheck<M: Layer>(
    _ model: M, relativeTolerance: Double = 1e-6, absoluteTolerance: Double = 1e-8,
    _ loss: (M) throws -> Tensor<Double>
) throws -> LayerGradientCheckResult {
    let (_, gradients) = try valueWithGradient(of: model, loss)
    var result = LayerGradientCheckResult()
    let h0 = Double.pow(Double.ulpOfOne, 1.0 / 3)
    let floor = absoluteTolerance / relativeTolerance
    for named in try LayerTraversal(model).slots where named.slot.role == .trainable {
        guard let value = named.slot.boxedValue() as? Tensor<Double> else { continue }
        guard let gradient = gradients[named.name] else {
            result.passed = false
            result.worstName = "\(named.name) (no gradient)"
            continue
        }
        result.checkedNames.append(named.name)
        for i in 0..<value.scalarCount {
            let x = value.scalars[i]
            let h = h0 * max(1, abs(x))
            func perturbed(_ delta: Double) throws -> Double {
                var copy = value
                copy.withUnsafeMutableBufferPointer { $0[i] = x + delta }
                named.slot.setBoxedValue(copy)
                defer { named.slot.setBoxedValue(value) }
                return try withoutRecording { try loss(model) }.scalar
            }
            let numeric = (try perturbed(h) - perturbed(-h)) / (2 * h)
            let analytic = gradient.scalars[i]
            let difference = abs(analytic - numeric)
            if difference > absoluteTolerance + relativeTolerance * max(abs(analytic), abs(numeric)) {
                result.passed = false
            }
            let relative = difference / max(abs(analytic), abs(numeric), floor)
            if relative >= result.worstRelativeError {
                result.worstRelativeError = relative
                result.worstName = "\(named.name)[\(i)]"
                result.analytic = analytic
                result.numeric = numeric
            }
        }
    }
    if result.checkedNames.isEmpty {
        // A check of nothing would pass: a model whose traversal finds no trainable tensor
        // (or none with a gradient) fails instead.
        result.passed = false
        result.worstName = "(no trainable tensor was checked)"
    }
    return result
}

/// `Σ v ⊙ y` for a fixed random `v`: a scalar whose gradient exercises every output entry.
func weightedSum(_ y: Tensor<Double>, seed: UInt64 = 7) -> Tensor<Double> {
    (y * Tensor<Double>.randomNormal(y.shape, seed: seed)).sum()
}

/// A test stand-in for the catalogue's `Skew` on the last two axes: `X − Xᵀ` (every matrix of
/// a batch skew-symmetric), with the right inverse `Y / 2` for a skew `Y`.
struct SkewPart<Scalar: TensorScalar>: Parametrization {
    func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x - x.transposed() }
    func rightInverse(_ y: Tensor<Scalar>) -> Tensor<Scalar> { y * 0.5 }
}

/// A test stand-in for a stateful parametrization of the `[out, rest]` view (as spectral
/// norm's): the matrix view scaled by a `@Buffer` factor that `forward` also counts its calls
/// in, so traversal reports the state as `weight.0.scale` and `weight.0.calls`.
struct ScaledMatrixView<Scalar: TensorScalar>: Parametrization {
    @Buffer var scale = Tensor<Scalar>([0.5])
    @Buffer var calls = Tensor<Scalar>([0])
    func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        calls = calls + 1
        let matrix = x.reshaped(to: [x.shape[0], -1])
        return (matrix * scale).reshaped(to: x.shape)
    }
    func rightInverse(_ y: Tensor<Scalar>) -> Tensor<Scalar> { y / scale }
}

/// The largest absolute entry of `a − b`.
func largestDifference<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> S {
    precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape) differ")
    var worst: S = 0
    for (x, y) in zip(a.scalars, b.scalars) { worst = max(worst, abs(x - y)) }
    return worst
}

@Suite("Layer gradient check")
struct LayerGradientCheckTests {
    final class NoTrainableTensor: Layer {
        @Buffer var state = Tensor<Double>([1, 2])
    }

    @Test func aModelWithNothingToCheckFails() throws {
        let result = try layerGradientCheck(NoTrainableTensor()) { m in m.state.sum() }
        #expect(!result.passed && result.checkedNames.isEmpty)
    }
}
