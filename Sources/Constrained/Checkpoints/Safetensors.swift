#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if _endian(big)
#error("the safetensors reader and writer assume a little-endian machine")
#endif

// The safetensors format (https://github.com/huggingface/safetensors):
//
//   [8 bytes: header length N, little-endian UInt64]
//   [N bytes: UTF-8 JSON object, padded with spaces to a multiple of 8]
//   [data: the tensors' bytes, back to back]
//
// The header maps each tensor's name to {"dtype", "shape", "data_offsets": [begin, end]}
// (offsets into the data section) and may hold "__metadata__": {string: string}. Tensors are
// row-major and little-endian. The reader checks every offset against the file and every
// byte count against dtype × shape before building any tensor.

extension Checkpoint {
    /// The safetensors encoding of this checkpoint.
    public func safetensorsBytes() -> [UInt8] {
        var header = "{"
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let tensor = self[name]!
            let bytes = tensor.byteCount
            entries.append("\(jsonString(name)):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        header += entries.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        for name in names {
            switch self[name]! {
            case .float(let t): t.withUnsafeBufferPointer { out.append(contentsOf: UnsafeRawBufferPointer($0)) }
            case .double(let t): t.withUnsafeBufferPointer { out.append(contentsOf: UnsafeRawBufferPointer($0)) }
            case .encoded(let e): out.append(contentsOf: e.bytes)
            }
        }
        return out
    }

    /// Decodes a safetensors encoding: every dtype of the format (``SafetensorsDType``);
    /// `F32` and `F64` tensors become tensors, the others ``EncodedTensor``s.
    ///
    /// The file is checked as the reference implementation checks it before any tensor is
    /// built: the header length fits the file, the header is a JSON object of tensor entries
    /// (and string `__metadata__`), every dtype is known, every shape has non-negative axes
    /// whose product does not overflow, every byte count is dtype × shape, and the offsets,
    /// sorted, tile the data section exactly (no gap, no overlap, nothing after the last
    /// tensor). So the tensors built never hold more bytes than the file.
    ///
    /// - Throws: ``ConstrainedError`` with cause ``ConstrainedError/Cause/invalidCheckpoint(_:)``
    ///   saying what is wrong, and the key of the tensor when one is at fault.
    public init(safetensorsBytes bytes: [UInt8]) throws {
        try self.init(decoding: bytes)
    }

    /// Decodes the safetensors encoding in `bytes` (an array or a file's `Data`), read in place.
    init<Bytes: RandomAccessCollection<UInt8> & ContiguousBytes>(decoding bytes: Bytes) throws where Bytes.Index == Int {
        func fail(_ reason: String, key: String? = nil) -> ConstrainedError {
            ConstrainedError("load", key: key, cause: .invalidCheckpoint(reason))
        }
        guard bytes.count >= 8 else { throw fail("\(bytes.count) bytes, shorter than the 8-byte header length") }
        var headerLength: UInt64 = 0
        let start = bytes.startIndex
        for i in 0..<8 { headerLength |= UInt64(bytes[start + i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw fail("header length \(headerLength) exceeds the file (\(bytes.count) bytes)")
        }
        let dataStart = 8 + Int(headerLength)
        guard headerLength > 0, bytes[start + 8] == UInt8(ascii: "{") else {
            throw fail("the header does not start with \"{\"")
        }
        let header: [String: HeaderEntry]
        do {
            header = try JSONDecoder().decode([String: HeaderEntry].self, from: Data(bytes[(start + 8)..<(start + dataStart)]))
        } catch {
            throw fail("the header is not a safetensors JSON object: \(error)")
        }
        let dataCount = bytes.count - dataStart
        self.init()
        if case .metadata(let m)? = header["__metadata__"] { metadata = m }
        var ordered: [(name: String, info: TensorInfo)] = []
        for (name, entry) in header {
            guard case .tensor(let info) = entry else {
                if name == "__metadata__" { continue }
                throw fail("entry \"\(name)\" is not a tensor description", key: name)
            }
            ordered.append((name, info))
        }
        ordered.sort { ($0.info.begin, $0.info.end, $0.name) < ($1.info.begin, $1.info.end, $1.name) }
        // Check everything before building anything: a bad last entry must not cost the
        // allocation of all the others.
        var layout: [(name: String, dtype: SafetensorsDType, shape: [Int], begin: Int, end: Int)] = []
        var offset = 0
        for (name, info) in ordered {
            guard let dtype = SafetensorsDType(rawValue: info.dtype) else {
                throw fail("tensor \"\(name)\" has the unknown dtype \(info.dtype)", key: name)
            }
            guard let count = EncodedTensor.elementCount(info.shape) else {
                throw fail("tensor \"\(name)\" has shape \(info.shape), whose size is negative or overflows", key: name)
            }
            let (needed, overflow) = count.multipliedReportingOverflow(by: dtype.byteCount)
            guard !overflow else {
                throw fail("tensor \"\(name)\" of shape \(info.shape) and dtype \(info.dtype) is larger than memory", key: name)
            }
            guard info.begin == offset, info.begin <= info.end, info.end <= dataCount else {
                let problem = info.begin > offset ? "leave a gap after byte \(offset)"
                    : info.begin < offset ? "overlap the previous tensor (which ends at \(offset))"
                    : "lie outside the data (\(dataCount) bytes)"
                throw fail("tensor \"\(name)\" has offsets [\(info.begin), \(info.end)] which \(problem)", key: name)
            }
            guard info.end - info.begin == needed else {
                throw fail("tensor \"\(name)\" of shape \(info.shape) and dtype \(info.dtype) needs \(needed) bytes, has \(info.end - info.begin)", key: name)
            }
            layout.append((name, dtype, info.shape, info.begin, info.end))
            offset = info.end
        }
        guard offset == dataCount else {
            throw fail("the tensors end at byte \(offset) of a data section of \(dataCount) bytes")
        }
        bytes.withUnsafeBytes { raw in
            for (name, dtype, shape, begin, end) in layout {
                let source = UnsafeRawBufferPointer(rebasing: raw[(dataStart + begin)..<(dataStart + end)])
                switch dtype {
                case .f32:
                    self[name] = .float(Tensor<Float>(shape: shape) { out in
                        UnsafeMutableRawBufferPointer(out).copyMemory(from: source)
                    })
                case .f64:
                    self[name] = .double(Tensor<Double>(shape: shape) { out in
                        UnsafeMutableRawBufferPointer(out).copyMemory(from: source)
                    })
                default:
                    // The size was checked above.
                    self[name] = .encoded(try! EncodedTensor(dtype: dtype, shape: shape, bytes: Array(source)))
                }
            }
        }
    }

    /// Reads a safetensors file.
    ///
    /// - Throws: ``ConstrainedError`` with cause ``ConstrainedError/Cause/file(_:)`` when the
    ///   file cannot be read, or ``ConstrainedError/Cause/invalidCheckpoint(_:)``.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ConstrainedError("load", cause: .file("cannot read \(url.path): \(Self.fileErrorMessage(error))"))
        }
        try self.init(decoding: data)   // in place: no copy of the file
    }

