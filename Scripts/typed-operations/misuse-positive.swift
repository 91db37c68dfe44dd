// expected error: no exact matches in call to instance method 'updateBase'
// A Positive property has no base to move: `updateBase()` must not compile on it.
import Constrained

final class Misuse: Layer {
    @Constrained(Positive<Double>()) var scale = Tensor<Double>.ones([3])
}

func misuse(_ m: Misuse) throws { try m.$scale.updateBase() }
