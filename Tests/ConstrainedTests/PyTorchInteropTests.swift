import Foundation
import Testing
@testable import Constrained

/// Checkpoints from and for real `torch.nn.utils.parametrizations` modules
/// (`Scripts/fixtures/pytorch_interop.py`).
@Suite("PyTorch interop")
struct PyTorchInteropTests {
    /// The Swift twin of the script's `Interop` module: same children, same parametrizations.
    final class InteropModel<S: TensorScalar>: Layer {
        let orthExp = Linear<S>(4, 4, weight: Orthogonal<S>(map: .matrixExp), seed: 1)
        let orthCayley = Linear<S>(5, 3, weight: Orthogonal<S>(map: .cayley), seed: 2)
        let orthHouseholder = Linear<S>(3, 5, weight: Orthogonal<S>(map: .householder), seed: 3)
        let orthExpPlain = Linear<S>(4, 4, weight: Orthogonal<S>(map: .matrixExp, usesTrivialization: false), seed: 4)
        let orthCayleyPlain = Linear<S>(3, 5, weight: Orthogonal<S>(map: .cayley, usesTrivialization: false), seed: 5)
        let orthHouseholderPlain = Linear<S>(5, 3, weight: Orthogonal<S>(map: .householder, usesTrivialization: false), seed: 6)
        let orthConv = Conv2d<S>(2, 3, kernelSize: 3, weight: Orthogonal<S>(), seed: 7)
        let spectral = Linear<S>(4, 3, weight: SpectralNorm<S>(), seed: 8)
        let spectralConv = Conv2d<S>(2, 3, kernelSize: [3, 2], stride: [2, 1], padding: 1, weight: SpectralNorm<S>(), seed: 9)
        let spectralConvDim1 = Conv2d<S>(2, 3, kernelSize: 2, weight: SpectralNorm<S>(dim: 1), seed: 10)
        let weightNorm = Linear<S>(4, 3, weight: WeightNorm<S>(), seed: 11)
        let weightNormDim1 = Linear<S>(4, 3, weight: WeightNorm<S>(dim: 1), seed: 12)
        let weightNormWhole = Linear<S>(4, 3, weight: WeightNorm<S>(dim: nil), seed: 13)
        let weightNormConv = Conv2d<S>(2, 3, kernelSize: [2, 3], dilation: [1, 2], weight: WeightNorm<S>(), seed: 14)
        let groupedConv = Conv2d<S>(4, 6, kernelSize: 3, padding: .same, groups: 2, weight: SpectralNorm<S>(), seed: 15)

        /// The convolutions by child name, as the script's `convolutions()`.
        var convolutions: [(name: String, layer: Conv2d<S>)] {
            [("orthConv", orthConv), ("spectralConv", spectralConv), ("spectralConvDim1", spectralConvDim1),
             ("weightNormConv", weightNormConv), ("groupedConv", groupedConv)]
        }

        /// Every constrained weight by child name, as the script's `constrained()`.
        var constrained: [(name: String, weight: Tensor<S>)] {
            [("orthExp", orthExp.weight), ("orthCayley", orthCayley.weight), ("orthHouseholder", orthHouseholder.weight),
             ("orthExpPlain", orthExpPlain.weight), ("orthCayleyPlain", orthCayleyPlain.weight),
             ("orthHouseholderPlain", orthHouseholderPlain.weight), ("orthConv", orthConv.weight),
             ("spectral", spectral.weight), ("spectralConv", spectralConv.weight),
             ("spectralConvDim1", spectralConvDim1.weight), ("weightNorm", weightNorm.weight),
             ("weightNormDim1", weightNormDim1.weight), ("weightNormWhole", weightNormWhole.weight),
             ("weightNormConv", weightNormConv.weight), ("groupedConv", groupedConv.weight)]
        }
    }

