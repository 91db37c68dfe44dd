/// A parametrization type known, from its type alone, to have a part adopting
/// ``BaseUpdating``: what makes the typed `$w.updateBase()` available.
///
/// Every ``BaseUpdating`` type has it, and so has a composition whose second part has it
/// (`a >>> Orthogonal()`, `(a >>> Orthogonal()) >>> b >>> Orthogonal()`). A composition
/// whose *first* part has it (`Orthogonal() >>> b`) is covered by an overload of
/// `updateBase()` on the property instead: one type cannot conform under either of two
/// conditions, so `(Orthogonal() >>> a) >>> b` (the part two levels down on the left) is
/// not covered, and needs the erased ``AnyConstrained`` form or ``Constrained/modifyParts(ofType:_:)``.
public protocol ContainsBaseUpdating: Parametrization {}

extension Composed: ContainsBaseUpdating where Second: ContainsBaseUpdating {}

extension Constrained where P: ContainsBaseUpdating {
    /// Moves the base of every part adopting ``BaseUpdating`` (an ``Orthogonal`` with
    /// trivialisation, alone or inside a composition) to the current point, and stores the
    /// original that gives the same value in the new charts, up to rounding.
    ///
    /// For a chart `φ_B` at base `B`, the value `y = φ_B(X)` is kept and the chart moves:
    /// `B ← y`, `X ← φ_y⁻¹(y)` (the chart's origin). For a part after others
    /// (`a >>> Orthogonal()`), its new input is mapped back through the right inverses of the
    /// parts before it. Optimizer state kept for the original (momentum) refers to the old
    /// chart; reset it if that matters.
    ///
    /// Offered only where the declared parametrization has such a part: on a `Positive`
    /// property it does not compile. The erased form (``AnyConstrained``) has a run-time
    /// checked `updateBase()`.
    ///
    /// ```swift
    /// @Constrained(Orthogonal<Double>()) var q = Tensor<Double>.eye(4)
    /// try $q.updateBase()
    /// ```
    ///
    /// - Throws: ``ConstrainedError`` (`.noValue`) without a value, `.invalidArgument` when
    ///   the parametrization was removed or replaced at run time by one without such a part,
    ///   or what a part's `updateBase`, forward or right inverse throws (an ``Orthogonal``
    ///   without trivialisation); the property is then unchanged.
    public func updateBase() throws { try updateBaseParts() }
}

extension Constrained {
    /// Moves the bases of a composition whose first part has a ``BaseUpdating`` part
    /// (`Orthogonal() >>> b`), as ``updateBase()``.
    ///
    /// - Throws: as ``updateBase()``.
    public func updateBase<First: ContainsBaseUpdating, Second>() throws where P == Composed<First, Second> {
        try updateBaseParts()
    }
}
