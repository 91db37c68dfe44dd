import ConstrainedLayerMacros
import Testing

// The same layer written with `@Layer` and with reflection: every kind of property.

@Layer
final class MacroBlock {
    @Parameter var w = Tensor<Double>([0.5, -0.5])
}

final class ReflectedBlock: Layer {
    @Parameter var w = Tensor<Double>([0.5, -0.5])
}

@Layer
final class MacroEverything {
    @Constrained(Positive<Double>()) var scale = Tensor<Double>([1, 2])
    @Constrained(Skew<Double>() >>> MatrixExp<Double>()) var rotation = Tensor<Double>.eye(2)
    @Constrained(WeightNorm<Double>(dim: nil)) var normed = Tensor<Double>([3, 4])
    @Parameter var bias = Tensor<Double>([0.1, 0.2])
    @Buffer var running = Tensor<Double>([0, 0])
    let nested = MacroBlock()
    var optional: MacroBlock? = MacroBlock()
    var absent: MacroBlock? = nil
    var blocks = [MacroBlock(), MacroBlock()]
    var heads: [String: MacroBlock] = ["b": MacroBlock(), "a": MacroBlock()]
    let width: Int = 2
    @LayerIgnored var scratch: (Int, Int) = (0, 0)

    func loss() -> Tensor<Double> {
        var total = (scale * scale).sum() + (matmul(rotation, scale.reshaped(to: [2, 1]))).sum()
        total = total + (normed * bias).sum() + bias.sum() + nested.w.sum() * 2
        total = total + (optional!.w * optional!.w).sum()
        for block in blocks { total = total + (block.w * block.w * block.w).sum() }
        for (_, head) in heads { total = total + (head.w * 3).sum() }
        return total
    }
}

final class ReflectedEverything: Layer {
    @Constrained(Positive<Double>()) var scale = Tensor<Double>([1, 2])
    @Constrained(Skew<Double>() >>> MatrixExp<Double>()) var rotation = Tensor<Double>.eye(2)
    @Constrained(WeightNorm<Double>(dim: nil)) var normed = Tensor<Double>([3, 4])
    @Parameter var bias = Tensor<Double>([0.1, 0.2])
    @Buffer var running = Tensor<Double>([0, 0])
    let nested = ReflectedBlock()
    var optional: ReflectedBlock? = ReflectedBlock()
    var absent: ReflectedBlock? = nil
    var blocks = [ReflectedBlock(), ReflectedBlock()]
    var heads: [String: ReflectedBlock] = ["b": ReflectedBlock(), "a": ReflectedBlock()]
    let width: Int = 2
}

@Layer
final class Renamed {
    @LayerKey("w_q") let query = MacroBlock()
    @LayerKey("g") @Parameter var gain = Tensor<Double>([1])
}

@Suite("@Layer at run time")
struct LayerMacroRuntimeTests {
    @Test func theMacroAndReflectionGiveTheSameNames() throws {
        let declared = try MacroEverything().structure()
        let reflected = try ReflectedEverything().structure()
        #expect(declared == reflected)
        #expect(declared.parameterNames == [
            "scale.original", "rotation.original", "normed.original", "normed.0.g", "bias",
            "nested.w", "optional.w", "blocks.0.w", "blocks.1.w", "heads.a.w", "heads.b.w",
        ])
        #expect(declared.stateNames == ["running"])
    }

    @Test func trainingChangesEveryTrainableTensor() throws {
        let model = MacroEverything()
        let before = model.parameters(as: Double.self)
        #expect(before.names == ReflectedEverything().parameterNames)
        let optimizer = Adam(for: model, learningRate: 0.01)
        for _ in 0..<3 {
            let (_, gradients) = try valueWithGradient(of: model) { $0.loss() }
            optimizer.update(model, along: gradients)
        }
        let after = model.parameters(as: Double.self)
        #expect(after.names == before.names)
        for name in before.names {
            #expect(after[name] != before[name], "\(name) did not change")
        }
    }

    @Test func replacingALayerIsSeenByTheCachedTraversal() throws {
        let model = MacroEverything()
        _ = try model.structure()
        model.blocks.append(MacroBlock())
        #expect(model.parameterNames.contains("blocks.2.w"))
        model.optional = nil
        #expect(!model.parameterNames.contains("optional.w"))
    }

    @Test func keysRenameProperties() {
        #expect(Renamed().parameterNames == ["w_q.w", "g"])
    }

    @Test func theModeIsStoredInTheLayer() {
        let model = MacroEverything()
        model.isTraining = false
        #expect(model.nested.isTraining == false)
        #expect(model.blocks[1].isTraining == false)
    }
}