    static func fixtureURL(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name)
    }

    @Test func ourPyTorchLayoutKeysArePyTorchsStateDictKeys() throws {
        let fixture = try Fixture.load("pytorch_interop").cases[0]
        let ours = try InteropModel<Double>().checkpoint(layout: .pytorch).names
        #expect(Set(ours) == Set(fixture.inputs.keys))
        #expect(ours.contains("spectral.parametrizations.weight.0._u"))
        #expect(ours.contains("weightNorm.parametrizations.weight.original0"))
        #expect(!ours.contains("orthExpPlain.parametrizations.weight.0.base"), "no base without trivialisation")
    }

    func reproducesPyTorch<S: TensorScalar>(_: S.Type, tolerance: S) throws {
        let fixture = try Fixture.load("pytorch_interop").cases[0]
        let model = InteropModel<S>()
        try model.load(from: Self.fixtureURL("pytorch_interop.safetensors"), layout: .pytorch,
                       convertingScalarTypes: S.self == Float.self)
        model.isTraining = false
        #expect(fixture.outputs.count == 15)
        for (name, weight) in model.constrained {
            let expected: Tensor<S> = fixture.output(name)
            let error = maxRelativeError(weight, expected)
            #expect(error <= tolerance, "\(name): relative error \(error) from PyTorch's weight")
        }
    }

    @Test func realPyTorchParametrizedModulesLoadAndGiveTheirWeightsInDouble() throws {
        try reproducesPyTorch(Double.self, tolerance: 1e-12)
    }

    @Test func realPyTorchParametrizedModulesLoadIntoAFloatModelWithConversion() throws {
        try reproducesPyTorch(Float.self, tolerance: 1e-6)
        #expect(throws: ConstrainedError.self, "F64 into Float needs convertingScalarTypes") {
            try InteropModel<Float>().load(from: Self.fixtureURL("pytorch_interop.safetensors"), layout: .pytorch)
        }
    }

    @Test func loadedPyTorchConvolutionsGiveTorchsOutputs() throws {
        let convolutions = try Fixture.load("pytorch_interop").cases[1]
        let model = InteropModel<Double>()
        try model.load(from: Self.fixtureURL("pytorch_interop.safetensors"), layout: .pytorch)
        model.isTraining = false
        #expect(convolutions.outputs.count == 5)
        for (name, conv) in model.convolutions {
            let y = conv(convolutions.input(name))
            let expected: Tensor<Double> = convolutions.output(name)
            guard y.shape == expected.shape else { Issue.record("\(name): shape \(y.shape), PyTorch's \(expected.shape)"); continue }
            let error = maxRelativeError(y, expected)
            #expect(error <= 1e-12, "\(name): relative error \(error) from PyTorch's output")
        }
    }

    @Test func aFloat32PyTorchFileLoadsIntoAFloatModelAsItIsAndGivesPyTorchsFloatWeights() throws {
        let fixture = try Fixture.load("pytorch_interop_f32").cases[0]
        let model = InteropModel<Float>()
        try model.load(from: Self.fixtureURL("pytorch_interop_f32.safetensors"), layout: .pytorch)
        model.isTraining = false
        for (name, weight) in model.constrained {
            let expected: Tensor<Float> = fixture.output(name)
            let error = maxRelativeError(weight, expected)
            #expect(error <= 1e-6, "\(name): relative error \(error) from PyTorch's float32 weight")
        }
    }

    @Test func theLegacyWeightNormKeysLoad() throws {
        let fixture = try Fixture.load("pytorch_legacy_weight_norm").cases[0]
        let layer = Linear<Double>(4, 3, weight: WeightNorm<Double>(), seed: 1)
        try layer.load(from: Self.fixtureURL("pytorch_legacy_weight_norm.safetensors"), layout: .pytorch)
        let expected: Tensor<Double> = fixture.output("weight")
        #expect(maxRelativeError(layer.weight, expected) <= 1e-15)
        let g: Tensor<Double> = fixture.input("weight_g")
        #expect(layer.$weight.parametrization(as: WeightNorm<Double>.self)!.g == g, "weight_g is the magnitude")
        // Saving writes the current names, which PyTorch's compatibility hook also reads.
        #expect(try layer.checkpoint(layout: .pytorch).names.sorted()
                == ["bias", "parametrizations.weight.original0", "parametrizations.weight.original1"])
    }

    /// Trains the loaded PyTorch model a few steps here, saves it in the PyTorch layout with the
    /// weights we compute, for `pytorch_interop.py --check` (the directory is
    /// `CONSTRAINED_INTEROP_OUT`, or a temporary one), and checks the file reloads here.
    @Test func ourFilesAfterTrainingHereRoundTripAndAreWrittenForThePyTorchCheck() throws {
        let model = InteropModel<Double>()
        try model.load(from: Self.fixtureURL("pytorch_interop.safetensors"), layout: .pytorch)
        let optimizer = Adam(for: model, learningRate: 0.05)
        for _ in 0..<3 {
            let (_, gradients) = try valueWithGradient(of: model) { m in
                m.constrained.enumerated().map { weightedSum($1.weight, seed: UInt64($0)) }.reduce(Tensor(0), +)
            }
            optimizer.update(model, along: gradients)
        }
        model.isTraining = false
        var values = Checkpoint()
        for (name, weight) in model.constrained { values[name] = .double(weight) }
        let directory = ProcessInfo.processInfo.environment["CONSTRAINED_INTEROP_OUT"].map { URL(filePath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("interop_ours.safetensors")
        try model.save(to: file, layout: .pytorch)
        try values.write(to: directory.appendingPathComponent("interop_ours_values.safetensors"))

        // An RNN cell under nn.RNN's names, which the script loads into `nn.RNN(3, 4)`.
        let cell = RNNCell<Double>(inputSize: 3, hiddenSize: 4, recurrent: Orthogonal<Double>(), seed: 3)
        try cell.save(to: directory.appendingPathComponent("rnn_ours.safetensors"), layout: .pytorch,
                      renaming: ["input": "weight_ih_l0", "recurrent": "weight_hh_l0", "bias": "bias_hh_l0"])
        var rnnValues = Checkpoint()
        rnnValues["weight_ih_l0"] = .double(cell.input)
        rnnValues["weight_hh_l0"] = .double(cell.recurrent)
        rnnValues["bias_hh_l0"] = .double(cell.bias!)
        try rnnValues.write(to: directory.appendingPathComponent("rnn_ours_values.safetensors"))

        let reloaded = InteropModel<Double>()
        try reloaded.load(from: file, layout: .pytorch)
        reloaded.isTraining = false
        for ((name, a), (_, b)) in zip(model.constrained, reloaded.constrained) {
            #expect(a == b, "\(name) after the round trip")
        }
        let fixture = try Fixture.load("pytorch_interop").cases[0]
        let moved = model.constrained.filter { name, w in maxRelativeError(w, fixture.output(name)) > 1e-6 }
        #expect(moved.count == 15, "training here changed every weight, so the check tests our values")
    }

    // MARK: Renaming

    final class RecurrentModel: Layer {
        let cell = RNNCell<Double>(inputSize: 3, hiddenSize: 4, recurrent: Orthogonal<Double>(), seed: 1)
    }

    static let rnnNames = ["cell.recurrent": "rnn.weight_hh_l0", "cell.input": "rnn.weight_ih_l0",
                           "cell.bias": "rnn.bias_hh_l0"]

    @Test func renamingGivesAnRNNCellTheKeysOfTorchNNRNN() throws {
        let model = RecurrentModel()
        let checkpoint = try model.checkpoint(layout: .pytorch, renaming: Self.rnnNames)
        #expect(checkpoint.names == ["rnn.weight_ih_l0", "rnn.parametrizations.weight_hh_l0.original",
                                     "rnn.parametrizations.weight_hh_l0.0.base", "rnn.bias_hh_l0"])
        #expect(try model.checkpoint(renaming: ["cell": "encoder"]).names
                == ["encoder.input", "encoder.recurrent.original", "encoder.recurrent.0.base", "encoder.bias"])
        let other = RecurrentModel()
        other.cell.input = Tensor.zeros([4, 3])
        try other.load(checkpoint, layout: .pytorch, renaming: Self.rnnNames)
        #expect(other.cell.input == model.cell.input)
        #expect(other.cell.recurrent == model.cell.recurrent)
    }

    @Test func aRenamingThatMergesTwoKeysThrows() throws {
        let model = RecurrentModel()
        #expect(throws: ConstrainedError("save", key: "w", cause: .invalidArgument("the renaming gives \"cell.input\" and \"cell.bias\" the same key"))) {
            _ = try model.checkpoint(renaming: ["cell.input": "w", "cell.bias": "w"])
        }
    }

    // MARK: A user's parametrization declares its PyTorch names

    struct Offset: Parametrization, PyTorchCheckpointNaming {
        @Buffer var shift = Tensor<Double>([1])
        func forward(_ x: Tensor<Double>) -> Tensor<Double> { x + shift }
        func pytorchKey(forTensor name: String, property: String, part: Int) -> String {
            name == "shift" ? "parametrizations.\(property).\(part).offset"
                : defaultPyTorchKey(forTensor: name, property: property, part: part)
        }
        func legacyPyTorchKeys(forTensor name: String, property: String, part: Int) -> [String] {
            name == "shift" ? ["\(property)_offset"] : []
        }
    }

    final class OffsetModel: Layer {
        @Constrained(Offset()) var w = Tensor<Double>([1, 2])
    }

    @Test func aUsersParametrizationDeclaresItsPyTorchNamesAndLegacyKeys() throws {
        let model = OffsetModel()
        #expect(try model.checkpoint(layout: .pytorch).names == ["parametrizations.w.original", "parametrizations.w.0.offset"])
        var legacy = Checkpoint()
        legacy["parametrizations.w.original"] = .double(Tensor([5, 6]))
        legacy["w_offset"] = .double(Tensor([10]))
        try model.load(legacy, layout: .pytorch)
        #expect(model.w.scalars == [15, 16])
    }
}
