import Testing
@testable import Constrained

/// End-to-end: layers, losses and an optimizer together.
@Suite("Training with layers")
struct LayerTrainingTests {
    /// A two-layer perceptron `Linear(2, 8) → tanh → Linear(8, 1)`.
    final class MLP<Scalar: TensorScalar>: Layer {
        let hidden: Linear<Scalar>
        let output: Linear<Scalar>
        init(seed: UInt64) {
            var g = SeededGenerator(seed: seed)
            hidden = Linear(2, 8, using: &g)
            output = Linear(8, 1, using: &g)
        }
        func callAsFunction(_ x: Tensor<Scalar>) -> Tensor<Scalar> { output(tanh(hidden(x))) }
    }

    func xor<S: TensorScalar>(_: S.Type) throws -> (initial: S, final: S) {
        let x = Tensor<S>(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1])
        let y = Tensor<S>(shape: [4, 1], scalars: [0, 1, 1, 0])
        let model = MLP<S>(seed: 1)
        #expect(model.parameterNames == ["hidden.weight", "hidden.bias", "output.weight", "output.bias"])
        let sgd = SGD(for: model, learningRate: 0.1, momentum: 0.9)
        var initial: S = .nan, loss: S = .nan
        for step in 0..<600 {
            let (value, gradients) = try valueWithGradient(of: model) { m in meanSquaredError(m(x), y) }
            if step == 0 { initial = value.scalar }
            loss = value.scalar
            sgd.update(model, along: gradients)
        }
        return (initial, loss)
    }

    @Test func twoLayerPerceptronLearnsXOR() throws {
        let float = try xor(Float.self)
        let double = try xor(Double.self)
        for (name, initial, final) in [("Float", Double(float.initial), Double(float.final)),
                                       ("Double", double.initial, double.final)] {
            #expect(final < 0.05, "\(name): final loss \(final) (initial \(initial))")
            #expect(initial > 0.1, "\(name): the untrained network does not already solve XOR")
        }
    }
}
