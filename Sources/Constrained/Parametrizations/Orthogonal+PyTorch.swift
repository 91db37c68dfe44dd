/// PyTorch's `orthogonal` names its trivialisation buffer `base`, as we do:
/// `parametrizations.weight.original` and `parametrizations.weight.0.base` (the latter only
/// with `use_trivialization=True`, our `usesTrivialization`). The maps need no names: the
/// original's free entries mean the same in both for each map.
///
/// The base of a tall (or wide) weight is the `n × k` point here, and the `n × n` orthogonal
/// matrix whose first `k` columns it is in PyTorch: saving in the PyTorch layout writes the
/// completion this chart applies (see `Orthogonal+TallBase.swift`), which gives the same
/// weights in PyTorch; loading takes either.
extension Orthogonal: PyTorchCheckpointNaming {
    /// The `n × n` completion for a tall `base`; every other tensor as it is.
    public func pytorchValue<S: TensorScalar>(ofTensor name: String, _ value: Tensor<S>) throws -> Tensor<S> {
        guard name == "base", let point = value as? Tensor<Scalar>, point.rank >= 2 else { return value }
        let n = point.shape[point.rank - 2], k = point.shape[point.rank - 1]
        guard k < n else { return value }
        let identity = Tensor<Scalar>.eye(rows: n, columns: n, batch: Array(point.shape.dropLast(2)))
        return Self.applyTallBase(try Self.tallBaseFactors(point), to: identity) as! Tensor<S>
    }
}
