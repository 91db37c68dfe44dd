/// A parametrization with a base point that can be moved to the current value (dynamic
/// trivialisation, Casado 2019): the value stays the same, the original returns to the chart's
/// origin, which keeps it small and the map well conditioned during long training.
public protocol BaseUpdating: Parametrization {
    /// Moves the base to `forward(original)` and returns the new original, whose value is the
    /// same up to rounding.
    mutating func updateBase(original: Tensor<Scalar>) throws -> Tensor<Scalar>
}
