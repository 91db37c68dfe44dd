/// The value of `body` on `model` and the gradient of that value with respect to every
/// trainable tensor of the model, keyed by its dotted name.
///
/// `body` runs once, recording on a fresh `GradientTape`. Every trainable tensor read
/// during the recording (a `@Parameter`, the original behind a `@Constrained` property, a
/// parametrization's own `@Parameter`) entered the graph as one leaf for that tape, so the
/// gradient of each is the sum over all its uses. Tensors that `body` did not use get zeros.
///
/// ```swift
/// let (loss, gradients) = try valueWithGradient(of: model) { m in
///     let y = matmul(x, m.weight) + m.bias
///     return ((y - target) * (y - target)).sum()
/// }
/// gradients["weight.original"]   // for `@Constrained(...) var weight`
/// gradients["bias"]              // for `@Parameter var bias`
/// optimizer.update(model, along: gradients)
/// ```
///
/// - Parameters:
///   - model: the model whose trainable tensors the gradients are taken with respect to.
///   - body: computes a one-element tensor (a loss) from the model; may throw.
/// - Returns: the value (detached) and the gradients of tensors of the loss's scalar type.
/// - Throws: what `body` throws, or a `LinAlgError` with cause `nonScalarTarget`.
public func valueWithGradient<Model: Layer, Scalar>(
    of model: Model, _ body: (Model) throws -> Tensor<Scalar>
) throws -> (value: Tensor<Scalar>, gradients: NamedTensors<Scalar>) {
    let tape = GradientTape()
    let value = try tape.record { try body(model) }
    let slots = LayerTraversal(model).slots.filter {
        $0.slot.role == .trainable && $0.slot.scalarType == Scalar.self
    }
    // The leaves must be fetched before the gradient: taking it consumes the tape and clears
    // its registry of leaves.
    let leaves = slots.map { tape.leaves(owner: $0.slot.slotID, as: Scalar.self) }
    let gradients = try tape.gradient(of: value, wrt: leaves.flatMap { $0 })
    var result = NamedTensors<Scalar>()
    var next = 0
    for (named, own) in zip(slots, leaves) {
        var total: Tensor<Scalar>?
        for _ in own {
            total = total.map { $0 + gradients[next] } ?? gradients[next]
            next += 1
        }
        if let total {
            result[named.name] = total
        } else if let current = named.slot.boxedValue() as? Tensor<Scalar> {
            result[named.name] = Tensor.zeros(current.shape)
        }
    }
    return (value.detached(), result)
}
