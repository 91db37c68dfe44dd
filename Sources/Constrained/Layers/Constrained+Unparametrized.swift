extension Constrained {
    /// A constrained property with no constraint yet: it reads `value` back, traversal names
    /// it plain `w` (not `w.original`), and a layer can later put a parametrization on it.
    ///
    /// Layers whose weights users may want to constrain (``Linear``, ``Conv2d``, the
    /// recurrent kernel of ``RNNCell``) declare them `@Constrained` and start them this way,
    /// so that a plain layer has PyTorch's names (`weight`, `bias`) and costs one lock per
    /// read, while the same property accepts a parametrization (then named `weight.original`).
    static func unparametrized(_ value: Tensor<Scalar>) -> Constrained {
        let property = Constrained(wrappedValue: value, Identity<Scalar>())
        // Removing the identity keeping the original cannot fail: nothing is evaluated.
        try! property.removeParametrization(keeping: .original)
        return property
    }

    /// A property holding `value` under `parametrization` (its right inverse, if any, maps
    /// `value` to the original), or unparametrized when `parametrization` is nil.
    static func registering(_ parametrization: (any Parametrization<Scalar>)?,
                            on value: Tensor<Scalar>) -> Constrained {
        guard let parametrization else { return unparametrized(value) }
        return open(parametrization, value)
    }

    private static func open<P: Parametrization<Scalar>>(_ p: P, _ value: Tensor<Scalar>) -> Constrained {
        Constrained(wrappedValue: value, p)
    }
}
