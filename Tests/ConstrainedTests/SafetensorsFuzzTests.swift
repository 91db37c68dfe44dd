import Foundation
import Testing
@testable import Constrained

/// Property-based fuzzing of the safetensors reader with malformed files: random bytes, valid
/// files with flipped, cut or appended bytes, a wrong header length, and headers built from
/// pools of good and bad fields (bad lengths, overlapping and out-of-range offsets, invalid
/// JSON, huge shapes, negative sizes, unknown dtypes, dtype/size mismatches).
///
/// The properties, for every input: the reader returns or throws a `ConstrainedError` (it
/// never traps); what it returns holds no more tensor bytes than the input has; and its
/// encoding decodes to the same encoding, bit for bit.
///
/// `make test` runs a fixed-seed sample. The long run:
/// `CONSTRAINED_FUZZ_COUNT=1000000 swift test --filter SafetensorsFuzz` (about 100 s in a debug build)
/// (`CONSTRAINED_FUZZ_SEED` picks another sequence).
@Suite("Safetensors fuzzing")
struct SafetensorsFuzzTests {
    struct Fuzzer {
        var rng: SeededGenerator

        mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
        mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

        /// A well-formed file of a few random tensors of random dtypes and shapes.
        mutating func validFile() -> [UInt8] {
            var checkpoint = Checkpoint()
            for i in 0..<int(0...4) {
                let dtype = pick(SafetensorsDType.allCases)
                let shape = (0..<int(0...3)).map { _ in int(0...3) }
                let count = shape.reduce(1, *) * dtype.byteCount
                let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
                checkpoint["t\(i)"] = .encoded(try! EncodedTensor(dtype: dtype, shape: shape, bytes: bytes))
            }
            if chance(0.3) { checkpoint.metadata = ["format": "pt"] }
            return checkpoint.safetensorsBytes()
        }

        /// A header built from good and bad field values, and a data section of a random size.
        mutating func craftedFile() -> [UInt8] {
            var entries: [String] = []
            var offset = 0
            for i in 0..<int(0...4) {
                let dtype = pick(["\"F32\"", "\"F64\"", "\"I64\"", "\"BF16\"", "\"BOOL\"", "\"F7\"", "\"\"", "5", "null", "\"f32\""])
                let shape = pick(["[2]", "[]", "[0]", "[2,3]", "[-1]", "[-2,-3]", "[9223372036854775807,2]",
                                  "[4294967296,4294967296]", "[1.5]", "\"x\"", "[1e30]", "null"])
                let size = int(0...24)
                let offsets = pick(["[\(offset),\(offset + size)]", "[\(offset + size),\(offset)]", "[-8,0]",
                                    "[0,\(Int.max)]", "[\(offset)]", "[0,1,2]", "[\(max(0, offset - 4)),\(offset + size)]",
                                    "[\(offset + 1),\(offset + size + 1)]", "[18446744073709551615,0]", "\"0-8\""])
                offset += size
                var fields = ["\"dtype\":\(dtype)", "\"shape\":\(shape)", "\"data_offsets\":\(offsets)"]
                if chance(0.1) { fields.remove(at: int(0...2)) }
                if chance(0.05) { fields.append("\"extra\":[1]") }
                let name = chance(0.05) ? "t0" : "t\(i)"
                entries.append("\"\(name)\":{\(fields.joined(separator: ","))}")
            }
            if chance(0.3) { entries.insert(pick(["\"__metadata__\":{\"a\":\"b\"}", "\"__metadata__\":{\"a\":1}",
                                                  "\"__metadata__\":\"x\"", "\"__metadata__\":[]"]), at: 0) }
            var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
            if chance(0.15) { header = Array(header.prefix(int(0...header.count))) }                 // invalid JSON
            if chance(0.05) { header = Array("[1,2]".utf8) }
            if chance(0.05) { header.insert(pick([0x20, 0xff, 0x00, 0x7b]), at: int(0...header.count)) }
            let data = chance(0.7) ? offset : int(0...64)
            return Self.framed(header, data: (0..<data).map { UInt8(truncatingIfNeeded: $0) })
        }

        /// Header length, header, data.
        static func framed(_ header: [UInt8], data: [UInt8]) -> [UInt8] {
            var bytes: [UInt8] = []
            withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
            return bytes + header + data
        }

