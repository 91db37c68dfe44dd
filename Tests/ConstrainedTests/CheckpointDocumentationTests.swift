import Foundation
import Testing
import Constrained

// The samples of Docs/Checkpoints.md (and its DocC twin), run with their claims checked, using
// only the public API. When a sample changes there, change it here.

/// Docs/Checkpoints.md, "A parametrization of your own declares its PyTorch names".
struct Offset: Parametrization, PyTorchCheckpointNaming {
    @Buffer var shift = Tensor<Double>([1])
    func forward(_ x: Tensor<Double>) -> Tensor<Double> { x + shift }
    func pytorchKey(forTensor name: String, property: String, part: Int) -> String {
        name == "shift" ? "parametrizations.\(property).\(part).offset"
            : defaultPyTorchKey(forTensor: name, property: property, part: part)
    }
}

/// Docs/Checkpoints.md, "Renaming".
final class Recurrent: Layer {
    let cell = RNNCell<Double>(inputSize: 3, hiddenSize: 4, recurrent: Orthogonal<Double>(), seed: 1)
}

@Suite("Checkpoint documentation")
struct CheckpointDocumentationTests {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    static func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("doc-\(UUID().uuidString).safetensors")
    }

    /// The Swift code blocks of a Markdown file.
    static func swiftBlocks(_ relativePath: String) throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
        var blocks: [String] = [], current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```swift" {
                current = []
            } else if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else if current != nil {
                current!.append(line)
            }
        }
        return blocks
    }

    @Test func theDocCArticleHasTheSameSamplesAsTheDocsPage() throws {
        let page = try Self.swiftBlocks("Docs/Checkpoints.md")
        #expect(page.count == 5)
        #expect(try Self.swiftBlocks("Sources/Constrained/Constrained.docc/CheckpointFiles.md") == page)
    }

    @Test func aSpectralNormCriticFromPyTorchGivesPyTorchsWeight() throws {
        // The `spectral` child of the interop fixture, as a file of its own.
        let interop = try Checkpoint(contentsOf: Self.fixtures.appendingPathComponent("pytorch_interop.safetensors"))
        var single = Checkpoint()
        for name in interop.names where name.hasPrefix("spectral.") { single[String(name.dropFirst(9))] = interop[name] }
        let pytorchFile = Self.temporaryURL(), ourFile = Self.temporaryURL()
        defer { for url in [pytorchFile, ourFile] { try? FileManager.default.removeItem(at: url) } }
        try single.write(to: pytorchFile)

        let critic = Linear<Double>(4, 3, weight: SpectralNorm<Double>(), seed: 0)
        try critic.load(from: pytorchFile, layout: .pytorch)
        critic.isTraining = false   // as critic.eval(): σ from the loaded u and v
        try critic.save(to: ourFile, layout: .pytorch)   // critic.load_state_dict(load_file(...)) in PyTorch

        let expected = try Fixture.load("pytorch_interop").cases[0].output("spectral", as: Double.self)
        #expect(zip(critic.weight.scalars, expected.scalars).allSatisfy { abs($0 - $1) <= 1e-15 })
        let saved = try Checkpoint(contentsOf: ourFile)
        #expect(Set(saved.names) == Set(single.names))
        for name in single.names { #expect(saved[name] == single[name], "\(name): eval mode leaves u, v as loaded") }
    }

    @Test func aUsersParametrizationNamesItsBufferForPyTorch() throws {
        final class Shifted: Layer { @Constrained(Offset()) var w = Tensor<Double>([1, 2]) }
        #expect(try Shifted().checkpoint(layout: .pytorch).names == ["parametrizations.w.original", "parametrizations.w.0.offset"])
    }

    @Test func anRNNCellSavesAndLoadsUnderTorchNNRNNsNames() throws {
        let rnnFile = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: rnnFile) }
        let names = ["cell.input": "rnn.weight_ih_l0", "cell.recurrent": "rnn.weight_hh_l0",
                     "cell.bias": "rnn.bias_hh_l0"]
        let model = Recurrent()
        try model.save(to: rnnFile, layout: .pytorch, renaming: names)
        #expect(try Checkpoint(contentsOf: rnnFile).names == [
            "rnn.weight_ih_l0", "rnn.parametrizations.weight_hh_l0.original",
            "rnn.parametrizations.weight_hh_l0.0.base", "rnn.bias_hh_l0"])
        try Recurrent().load(from: rnnFile, layout: .pytorch, renaming: names)
    }

    final class HalfModel: Layer {
        @Parameter var f16 = Tensor<Float>.zeros([6])
        @Buffer var num_batches_tracked = Tensor<Float>.zeros([])
    }

    @Test func halfPrecisionAndIntegerTensorsConvertOnRequest() throws {
        let halfFile = Self.fixtures.appendingPathComponent("pytorch_dtypes.safetensors")
        let halfModel = HalfModel()
        let file = try Checkpoint(contentsOf: halfFile)
        #expect(file["f16"]?.dtype == .f16)
        #expect(file["num_batches_tracked"]?.converted(to: Double.self).scalars == [12.0])
        try halfModel.load(from: halfFile, strict: false, convertingScalarTypes: true)
        #expect(halfModel.f16.scalars[1] == -1.5 && halfModel.num_batches_tracked.scalars == [12])
    }

    final class Regression: Layer {
        let layer: Linear<Double>
        init(seed: UInt64) { layer = Linear(3, 4, weight: SpectralNorm<Double>(), seed: seed) }
        func callAsFunction(_ x: Tensor<Double>) -> Tensor<Double> { layer(x) }
    }

    @Test func aResumedRunContinuesBitForBit() throws {
        let resumeFile = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: resumeFile) }
        let x = Tensor<Double>.randomNormal([5, 3], seed: 1), y = Tensor<Double>.randomNormal([5, 4], seed: 2)
        func step(_ m: Regression, _ o: Adam) throws {
            let (_, g) = try valueWithGradient(of: m) { m in meanSquaredError(m(x), y) }
            o.update(m, along: g)
        }
        let model = Regression(seed: 3)
        let optimizer = Adam(for: model, learningRate: 1e-2)
        for _ in 0..<10 { try step(model, optimizer) }
        try model.save(to: resumeFile, optimizer: optimizer)

        let resumed = Regression(seed: 7)   // other initial values: all of them are loaded
        let resumedOptimizer = Adam(for: resumed, learningRate: 1e-2)
        try resumed.load(from: resumeFile, optimizer: resumedOptimizer)

        for _ in 0..<5 { try step(model, optimizer); try step(resumed, resumedOptimizer) }
        #expect(resumed.layer.weight == model.layer.weight)
        #expect(resumedOptimizer.stateCheckpoint() == optimizer.stateCheckpoint())
    }
}
