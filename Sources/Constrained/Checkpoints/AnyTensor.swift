/// A tensor of any safetensors dtype, for collections that mix them (checkpoints).
///
/// `Float` and `Double` tensors are held as tensors; every other dtype (half precision,
/// bfloat16, 8-bit floats, integers, booleans) as its encoded bytes, which ``converted(to:)``
/// turns into a tensor of either scalar type on request:
///
/// ```swift
/// let checkpoint = try Checkpoint(contentsOf: url)
/// checkpoint["embeddings.position_ids"]?.dtype                  // .i64
/// checkpoint["embeddings.position_ids"]?.converted(to: Double.self)  // [0, 1, 2, …] as Doubles
/// ```
public enum AnyTensor: Sendable, Equatable {
    /// A `Float` tensor (safetensors dtype `F32`).
    case float(Tensor<Float>)
    /// A `Double` tensor (safetensors dtype `F64`).
    case double(Tensor<Double>)
    /// A tensor of another dtype, kept as its little-endian bytes.
    case encoded(EncodedTensor)

    /// Wraps `tensor` (of scalar type `Float` or `Double`).
    public init<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>) {
        if let t = tensor as? Tensor<Float> {
            self = .float(t)
        } else if let t = tensor as? Tensor<Double> {
            self = .double(t)
        } else {
            preconditionFailure("AnyTensor: unsupported scalar type \(Scalar.self)")
        }
    }

    /// The shape.
    public var shape: [Int] {
        switch self {
        case .float(let t): return t.shape
        case .double(let t): return t.shape
        case .encoded(let e): return e.shape
        }
    }

    /// The safetensors dtype.
    public var dtype: SafetensorsDType {
        switch self {
        case .float: return .f32
        case .double: return .f64
        case .encoded(let e): return e.dtype
        }
    }

    /// The scalar type's name: `Float`, `Double`, or the dtype (`F16`, `I64`, …).
    public var scalarTypeName: String {
        switch self {
        case .float: return "Float"
        case .double: return "Double"
        case .encoded(let e): return e.dtype.rawValue
        }
    }

    /// The tensor, if its scalar type is `Scalar` (no conversion).
    public func tensor<Scalar: TensorScalar>(as type: Scalar.Type = Scalar.self) -> Tensor<Scalar>? {
        switch self {
        case .float(let t): return t as? Tensor<Scalar>
        case .double(let t): return t as? Tensor<Scalar>
        case .encoded: return nil
        }
    }

    /// The values converted to `Scalar`: exact from `F16`, `BF16`, the 8-bit floats, `BOOL`
    /// (0 or 1) and integers up to 2²⁴ (`Float`) or 2⁵³ (`Double`); rounded to nearest
    /// otherwise (`F64` into `Float`, large `I64`).
    public func converted<Scalar: TensorScalar>(to type: Scalar.Type = Scalar.self) -> Tensor<Scalar> {
        switch self {
        case .float(let t):
            if let same = t as? Tensor<Scalar> { return same }
            return Tensor(shape: t.shape, scalars: t.scalars.map { Scalar(Double($0)) })
        case .double(let t):
            if let same = t as? Tensor<Scalar> { return same }
            return Tensor(shape: t.shape, scalars: t.scalars.map { Scalar($0) })
        case .encoded(let e):
            return e.converted(to: type)
        }
    }

    /// The tensor boxed as `Any` (a `Tensor<Float>` or `Tensor<Double>`); nil when encoded.
    var boxed: Any? {
        switch self {
        case .float(let t): return t
        case .double(let t): return t
        case .encoded: return nil
        }
    }
}

/// The element types of the safetensors format.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    /// Booleans, one byte each (0 false, anything else true).
    case bool = "BOOL"
    /// Unsigned and signed integers of 8, 16, 32 and 64 bits.
    case u8 = "U8", i8 = "I8", u16 = "U16", i16 = "I16", u32 = "U32", i32 = "I32", u64 = "U64", i64 = "I64"
    /// IEEE half precision (1 sign, 5 exponent, 10 fraction bits).
    case f16 = "F16"
    /// bfloat16: the top 16 bits of a `Float`.
    case bf16 = "BF16"
    /// 8-bit floats: `E5M2` (the top byte of a half) and `E4M3` (the "fn" variant: no
    /// infinities, one NaN pattern per sign).
    case f8e5m2 = "F8_E5M2", f8e4m3 = "F8_E4M3"
    /// `Float` and `Double`.
    case f32 = "F32", f64 = "F64"

    /// The bytes of one element.
    public var byteCount: Int {
        switch self {
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3: return 1
        case .u16, .i16, .f16, .bf16: return 2
        case .u32, .i32, .f32: return 4
        case .u64, .i64, .f64: return 8
        }
    }

    /// Whether the elements are floating-point numbers.
    public var isFloatingPoint: Bool {
        switch self {
        case .f16, .bf16, .f8e5m2, .f8e4m3, .f32, .f64: return true
        default: return false
        }
    }
}