    /// Writes this checkpoint to `url` in the safetensors format (atomically).
    ///
    /// - Throws: ``ConstrainedError`` with cause ``ConstrainedError/Cause/file(_:)``.
    public func write(to url: URL) throws {
        do {
            try Data(safetensorsBytes()).write(to: url, options: .atomic)
        } catch {
            throw ConstrainedError("save", cause: .file("cannot write \(url.path): \(Self.fileErrorMessage(error))"))
        }
    }

    /// The file system's reason in words, not as Foundation's error type.
    static func fileErrorMessage(_ error: any Error) -> String {
        guard let cocoa = error as? CocoaError else { return "\(error)" }
        switch cocoa.code {
        case .fileReadNoSuchFile, .fileNoSuchFile: return "no such file"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileReadCorruptFile: return "the file is corrupt"
        case .fileWriteVolumeReadOnly: return "the volume is read-only"
        default: return "file system error \(cocoa.code.rawValue)"
        }
    }
}

extension AnyTensor {
    /// The bytes of the elements.
    var byteCount: Int {
        switch self {
        case .float(let t): return 4 * t.scalarCount
        case .double(let t): return 8 * t.scalarCount
        case .encoded(let e): return e.bytes.count
        }
    }
}

/// One tensor's description in a safetensors header.
struct TensorInfo: Decodable {
    let dtype: String
    let shape: [Int]
    let begin: Int
    let end: Int

    enum CodingKeys: String, CodingKey { case dtype, shape, data_offsets }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dtype = try c.decode(String.self, forKey: .dtype)
        shape = try c.decode([Int].self, forKey: .shape)
        let offsets = try c.decode([Int].self, forKey: .data_offsets)
        guard offsets.count == 2 else {
            throw DecodingError.dataCorruptedError(forKey: .data_offsets, in: c, debugDescription: "expected [begin, end]")
        }
        begin = offsets[0]
        end = offsets[1]
    }
}

/// A header entry: a tensor, or the `__metadata__` object.
enum HeaderEntry: Decodable {
    case tensor(TensorInfo)
    case metadata([String: String])

    init(from decoder: any Decoder) throws {
        if let m = try? [String: String](from: decoder) {
            self = .metadata(m)
        } else {
            self = .tensor(try TensorInfo(from: decoder))
        }
    }
}

/// `s` as a JSON string literal.
func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
