/// A parametrization with a base point it can move: dynamic trivialisation.
///
/// A parametrization of a manifold through a chart at a base point `B` (an orthogonal
/// `B · exp(X)`) works best while the original `X` stays small. `updateBase(original:)` moves
/// the base to the current point, `B ← φ_B(X)`, and returns the original that gives the same
/// value in the new chart (the chart's origin). Call it through the property,
/// `try $w.updateBase()`, which finds every part adopting this protocol, also inside
/// compositions, and stores the new original.
public protocol BaseUpdating: ContainsBaseUpdating {
    /// Moves the base to `forward(original)` and returns the original of the same value in
    /// the new chart.
    mutating func updateBase(original: Tensor<Scalar>) throws -> Tensor<Scalar>
}
