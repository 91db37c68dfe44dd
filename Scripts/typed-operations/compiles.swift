// Typed operations that must compile: `updateBase()` where the declared parametrization has a
// `BaseUpdating` part, alone, last or first in a composition, and on the erased form.
import Constrained

final class Typed: Layer {
    @Constrained(Orthogonal<Double>()) var alone = Tensor<Double>.eye(3)
    @Constrained(Scale<Double>(factor: 2) >>> Orthogonal<Double>()) var last = Tensor<Double>.eye(3)
    @Constrained(Orthogonal<Double>() >>> Scale<Double>(factor: 2)) var first = Tensor<Double>.eye(3)
    @Constrained(Sphere<Double>()) var sphere = Tensor<Double>([1, 0, 0])
    @AnyConstrained var erased: Tensor<Double>
    init() { _erased = Constrained(wrappedValue: .ones([3]), Positive<Double>()) }
}

func moveBases(_ m: Typed) throws {
    try m.$alone.updateBase()
    try m.$last.updateBase()
    try m.$first.updateBase()
    try m.$sphere.updateBase()
    try m.$erased.updateBase()   // checked at run time (throws here)
}

/// A scaling, the part before or after the orthogonal one.
struct Scale<Scalar: TensorScalar>: Parametrization {
    var factor: Scalar
    func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x * factor }
    func rightInverse(_ y: Tensor<Scalar>) -> Tensor<Scalar> { y / factor }
}
