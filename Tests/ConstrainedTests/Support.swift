import Synchronization
import Testing
@testable import Constrained

/// `x ↦ x²` that counts its own evaluations (independently of the cache's statistics), with
/// the right inverse `√y`. A class, so the test keeps a handle on the counter.
final class CountingSquare<Scalar: TensorScalar>: Parametrization, @unchecked Sendable {
    let calls = Atomic<Int>(0)
    var evaluations: Int { calls.load(ordering: .relaxed) }

    func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        calls.add(1, ordering: .relaxed)
        return x * x
    }

    func rightInverse(_ y: Tensor<Scalar>) -> Tensor<Scalar> { y.map { $0.squareRoot() } }
}

/// `x ↦ x + 1`, right inverse `y − 1`.
struct PlusOne<Scalar: TensorScalar>: Parametrization {
    func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x + 1 }
    func rightInverse(_ y: Tensor<Scalar>) -> Tensor<Scalar> { y - 1 }
}

/// `x ↦ c·x`, right inverse `y / c`.
struct Scale<Scalar: TensorScalar>: Parametrization {
    var factor: Scalar
    func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x * factor }
    func rightInverse(_ y: Tensor<Scalar>) -> Tensor<Scalar> { y / factor }
}

/// `x ↦ x²` with no right inverse.
struct SquareWithoutInverse<Scalar: TensorScalar>: Parametrization {
    func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x * x }
}

/// `x ↦ g·x` with a trainable magnitude `g` of its own (as weight norm's).
struct Magnitude<Scalar: TensorScalar>: Parametrization {
    @Parameter var g: Tensor<Scalar>
    init(_ g: Scalar) { _g = Parameter(wrappedValue: Tensor([g])) }
    func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x * g }
    func rightInverse(_ y: Tensor<Scalar>) -> Tensor<Scalar> { y / g }
}

/// `x ↦ x + shift` with a state buffer; the right inverse records the value it inverted in
/// the buffer `last` before (optionally) failing: a stateful right inverse.
struct Shift<Scalar: TensorScalar>: Parametrization {
    @Buffer var shift: Tensor<Scalar>
    @Buffer var last: Tensor<Scalar>
    var failsOnInverse = false

    init(_ shift: Scalar, size: Int) {
        _shift = Buffer(wrappedValue: Tensor([shift]))
        _last = Buffer(wrappedValue: Tensor<Scalar>.zeros([size]))
    }

    func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x + shift }

    func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        last = y
        if failsOnInverse { throw TestError.rightInverseFailed }
        return y - shift
    }
}

/// A parametrization that updates a buffer inside `forward` (as spectral norm's power
/// iteration does) and knows its mode.
struct PowerIterationLike<Scalar: TensorScalar>: Parametrization {
    @Buffer var iterations = Tensor<Scalar>([0])
    var isTraining = true

    func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        if isTraining { iterations = iterations + 1 }
        return x * 2
    }

    mutating func setTraining(_ isTraining: Bool) { self.isTraining = isTraining }
}

enum TestError: Error { case rightInverseFailed }

/// A model with one constrained property under a counting parametrization and one plain
/// parameter.
final class CountingModel<Scalar: TensorScalar>: Layer {
    let counter = CountingSquare<Scalar>()
    @AnyConstrained var w: Tensor<Scalar>
    @Parameter var b: Tensor<Scalar>

    init(_ values: [Scalar] = [1, 2, 3]) {
        _w = Constrained(wrappedValue: Tensor(values).map { $0 * $0 }, counter)
        b = Tensor<Scalar>([0.5])
    }
}

/// The largest elementwise relative error `|a − b| / max(|b|, floor)`.
func maxRelativeError<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>, floor: S = 1) -> S {
    precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape) differ")
    var worst: S = 0
    for (x, y) in zip(a.scalars, b.scalars) {
        worst = max(worst, abs(x - y) / max(abs(y), floor))
    }
    return worst
}

/// A relative tolerance suited to the scalar type: a few hundred ulps.
func tolerance<S: TensorScalar>(_: S.Type) -> S { S.ulpOfOne * 512 }
