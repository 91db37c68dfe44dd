import Testing
@testable import Constrained

/// Traversal of layers: names, nesting, arrays, sharing and modes.
@Suite("Layer traversal")
struct LayerTests {
    final class Cell: Layer {
        @Constrained(PlusOne<Double>() >>> Shift<Double>(2, size: 3)) var recurrent = Tensor<Double>.ones([3])
        @Parameter var bias = Tensor<Double>.zeros([3])
        @Buffer var steps = Tensor<Double>([0])
    }

    final class Model: Layer {
        let cell = Cell()
        let blocks = [Cell(), Cell()]
        var head: Cell? = Cell()
        var missing: Cell? = nil
        @Parameter var scale = Tensor<Double>([1])
    }

    @Test func namesAreDottedPathsInDeclarationOrder() {
        let model = Model()
        let cellNames = ["recurrent.original", "bias"]
        var expected = cellNames.map { "cell.\($0)" }
        expected += cellNames.map { "blocks.0.\($0)" } + cellNames.map { "blocks.1.\($0)" }
        expected += cellNames.map { "head.\($0)" } + ["scale"]
        #expect(model.parameterNames == expected)
        #expect(model.stateNames.prefix(3) == ["cell.recurrent.1.shift", "cell.recurrent.1.last", "cell.steps"])
        #expect(model.stateNames.count == 12)
    }

    @Test func aSharedLayerIsReportedOnceUnderItsFirstName() {
        final class Twice: Layer {
            let first: Cell
            let second: Cell
            init() { first = Cell(); second = first }
        }
        #expect(Twice().parameterNames == ["first.recurrent.original", "first.bias"])
    }

    @Test func superclassPropertiesComeFirst() {
        class Base: Layer { @Parameter var a = Tensor<Double>([1]) }
        final class Derived: Base { @Parameter var b = Tensor<Double>([2]) }
        #expect(Derived().parameterNames == ["a", "b"])
    }

    func weightAndBias<S: TensorScalar>(_: S.Type) throws {
        let model = ConstrainedAffine<S>()
        #expect(model.parameterNames == ["weight.original", "bias.original"])
        let x = Tensor<S>([3, 5])
        // loss = Σ (w ⊙ x) + b with w = 2·ow, b = ob + 1.
        let (_, gradients) = try valueWithGradient(of: model) { m in (m.weight * x).sum() + m.bias.sum() }
        #expect(gradients.names == ["weight.original", "bias.original"])
        #expect(gradients["weight.original"]!.scalars == [6, 10])
        #expect(gradients["bias.original"]!.scalars == [1])
        let sgd = SGD(for: model, learningRate: 0.5)
        sgd.update(model, along: gradients)
        #expect(model.$weight.original.scalars == [-2, -3])
        #expect(model.$bias.original.scalars == [-0.5])
    }

    @Test func weightAndBiasConstrainedAtOnceHaveNoDuplicatedParameters() throws {
        try weightAndBias(Float.self)
        try weightAndBias(Double.self)
    }

    @Test func gradientsAreKeyedExactlyByTheTraversalNames() throws {
        let model = Model()
        model.head!.bias = Tensor([1, 2, 3])
        let (_, gradients) = try valueWithGradient(of: model) { m in
            var total = m.scale.sum()
            for cell in [m.cell] + m.blocks + [m.head!] {
                total = total + (cell.recurrent * cell.bias).sum() + cell.steps.sum()
            }
            return total
        }
        #expect(gradients.names == model.parameterNames)
        // ∂/∂bias of Σ recurrent ⊙ bias is recurrent, whose declared (constrained) value is 1.
        #expect(gradients["blocks.1.bias"]!.scalars == [1, 1, 1])
        // ∂/∂recurrent is the bias, set non-zero so that it differs from the zero fill of a
        // tensor that got no gradient.
        #expect(gradients["head.recurrent.original"]!.scalars == [1, 2, 3])
        #expect(gradients["cell.recurrent.original"]!.scalars == [0, 0, 0])   // its bias is zero
    }

    @Test func unusedParametersGetZeroGradients() throws {
        let model = Model()
        let (_, gradients) = try valueWithGradient(of: model) { m in m.scale.sum() * 3 }
        #expect(gradients.count == model.parameterNames.count)
        #expect(gradients["scale"]!.scalars == [3])
        #expect(gradients["cell.bias"]!.scalars == [0, 0, 0])
    }

    @Test func evaluationModeReachesNestedLayersAndComesBack() {
        let model = Model()
        #expect(model.isTraining && model.cell.isTraining)
        model.isTraining = false
        #expect(!model.isTraining && !model.cell.isTraining && !model.blocks[1].isTraining)
        #expect(!model.blocks[0].$recurrent.isTraining)
        model.cell.isTraining = true
        #expect(model.cell.isTraining && !model.isTraining)
        model.isTraining = true
        #expect(model.blocks[1].isTraining && model.blocks[1].$recurrent.isTraining)
    }

    @Test func parametersAreSnapshotsOfTheCurrentValues() {
        let model = Cell()
        let parameters = model.parameters(as: Double.self)
        #expect(parameters.names == ["recurrent.original", "bias"])
        #expect(parameters["recurrent.original"]! == model.$recurrent.original)
        #expect(!parameters["bias"]!.isTracked)
    }
}

final class ConstrainedAffine<S: TensorScalar>: Layer {
    @Constrained(Scale<S>(factor: 2)) var weight = Tensor<S>([2, 4])
    @Constrained(PlusOne<S>()) var bias = Tensor<S>([1])
}
