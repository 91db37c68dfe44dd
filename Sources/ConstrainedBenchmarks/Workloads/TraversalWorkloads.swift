import Constrained

/// The cost of traversal per training step: `valueWithGradient(of:_:)` and the optimizer's
/// `update` each ask for the model's traversal, so a step pays for two.
///
/// Both models hold what `rnn-orthogonal-h190`'s model holds (an RNN cell with an orthogonal
/// recurrent kernel, input weight and bias; a linear readout's weight and bias):
/// - `traversal-reflection`: every layer written without a declared traversal, walked by
///   reflection at each use, as every model was before traversal could be declared;
/// - `traversal-declared`: the same layers with the traversal `@Layer` generates, written by
///   hand (the benchmark does not depend on the macro product), walked once and then reused.
///
/// `n` is the number of tensors; the time is for two `structure()` calls (one step's worth).
func traversalWorkloads() -> [Workload] {
    [
        traversalStep("traversal-reflection") { ReflectedClassifier() },
        traversalStep("traversal-declared") { DeclaredClassifier() },
    ]
}

private func traversalStep(_ name: String, _ make: @escaping () -> some Layer) -> Workload {
    Workload(suite: "constrained", name: name, dtype: "float64", n: 5, phase: .forward) {
        let model = make()
        return {
            blackHole(try model.structure())
            blackHole(try model.structure())
        }
    }
}

private final class ReflectedCell: Layer {
    @Parameter var input = Tensor<Double>.zeros([190, 10])
    @Constrained(Orthogonal<Double>(map: .matrixExp)) var recurrent = Tensor<Double>.eye(190)
    @Parameter var bias = Tensor<Double>.zeros([190])
    let hiddenSize = 190
}

private final class ReflectedReadout: Layer {
    @Parameter var weight = Tensor<Double>.zeros([10, 190])
    @Parameter var bias = Tensor<Double>.zeros([10])
}

private final class ReflectedClassifier: Layer {
    let cell = ReflectedCell()
    let readout = ReflectedReadout()
}

private final class DeclaredCell: Layer {
    @Parameter var input = Tensor<Double>.zeros([190, 10])
    @Constrained(Orthogonal<Double>(map: .matrixExp)) var recurrent = Tensor<Double>.eye(190)
    @Parameter var bias = Tensor<Double>.zeros([190])
    let hiddenSize = 190

    func traverse(with visitor: TraversalVisitor) throws {
        try visitor.visit(_input, named: "input")
        try visitor.visit(_recurrent, named: "recurrent")
        try visitor.visit(_bias, named: "bias")
    }
}

private final class DeclaredReadout: Layer {
    @Parameter var weight = Tensor<Double>.zeros([10, 190])
    @Parameter var bias = Tensor<Double>.zeros([10])

    func traverse(with visitor: TraversalVisitor) throws {
        try visitor.visit(_weight, named: "weight")
        try visitor.visit(_bias, named: "bias")
    }
}

private final class DeclaredClassifier: Layer {
    let cell = DeclaredCell()
    let readout = DeclaredReadout()
    let layerState = LayerState()

    func traverse(with visitor: TraversalVisitor) throws {
        try visitor.visit(cell, named: "cell")
        try visitor.visit(readout, named: "readout")
    }
}
