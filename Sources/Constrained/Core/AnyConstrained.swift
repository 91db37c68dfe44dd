/// A constrained property whose parametrization is chosen at run time: the erased form of
/// ``Constrained``, whose `P` is ``AnyParametrization``.
///
/// Layers that take their constraint as an argument (``Linear``, ``Conv2d``, ``RNNCell``) and
/// properties declared without a parametrization (`@Constrained var w = x`, parametrized later
/// with `try $w.parametrize(with:)`) have this type. Operations that belong to one kind of
/// parametrization are offered here for every property and check at run time:
/// `try $w.updateBase()` throws when no part adopts ``BaseUpdating``.
///
/// ```swift
/// final class Probe: Layer {
///     @AnyConstrained var w: Tensor<Double>
///     init(_ p: some Parametrization<Double>) { _w = Constrained(wrappedValue: .eye(3), p) }
/// }
/// ```
public typealias AnyConstrained<Scalar: TensorScalar> = Constrained<Scalar, AnyParametrization<Scalar>>

extension Constrained where P == AnyParametrization<Scalar> {
    /// A property holding `wrappedValue` with no parametrization yet: a plain trainable tensor
    /// (named `w`, not `w.original`) until ``parametrize(with:)`` registers one. For layers
    /// whose constraint is chosen at run time, as PyTorch's `register_parametrization` on an
    /// existing module.
    public convenience init(wrappedValue: Tensor<Scalar>) {
        var s = State(original: wrappedValue.detached(), parametrization: Identity<Scalar>())
        s.isParametrized = false
        s.setStateSlots([])
        self.init(state: s)
    }

    /// Registers `parametrization`, of any type, on the constrained value `wrappedValue`, as
    /// ``Constrained/init(wrappedValue:_:)`` does, into the erased form.
    ///
    /// - Precondition: the parametrization accepts the shape and its right inverse, if any,
    ///   succeeds on `wrappedValue`.
    public convenience init<Q: Parametrization>(wrappedValue: Tensor<Scalar>, _ parametrization: Q)
    where Q.Scalar == Scalar {
        self.init(registeringOrStop: parametrization, on: wrappedValue)
    }

    /// Registers `parametrization`, of any type, on a property without a value yet.
    public convenience init<Q: Parametrization>(_ parametrization: Q) where Q.Scalar == Scalar {
        self.init(registeringWithoutValue: parametrization)
    }

    /// Moves the base of every part adopting ``BaseUpdating`` to the current point (see the
    /// typed ``Constrained/updateBase()``), finding the parts at run time.
    ///
    /// - Throws: ``ConstrainedError`` (`.invalidArgument`) when no part adopts
    ///   ``BaseUpdating``, `.noValue` without a value, or what a part's `updateBase`, forward
    ///   or right inverse throws; the property is then unchanged.
    public func updateBase() throws { try updateBaseParts() }
}
