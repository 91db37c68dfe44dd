// expected error: no exact matches in call to instance method 'updateBase'
// A composition without a BaseUpdating part (Skew >>> MatrixExp is orthogonal, but has no
// base): `updateBase()` must not compile on it.
import Constrained

final class Misuse: Layer {
    @Constrained(Skew<Double>() >>> MatrixExp<Double>()) var recurrent = Tensor<Double>.eye(3)
}

func misuse(_ m: Misuse) throws { try m.$recurrent.updateBase() }