        /// `bytes` with random damage.
        mutating func mutated(_ bytes: [UInt8]) -> [UInt8] {
            var b = bytes
            switch int(0...5) {
            case 0 where !b.isEmpty:                                        // flip bytes
                for _ in 0..<int(1...4) { b[int(0...(b.count - 1))] ^= UInt8(1 << int(0...7)) }
            case 1:                                                         // truncate
                b = Array(b.prefix(int(0...b.count)))
            case 2:                                                         // append
                b += (0..<int(1...16)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 3 where b.count >= 8:                                      // a wrong header length
                let length: UInt64 = pick([0, 1, UInt64(b.count), UInt64.max, 1 << 63,
                                           UInt64(max(0, b.count - 8 - int(0...8))), UInt64(b.count - 8 + int(1...8))])
                withUnsafeBytes(of: length.littleEndian) { for i in 0..<8 { b[i] = $0[i] } }
            case 4:
                b = (0..<int(0...40)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            default:
                break
            }
            return b
        }

        mutating func next() -> [UInt8] {
            switch int(0...9) {
            case 0...3: return mutated(validFile())
            case 4...8: return chance(0.3) ? mutated(craftedFile()) : craftedFile()
            default: return (0..<int(0...24)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
        }
    }

    /// Runs `count` inputs; returns how many decoded, how many were rejected, and the causes seen.
    static func run(count: Int, seed: UInt64) -> (accepted: Int, rejected: Int, failures: [String]) {
        var fuzzer = Fuzzer(rng: SeededGenerator(seed: seed))
        var accepted = 0, rejected = 0
        var failures: [String] = []
        for i in 0..<count {
            let input = fuzzer.next()
            do {
                let checkpoint = try Checkpoint(safetensorsBytes: input)
                accepted += 1
                let bytes = checkpoint.names.reduce(0) { $0 + checkpoint[$1]!.byteCount }
                if bytes > input.count { failures.append("input \(i): \(bytes) tensor bytes from a \(input.count)-byte file") }
                // Compared as bytes: a NaN tensor is not equal to itself as a value.
                let encoded = checkpoint.safetensorsBytes()
                if (try? Checkpoint(safetensorsBytes: encoded))?.safetensorsBytes() != encoded {
                    failures.append("input \(i): does not re-encode to itself")
                }
            } catch let error as ConstrainedError {
                rejected += 1
                guard case .invalidCheckpoint = error.cause else { failures.append("input \(i): \(error)"); continue }
            } catch {
                failures.append("input \(i): not a ConstrainedError: \(error)")
            }
        }
        return (accepted, rejected, failures)
    }

    @Test func malformedFilesAreRejectedWithAnErrorAndValidOnesDecodeWithinTheFileSize() {
        let environment = ProcessInfo.processInfo.environment
        let count = environment["CONSTRAINED_FUZZ_COUNT"].flatMap(Int.init) ?? 3_000
        let seed = environment["CONSTRAINED_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x5afe_7e45
        let clock = ContinuousClock()
        let start = clock.now
        let result = Self.run(count: count, seed: seed)
        let elapsed = clock.now - start
        #expect(result.failures.isEmpty, "\(result.failures.prefix(10))")
        #expect(result.accepted > count / 20 && result.rejected > count / 2,
                "the sample must exercise both paths: \(result.accepted) accepted, \(result.rejected) rejected")
        print("safetensors fuzz: \(count) inputs (seed \(seed)) in \(elapsed): \(result.accepted) decoded, \(result.rejected) rejected, \(result.failures.count) property failures")
    }

    /// Inputs the fuzzer and a reading of the reader found, kept as regression cases.
    @Test func foundCasesStayRejected() throws {
        let cases: [(String, [UInt8])] = [
            // The element count of [2⁶², 4] overflows Int: the size check must not trap on it.
            ("shape product overflow", Fuzzer.framed(Array(#"{"a":{"dtype":"F64","shape":[4611686018427387904,4],"data_offsets":[0,0]}}"#.utf8), data: [])),
            // count × 8 overflows although the count does not.
            ("byte count overflow", Fuzzer.framed(Array(#"{"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]}}"#.utf8), data: [])),
            // Two tensors over the same bytes: each would allocate the bytes again, more than the
            // file holds.
            ("overlapping offsets", Fuzzer.framed(Array(#"{"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}}"#.utf8), data: [UInt8](repeating: 1, count: 8))),
            // A gap before the first tensor and bytes after the last: the offsets must tile the data.
            ("gap and trailing bytes", Fuzzer.framed(Array(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#.utf8), data: [UInt8](repeating: 1, count: 100))),
            ("header length 2^64 - 1", [UInt8](repeating: 0xff, count: 8) + Array("{}".utf8)),
            ("empty header", [0, 0, 0, 0, 0, 0, 0, 0]),
        ]
        for (what, bytes) in cases {
            #expect(throws: ConstrainedError.self, "\(what)") { try Checkpoint(safetensorsBytes: bytes) }
        }
    }
}
