extension Constrained where P == AnyParametrization<Scalar> {
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

    private static func open<Q: Parametrization<Scalar>>(_ p: Q, _ value: Tensor<Scalar>) -> Constrained {
        Constrained(wrappedValue: value, p)
    }

    /// A property under `parametrization` (unparametrized when nil), registered on the
    /// constrained value `value`; the throwing form of ``registering(_:on:)``.
    ///
    /// - Throws: what the parametrization's `register(shape:)` or right inverse throws.
    static func registered(_ parametrization: (any Parametrization<Scalar>)?,
                           on value: Tensor<Scalar>) throws -> Constrained {
        guard let parametrization else { return unparametrized(value) }
        return try openRegistered(parametrization, value)
    }

    private static func openRegistered<Q: Parametrization<Scalar>>(_ p: Q, _ value: Tensor<Scalar>) throws -> Constrained {
        var p = p
        try requireUnclaimed(p, subject: String(describing: Q.self))
        try p.register(shape: value.shape)
        let original = try initialOriginal(of: value, under: &p)
        return try Constrained(original: original, registered: p, shape: value.shape)
    }

    /// A property under `parametrization` (unparametrized when nil) for a layer's random
    /// initial value `start`, starting at a point of the parametrization's set.
    ///
    /// `start` is taken as the constrained value when the right inverse accepts it (an
    /// orthogonal weight starts at the orthogonal factor of the random start, a spectrally
    /// normalised one at `start / σ(start)`). When `start` is not a point of the set (the
    /// right inverse throws ``ConstrainedError/Cause/notInImage(_:)`` or a linear-algebra
    /// error: a positive weight from a start with negative entries), it is taken as the
    /// original instead, so the property reads `parametrization.forward(start)`, a point of
    /// the set by construction (a positive weight starts at `softplus(start)`); the state the
    /// failed right inverse touched is put back first.
    ///
    /// - Throws: what `register(shape:)` throws: the set has no tensors of this shape (a
    ///   skew-symmetric weight for a non-square layer), a mistake in the layer's sizes.
    static func starting(at start: Tensor<Scalar>,
                         under parametrization: (any Parametrization<Scalar>)?) throws -> Constrained {
        guard let parametrization else { return unparametrized(start) }
        return try openStarting(parametrization, start)
    }

    /// ``starting(at:under:)`` for a layer's initialiser, which stops the program when the
    /// constraint has no tensors of the layer's shape (a mistake in the code), naming `layer`
    /// and the throwing form `fix`.
    static func startingOrStop(at start: Tensor<Scalar>, under parametrization: (any Parametrization<Scalar>)?,
                               layer: String, fix: String) -> Constrained {
        do {
            return try starting(at: start, under: parametrization)
        } catch {
            fatalError("\(layer): the constraint does not fit: \(error). The throwing form: create the layer without it, then `try \(fix)`.")
        }
    }

    private static func openStarting<Q: Parametrization<Scalar>>(_ p: Q, _ start: Tensor<Scalar>) throws -> Constrained {
        var p = p
        try requireUnclaimed(p, subject: String(describing: Q.self))
        try p.register(shape: start.shape)
        let slots = ParametrizationReflection.slots(of: p)
        let snapshot = slots.map { $0.slot.boxedValue() }
        let original: Tensor<Scalar>
        do {
            original = try initialOriginal(of: start, under: &p)
        } catch let error as ConstrainedError where error.isNotInImage {
            for (named, saved) in zip(slots, snapshot) {
                if let saved { named.slot.setBoxedValue(saved) } else { named.slot.clear() }
            }
            original = start.detached()
        }
        return try Constrained(original: original, registered: p, shape: start.shape)
    }
}

extension ConstrainedError {
    /// Whether the error says a value is not a point of a parametrization's set: cause
    /// ``Cause/notInImage(_:)``, or a linear-algebra failure of a right inverse (a
    /// factorisation that needs a point of the set).
    var isNotInImage: Bool {
        switch cause {
        case .notInImage, .linearAlgebra: return true
        default: return false
        }
    }
}