/// A tensor of any safetensors dtype as its row-major little-endian bytes.
public struct EncodedTensor: Sendable, Equatable {
    /// The element type.
    public let dtype: SafetensorsDType
    /// The shape.
    public let shape: [Int]
    /// The elements' bytes, `dtype.byteCount` per element.
    public let bytes: [UInt8]

    /// A tensor of `dtype` and `shape` from its bytes.
    ///
    /// - Throws: ``ConstrainedError`` (``ConstrainedError/Cause/invalidShape(_:)``) when the
    ///   byte count is not `dtype.byteCount × shape's element count`.
    public init(dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) throws {
        guard let count = Self.elementCount(shape), count.multipliedReportingOverflow(by: dtype.byteCount) == (bytes.count, false) else {
            throw ConstrainedError("init", subject: "EncodedTensor", shape: shape,
                                   cause: .invalidShape("\(bytes.count) bytes do not hold a \(dtype.rawValue) tensor of this shape"))
        }
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// An `I64` tensor of `values` (a step count, an index buffer).
    ///
    /// - Precondition: `values.count` is the element count of `shape`.
    public init(int64 values: [Int64], shape: [Int]) {
        precondition(Self.elementCount(shape) == values.count,
                     "EncodedTensor: \(values.count) values do not fill shape \(shape)")
        dtype = .i64
        self.shape = shape
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 8)
        for v in values { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        self.bytes = bytes
    }

    /// The number of elements of `shape`, nil when an axis is negative or the product overflows.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for axis in shape {
            guard axis >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: axis)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// The values of an integer or `BOOL` tensor, nil for a floating-point dtype (`U64` values
    /// above `Int64.max` wrap).
    public func int64Values() -> [Int64]? {
        guard !dtype.isFloatingPoint else { return nil }
        return bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / dtype.byteCount)).map { i in integer(raw, i) }
        }
    }

    /// The values converted to `Scalar` (see ``AnyTensor/converted(to:)``).
    public func converted<Scalar: TensorScalar>(to type: Scalar.Type = Scalar.self) -> Tensor<Scalar> {
        let count = bytes.count / dtype.byteCount
        return bytes.withUnsafeBytes { raw in
            Tensor<Scalar>(shape: shape) { out in
                for i in 0..<count { out[i] = value(raw, i) }
            }
        }
    }

    private func integer(_ raw: UnsafeRawBufferPointer, _ i: Int) -> Int64 {
        switch dtype {
        case .bool: return raw[i] == 0 ? 0 : 1
        case .u8: return Int64(raw[i])
        case .i8: return Int64(Int8(bitPattern: raw[i]))
        case .u16: return Int64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        case .i16: return Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
        case .u32: return Int64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
        case .i32: return Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
        case .u64: return Int64(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
        case .i64: return Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
        default: preconditionFailure("EncodedTensor: \(dtype.rawValue) is not an integer dtype")
        }
    }

    private func value<Scalar: TensorScalar>(_ raw: UnsafeRawBufferPointer, _ i: Int) -> Scalar {
        switch dtype {
        case .f16:
            return Scalar(Double(Self.halfToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))))
        case .bf16:
            let bits = UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16
            return Scalar(Double(Float(bitPattern: bits)))
        case .f8e5m2:
            return Scalar(Double(Self.halfToFloat(UInt16(raw[i]) << 8)))
        case .f8e4m3:
            return Scalar(Double(Self.e4m3ToFloat(raw[i])))
        case .f32:
            return Scalar(Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))))
        case .f64:
            return Scalar(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
        case .u64:
            return Scalar(Double(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
        default:
            return Scalar(Double(integer(raw, i)))
        }
    }

    /// IEEE half → `Float` (exact: every half is a `Float`).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign: Float = h & 0x8000 != 0 ? -1 : 1
        let exponent = Int((h >> 10) & 0x1f), fraction = Float(h & 0x3ff)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24                                   // zero, subnormal
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction * 0x1p-10) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    /// `F8_E4M3` ("fn": bias 7, no infinities, `S.1111.111` is NaN) → `Float` (exact).
    static func e4m3ToFloat(_ b: UInt8) -> Float {
        let sign: Float = b & 0x80 != 0 ? -1 : 1
        let exponent = Int((b >> 3) & 0xf), fraction = Float(b & 0x7)
        if exponent == 15 && b & 0x7 == 7 { return .nan }
        if exponent == 0 { return sign * fraction * 0x1p-9 }
        return sign * (1 + fraction / 8) * Float(sign: .plus, exponent: exponent - 7, significand: 1)
    }
}
