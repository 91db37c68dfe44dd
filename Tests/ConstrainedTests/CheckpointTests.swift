import Foundation
import Testing
@testable import Constrained

/// Saving and loading every trainable tensor and state buffer.
@Suite("Checkpoints")
struct CheckpointTests {
    final class Stateful<S: TensorScalar>: Layer {
        @Constrained(Magnitude<S>(2) >>> Shift<S>(1, size: 2)) var w = Tensor<S>([5, 9])
        @Parameter var b = Tensor<S>([0.25, 0.5])
        @Buffer var count = Tensor<S>([0])
        let inner = Inner<S>()
    }

    final class Inner<S: TensorScalar>: Layer {
        @Constrained(PowerIterationLike<S>()) var v = Tensor<S>([2, 4, 6])
    }

    static func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("constrained-\(UUID().uuidString).safetensors")
    }

    /// Every tensor's exact content key, to prove a model untouched.
    func contentKeys(_ model: some Layer) -> [String: ContentKey] {
        Dictionary(uniqueKeysWithValues: try! LayerTraversal(model).slots.map { ($0.name, $0.slot.contentKey) })
    }

    func roundTrip<S: TensorScalar>(_: S.Type) throws {
        let source = Stateful<S>()
        _ = source.inner.v                                  // one power-iteration-like step
        source.$w.parametrization(as: Composed<Magnitude<S>, Shift<S>>.self)!.first.g = Tensor([3])
        source.count = Tensor([7])
        let url = Self.temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try source.save(to: url)

        // Every tensor of the target differs from the source's, so a load that skipped one fails.
        let target = Stateful<S>()
        for named in try LayerTraversal(target).slots {
            let value = named.slot.boxedValue() as! Tensor<S>
            named.slot.setBoxedValue(value + 100)
        }
        _ = target.w
        let saved = source.allTensors(as: S.self)
        for (name, tensor) in target.allTensors(as: S.self) { #expect(tensor != saved[name]!, "\(name) differs before") }
        try target.load(from: url)
        let loaded = target.allTensors(as: S.self)
        #expect(loaded.names == saved.names)
        #expect(saved.names == ["w.original", "w.0.g", "w.1.shift", "w.1.last", "b", "count",
                                "inner.v.original", "inner.v.0.iterations"])
        for (name, tensor) in saved { #expect(loaded[name]! == tensor, "\(name)") }
        #expect(target.w == source.w, "the cache recomputed with the loaded state")
        #expect(loaded["inner.v.0.iterations"]!.scalars == [1], "parametrization state survives")
    }

    @Test func everyTrainableTensorAndStateBufferSurvivesSaveAndLoad() throws {
        try roundTrip(Float.self)
        try roundTrip(Double.self)
    }

    @Test func aMissingTensorFailsAndLeavesTheModelUntouched() throws {
        let model = Stateful<Double>()
        var checkpoint = try Stateful<Double>().checkpoint()
        checkpoint["w.1.shift"] = nil
        let before = contentKeys(model)
        #expect(throws: ConstrainedError("load", key: "w.1.shift", cause: .missingTensor)) { try model.load(checkpoint) }
        #expect(contentKeys(model) == before)
    }

    @Test func aWrongShapeFailsAndLeavesTheModelUntouched() throws {
        let model = Stateful<Double>()
        var checkpoint = try Stateful<Double>().checkpoint()
        checkpoint["inner.v.original"] = .double(Tensor.zeros([2]))   // the last tensor checked
        let before = contentKeys(model)
        #expect(throws: ConstrainedError("load", key: "inner.v.original", shape: [2], cause: .shapeMismatch(expected: [3], found: [2]))) {
            try model.load(checkpoint)
        }
        #expect(contentKeys(model) == before)
    }

    @Test func aWrongScalarTypeOrAnUnexpectedTensorFails() throws {
        let model = Stateful<Double>()
        let before = contentKeys(model)
        var wrongType = try Stateful<Double>().checkpoint()
        wrongType["b"] = .float(Tensor([1, 2]))
        #expect(throws: ConstrainedError("load", key: "b", shape: [2], cause: .scalarTypeMismatch(expected: "Double", found: "Float"))) {
            try model.load(wrongType)
        }
        var extra = try Stateful<Double>().checkpoint()
        extra["stray"] = .double(Tensor([1]))
        #expect(throws: ConstrainedError("load", key: "stray", cause: .unexpectedTensor)) { try model.load(extra) }
        #expect(contentKeys(model) == before)
        try model.load(extra, strict: false)
    }

    @Test func aBadFileFailsAndLeavesTheModelUntouched() throws {
        let model = Stateful<Double>()
        let before = contentKeys(model)
        let good = try Stateful<Double>().checkpoint().safetensorsBytes()
        let corruptions: [(String, [UInt8])] = [
            ("empty", []),
            ("truncated data", Array(good.dropLast(8))),
            ("truncated header", Array(good.prefix(20))),
            ("header length beyond the file", [0xff, 0xff, 0, 0, 0, 0, 0, 0] + good.dropFirst(8)),
            ("not JSON", [4, 0, 0, 0, 0, 0, 0, 0] + Array("nope".utf8)),
        ]
        for (what, bytes) in corruptions {
            let url = Self.temporaryURL()
            defer { try? FileManager.default.removeItem(at: url) }
            try Data(bytes).write(to: url)
            #expect(throws: ConstrainedError.self, "\(what)") { try model.load(from: url) }
        }
        let missing = Self.temporaryURL()
        #expect(throws: ConstrainedError("load", cause: .file("cannot read \(missing.path): no such file"))) {
            try model.load(from: missing)
        }
        #expect(contentKeys(model) == before)
    }

    /// A safetensors file of `entries` (name, dtype, shape, offsets) over `data` bytes.
    static func file(_ entries: [(String, String, [Int], [Int])], data: Int) -> [UInt8] {
        let header = "{" + entries.map { "\"\($0.0)\":{\"dtype\":\"\($0.1)\",\"shape\":\($0.2),\"data_offsets\":\($0.3)}" }
            .joined(separator: ",") + "}"
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + Array(header.utf8) + [UInt8](repeating: 0, count: data)
    }

    @Test func aMalformedTensorEntryFailsNamingItsKey() throws {
        let cases: [(String, [UInt8], String)] = [
            ("truncated data", Array(try Stateful<Double>().checkpoint().safetensorsBytes().dropLast(8)), "inner.v.0.iterations"),
            ("unknown dtype", Self.file([("a", "F64", [1], [0, 8]), ("b", "F7", [1], [8, 9])], data: 9), "b"),
            ("overlapping offsets", Self.file([("a", "F64", [2], [0, 16]), ("b", "F64", [1], [8, 16])], data: 16), "b"),
            ("dtype and size disagree", Self.file([("a", "F32", [3], [0, 8])], data: 8), "a"),
            ("negative axis", Self.file([("a", "F32", [-2], [0, 8])], data: 8), "a"),
            ("huge shape", Self.file([("a", "U8", [1 << 40, 1 << 40], [0, 0])], data: 0), "a"),
            ("a gap", Self.file([("a", "U8", [1], [1, 2])], data: 2), "a"),
        ]
        let model = Stateful<Double>()
        let before = contentKeys(model)
        for (what, bytes, key) in cases {
            let url = Self.temporaryURL()
            defer { try? FileManager.default.removeItem(at: url) }
            try Data(bytes).write(to: url)
            do {
                try model.load(from: url)
                Issue.record("\(what): loaded")
            } catch let error as ConstrainedError {
                #expect(error.key == key, "\(what): \(error)")
                guard case .invalidCheckpoint = error.cause else { Issue.record("\(what): \(error)"); continue }
            }
        }
        #expect(contentKeys(model) == before)
        #expect(throws: ConstrainedError("load", cause: .invalidCheckpoint("the tensors end at byte 8 of a data section of 9 bytes"))) {
            try Checkpoint(safetensorsBytes: Self.file([("a", "F64", [1], [0, 8])], data: 9))
        }
    }

    @Test func theSafetensorsHeaderFollowsTheFormat() throws {
        var checkpoint = Checkpoint()
        checkpoint["a"] = .double(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))
        checkpoint["b"] = .float(Tensor([5]))
        checkpoint.metadata = ["format": "pt"]
        let bytes = checkpoint.safetensorsBytes()
        var n = 0
        for i in 0..<8 { n |= Int(bytes[i]) << (8 * i) }
        #expect(n % 8 == 0)
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as! [String: Any]
        let a = header["a"] as! [String: Any]
        #expect(a["dtype"] as? String == "F64")
        #expect(a["shape"] as? [Int] == [2, 2])
        #expect(a["data_offsets"] as? [Int] == [0, 32])
        #expect((header["b"] as! [String: Any])["data_offsets"] as? [Int] == [32, 36])
        #expect(header["__metadata__"] as? [String: String] == ["format": "pt"])
        #expect(bytes.count == 8 + n + 36)
        #expect(try Checkpoint(safetensorsBytes: bytes) == checkpoint)
    }

    @Test func thePyTorchLayoutNamesParametrizedTensorsAsParametrize() throws {
        let model = Stateful<Double>()
        let names = try model.checkpoint(layout: .pytorch).names
        #expect(names == ["parametrizations.w.original", "parametrizations.w.0.g", "parametrizations.w.1.shift",
                          "parametrizations.w.1.last", "b", "count",
                          "inner.parametrizations.v.original", "inner.parametrizations.v.0.iterations"])
        let other = Stateful<Double>()
        other.b = Tensor([3, 3])
        try other.load(try model.checkpoint(layout: .pytorch), layout: .pytorch)
        #expect(other.b == model.b)
    }

    /// The module of `Scripts/fixtures/pytorch_checkpoint.py`, in Swift.
    final class TorchCell: Layer {
        @Constrained(Scale<Double>(factor: 2) >>> TorchShift()) var recurrent = Tensor<Double>.zeros([3, 3])
        @Parameter var bias = Tensor<Double>.zeros([3])
    }

    struct TorchShift: Parametrization {
        @Buffer var shift = Tensor<Double>([0.25])
        func forward(_ x: Tensor<Double>) -> Tensor<Double> { x + shift }
        func rightInverse(_ y: Tensor<Double>) -> Tensor<Double> { y - shift }
    }

    final class TorchModel: Layer {
        let cell = TorchCell()
        @Parameter var scale = Tensor<Double>([0])
    }

    @Test func aCheckpointWrittenByPyTorchLoadsWithThePyTorchLayout() throws {
        let fixture = try Fixture.load("pytorch_parametrized").cases[0]
        let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
            .appendingPathComponent("pytorch_parametrized.safetensors")
        let model = TorchModel()
        #expect(try Set(model.checkpoint(layout: .pytorch).names) == Set(fixture.inputs.keys),
                "our PyTorch-layout names are PyTorch's state_dict keys")
        try model.load(from: url, layout: .pytorch)
        let loaded = try model.checkpoint(layout: .pytorch)
        for key in fixture.inputs.keys {
            #expect(loaded[key]!.tensor(as: Double.self)! == fixture.input(key, as: Double.self), "\(key)")
        }
        let expected: Tensor<Double> = fixture.output("cell.recurrent")
        #expect(maxRelativeError(model.cell.recurrent, expected) <= 1e-15, "PyTorch's parametrized value")
        #expect(try Checkpoint(contentsOf: url).metadata == ["format": "pt"])
    }
}
