import Testing
@testable import Constrained

/// The declared traversal: errors for what cannot be walked, the cache, structural changes.
@Suite("Traversal")
struct TraversalTests {
    final class Inner: Layer {
        @Parameter var w = Tensor<Double>([1, 2])
    }

    final class DeclaredInner: Layer {
        @Parameter var w = Tensor<Double>([1, 2])
        func traverse(with visitor: TraversalVisitor) throws { try visitor.visit(_w, named: "w") }
    }

    struct Holder {
        @Parameter var hidden = Tensor<Double>([3])
    }

    final class WithTuple: Layer {
        let pair = (Inner(), Inner())
    }

    final class WithIntKeys: Layer {
        let heads: [Int: Inner] = [0: Inner()]
    }

    final class WithOptionals: Layer {
        let blocks: [Inner?] = [Inner(), nil]
    }

    final class WithStruct: Layer {
        @Parameter var visible = Tensor<Double>([1])
        let holder = Holder()
    }

    final class WithPlainValues: Layer {
        @Parameter var w = Tensor<Double>([1])
        let width = 3
        let name = "plain"
        let constant = Tensor<Double>([1, 2, 3])
        let sizes = [1, 2, 3]
        let activation: Nonlinearity = .tanh
    }

    enum Nonlinearity { case tanh, relu }

    /// The cause of the traversal error `model` raises, as its description.
    func traversalError(_ model: some Layer) -> String? {
        do {
            _ = try model.structure()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aTupleOfLayersIsAnErrorNamingThePropertyAndItsType() {
        let message = traversalError(WithTuple())
        #expect(message?.contains("\"pair\"") == true)
        #expect(message?.contains("(Inner, Inner)") == true)
    }

    @Test func aDictionaryWithIntKeysIsAnError() {
        let message = traversalError(WithIntKeys())
        #expect(message?.contains("\"heads\"") == true)
        #expect(message?.contains("Dictionary<Int, Inner>") == true)
    }

    @Test func anArrayOfOptionalLayersIsAnError() {
        #expect(traversalError(WithOptionals())?.contains("\"blocks\"") == true)
    }

    @Test func aStructHoldingParametersIsAnError() {
        let message = traversalError(WithStruct())
        #expect(message?.contains("\"holder\"") == true)
        #expect(message?.contains("Holder") == true)
    }

    @Test func theErrorOfANestedLayerNamesTheFullPath() {
        final class Outer: Layer {
            let inner = WithTuple()
        }
        #expect(traversalError(Outer())?.contains("\"inner.pair\"") == true)
    }

    @Test func valueWithGradientThrowsTheTraversalError() {
        let model = WithStruct()
        #expect(throws: (any Error).self) {
            _ = try valueWithGradient(of: model) { m in m.visible.sum() }
        }
    }

    @Test func plainValuesAreSkippedWithoutError() throws {
        let model = WithPlainValues()
        #expect(try model.structure().parameterNames == ["w"])
    }

    /// A layer with a hand-written traversal that counts its calls.
    final class Counted: Layer {
        @Constrained(Skew<Double>()) var w = Tensor<Double>.zeros([3, 3])
        @Parameter var b = Tensor<Double>([0, 0, 0])
        var head: DeclaredInner {
            didSet { structureDidChange() }
        }
        var traversals = 0

        init() { head = DeclaredInner() }

        func traverse(with visitor: TraversalVisitor) throws {
            traversals += 1
            try visitor.visit(_w, named: "w")
            try visitor.visit(_b, named: "b")
            try visitor.visit(head, named: "head")
        }
    }

    @Test func aDeclaredTraversalIsComputedOnceAndReused() throws {
        let model = Counted()
        let before = model.traversals
        let optimizer = SGD(for: model, learningRate: 0.1)
        for _ in 0..<3 {
            let (_, gradients) = try valueWithGradient(of: model) { m in
                (m.w * m.w).sum() + m.b.sum() + m.head.w.sum()
            }
            optimizer.update(model, along: gradients)
        }
        _ = try model.checkpoint()
        model.isTraining = false
        #expect(model.traversals - before == 1)
    }

    @Test func aStructuralChangeIsSeenByTheCachedTraversal() throws {
        let model = Counted()
        #expect(model.parameterNames == ["w.original", "b", "head.w"])
        try model.$w.parametrize(with: WeightNorm<Double>(dim: nil))
        #expect(model.parameterNames == ["w.original", "w.1.g", "b", "head.w"])
        try model.$w.removeParametrization(keeping: .constrained)
        #expect(model.parameterNames == ["w", "b", "head.w"])
        let replaced = DeclaredInner()
        model.head = replaced
        let (_, gradients) = try valueWithGradient(of: model) { m in m.head.w.sum() }
        #expect(gradients["head.w"] == Tensor<Double>([1, 1]))
        let optimizer = SGD(for: model, learningRate: 0.5)
        optimizer.update(model, along: gradients)
        #expect(replaced.w == Tensor<Double>([0.5, 1.5]))
    }

    @Test func aReflectedModelIsWalkedAgainSoAReplacedLayerIsSeen() throws {
        final class Reflected: Layer {
            var head = Inner()
        }
        let model = Reflected()
        _ = model.parameterNames
        let replaced = Inner()
        model.head = replaced
        let (_, gradients) = try valueWithGradient(of: model) { m in m.head.w.sum() }
        SGD(for: model, learningRate: 1).update(model, along: gradients)
        #expect(replaced.w == Tensor<Double>([0, 1]))
    }

    @Test func theModeIsStoredInEveryLayer() {
        final class Outer: Layer {
            let inner = Inner()
        }
        let model = Outer()
        model.isTraining = false
        #expect(model.inner.isTraining == false)
        #expect(model.inner.layerState.contents.withLock { $0.isTraining } == false)
        model.isTraining = true
        #expect(model.inner.isTraining)
    }

    @Test func thePackagesLayersDeclareTheNamesReflectionGives() throws {
        let layers: [any Layer] = [
            Linear<Double>(3, 2, seed: 1), Linear<Double>(3, 2, bias: false, seed: 1),
            Linear<Double>(3, 3, weight: SpectralNorm<Double>(), seed: 1),
            RNNCell<Double>(inputSize: 2, hiddenSize: 3, nonlinearity: .modReLU, seed: 1),
            RNNCell<Double>(inputSize: 2, hiddenSize: 3, recurrent: Orthogonal<Double>(), seed: 1),
            Conv2d<Double>(2, 3, kernelSize: 3, seed: 1), ModReLU<Double>(features: 3),
        ]
        for layer in layers {
            let declared = try LayerTraversal(layer)
            #expect(!declared.usesReflection)
            let visitor = TraversalVisitor()
            visitor.result.layers.append(("", layer))
            try Reflection.traverse(layer: layer, with: visitor)
            #expect(declared.slots.map(\.name) == visitor.result.slots.map(\.name), "\(type(of: layer))")
        }
    }
}
