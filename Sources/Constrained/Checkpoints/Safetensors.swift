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
            let (dtype, size) = tensor.dtypeAndSize
            let bytes = size * tensor.shape.reduce(1, *)
            entries.append("\(jsonString(name)):{\"dtype\":\"\(dtype)\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}")
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
            }
        }
        return out
    }

    /// Decodes a safetensors encoding (F32 and F64 tensors).
    ///
    /// - Throws: ``ConstrainedError`` with cause ``ConstrainedError/Cause/invalidCheckpoint(_:)`` naming what is wrong.
    public init(safetensorsBytes bytes: [UInt8]) throws {
        func fail(_ reason: String) -> ConstrainedError { ConstrainedError("load", cause: .invalidCheckpoint(reason)) }
        guard bytes.count >= 8 else { throw fail("\(bytes.count) bytes, shorter than the 8-byte header length") }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw fail("header length \(headerLength) exceeds the file (\(bytes.count) bytes)")
        }
        let dataStart = 8 + Int(headerLength)
        let header: [String: HeaderEntry]
        do {
            header = try JSONDecoder().decode([String: HeaderEntry].self, from: Data(bytes[8..<dataStart]))
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
                throw fail("entry \"\(name)\" is not a tensor description")
            }
            ordered.append((name, info))
        }
        ordered.sort { ($0.info.begin, $0.name) < ($1.info.begin, $1.name) }
        for (name, info) in ordered {
            let size: Int
            switch info.dtype {
            case "F32": size = 4
            case "F64": size = 8
            default: throw fail("tensor \"\(name)\" has dtype \(info.dtype); only F32 and F64 are supported")
            }
            guard info.shape.allSatisfy({ $0 >= 0 }) else { throw fail("tensor \"\(name)\" has shape \(info.shape)") }
            let count = info.shape.reduce(1, *)
            guard info.begin >= 0, info.begin <= info.end, info.end <= dataCount else {
                throw fail("tensor \"\(name)\" has offsets [\(info.begin), \(info.end)] outside the data (\(dataCount) bytes)")
            }
            guard info.end - info.begin == count * size else {
                throw fail("tensor \"\(name)\" of shape \(info.shape) and dtype \(info.dtype) needs \(count * size) bytes, has \(info.end - info.begin)")
            }
            bytes.withUnsafeBytes { raw in
                let source = UnsafeRawBufferPointer(rebasing: raw[(dataStart + info.begin)..<(dataStart + info.end)])
                if size == 4 {
                    self[name] = .float(Tensor<Float>(shape: info.shape) { out in
                        UnsafeMutableRawBufferPointer(out).copyMemory(from: source)
                    })
                } else {
                    self[name] = .double(Tensor<Double>(shape: info.shape) { out in
                        UnsafeMutableRawBufferPointer(out).copyMemory(from: source)
                    })
                }
            }
        }
    }

    /// Reads a safetensors file.
    ///
    /// - Throws: the file system's error, or ``ConstrainedError`` with cause
    ///   ``ConstrainedError/Cause/invalidCheckpoint(_:)``.
    public init(contentsOf url: URL) throws {
        try self.init(safetensorsBytes: Array(try Data(contentsOf: url)))
    }

    /// Writes this checkpoint to `url` in the safetensors format (atomically).
    public func write(to url: URL) throws {
        try Data(safetensorsBytes()).write(to: url, options: .atomic)
    }
}

extension AnyTensor {
    /// The safetensors dtype and the byte size of one scalar.
    var dtypeAndSize: (String, Int) {
        switch self {
        case .float: return ("F32", 4)
        case .double: return ("F64", 8)
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
