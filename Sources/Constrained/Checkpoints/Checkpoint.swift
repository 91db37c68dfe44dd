#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Every trainable tensor and state buffer of a model, by dotted name: what is saved and
/// loaded.
///
/// ```swift
/// try model.save(to: URL(filePath: "model.safetensors"))
/// try model.load(from: URL(filePath: "model.safetensors"))   // all or nothing
/// ```
///
/// The file format is [safetensors](https://github.com/huggingface/safetensors): an 8-byte
/// little-endian header length, a JSON header mapping each name to
/// `{"dtype": "F32"|"F64", "shape": [...], "data_offsets": [begin, end]}` (plus an optional
/// `"__metadata__"` object of strings), then the tensors' row-major little-endian bytes.
/// With ``CheckpointLayout/pytorch`` the names follow PyTorch's layout for parametrized
/// modules, so the file loads into the equivalent `torch.nn.Module` (see the layout).
public struct Checkpoint: Sendable, Equatable {
    /// The tensors, in order.
    public private(set) var names: [String] = []
    private var tensors: [String: AnyTensor] = [:]
    /// Free-form string metadata stored in the header's `__metadata__`.
    public var metadata: [String: String] = [:]

    /// An empty checkpoint.
    public init() {}

    /// The tensor named `name`; setting `nil` removes it, setting a new name appends it.
    public subscript(name: String) -> AnyTensor? {
        get { tensors[name] }
        set {
            if let newValue {
                if tensors.updateValue(newValue, forKey: name) == nil { names.append(name) }
            } else if tensors.removeValue(forKey: name) != nil {
                names.removeAll { $0 == name }
            }
        }
    }

    /// The number of tensors.
    public var count: Int { names.count }
}

/// How tensor names are written in a checkpoint.
public enum CheckpointLayout: Sendable {
    /// Our traversal names: `w.original`, `w.0.u`, `cell.b`.
    case native
    /// PyTorch's names for parametrized modules: the tensors of a constrained property `w` of
    /// a layer at `cell` are `cell.parametrizations.w.original` and
    /// `cell.parametrizations.w.0.<state>`, as `torch.nn.utils.parametrize` names them; other
    /// names are unchanged. (State names are the parametrization's property names; PyTorch's
    /// spectral norm calls its vectors `_u`, `_v`.)
    case pytorch
}

extension Layer {
    /// Every trainable tensor and state buffer, by name in `layout`.
    public func checkpoint(layout: CheckpointLayout = .native) -> Checkpoint {
        let traversal = traversalOrTrap()
        let rename = CheckpointNames(traversal, layout: layout)
        var result = Checkpoint()
        for named in traversal.slots {
            guard let value = named.slot.boxedValue() else { continue }
            if let t = value as? Tensor<Double> {
                result[rename(named.name)] = .double(t)
            } else if let t = value as? Tensor<Float> {
                result[rename(named.name)] = .float(t)
            }
        }
        return result
    }

    /// Replaces every trainable tensor and state buffer with the checkpoint's tensor of the
    /// same name (in `layout`), all or nothing.
    ///
    /// Every tensor is checked first (present, same shape, same scalar type; with `strict`,
    /// no tensor the model lacks); only if all pass are they stored. Loaded tensors are new
    /// storages, so every constrained cache recomputes on its next read.
    ///
    /// - Throws: ``ConstrainedError`` of operation `load` naming the tensor's key, with cause
    ///   ``ConstrainedError/Cause/missingTensor``, ``ConstrainedError/Cause/shapeMismatch(expected:found:)``,
    ///   ``ConstrainedError/Cause/scalarTypeMismatch(expected:found:)`` or
    ///   ``ConstrainedError/Cause/unexpectedTensor``; the model is then unchanged.
    public func load(_ checkpoint: Checkpoint, layout: CheckpointLayout = .native, strict: Bool = true) throws {
        let traversal = try self.traversal()
        let rename = CheckpointNames(traversal, layout: layout)
        var plan: [(slot: any TensorSlot, value: Any)] = []
        var used: Set<String> = []
        for named in traversal.slots {
            let name = rename(named.name)
            guard let stored = checkpoint[name] else { throw ConstrainedError("load", key: name, cause: .missingTensor) }
            used.insert(name)
            let expectedType = named.slot.scalarType == Float.self ? "Float" : "Double"
            guard stored.scalarTypeName == expectedType else {
                throw ConstrainedError("load", key: name, shape: stored.shape, cause: .scalarTypeMismatch(expected: expectedType, found: stored.scalarTypeName))
            }
            if let current = named.slot.boxedValue() {
                let shape = AnyTensor.shapeOf(current)
                guard shape == stored.shape else {
                    throw ConstrainedError("load", key: name, shape: stored.shape, cause: .shapeMismatch(expected: shape, found: stored.shape))
                }
            }
            plan.append((named.slot, stored.boxed))
        }
        if strict, let extra = checkpoint.names.first(where: { !used.contains($0) }) {
            throw ConstrainedError("load", key: extra, cause: .unexpectedTensor)
        }
        for (slot, value) in plan { slot.setBoxedValue(value) }
    }

    /// Writes ``checkpoint(layout:)`` to `url` in the safetensors format.
    public func save(to url: URL, layout: CheckpointLayout = .native) throws {
        _ = try traversal()
        try checkpoint(layout: layout).write(to: url)
    }

    /// Reads a safetensors file and loads it (see ``load(_:layout:strict:)``); the model is
    /// unchanged if the file is unreadable or malformed, or a tensor is missing or mismatched.
    public func load(from url: URL, layout: CheckpointLayout = .native, strict: Bool = true) throws {
        try load(Checkpoint(contentsOf: url), layout: layout, strict: strict)
    }
}

extension AnyTensor {
    /// The shape of a boxed `Tensor<Float>` or `Tensor<Double>`.
    static func shapeOf(_ boxed: Any) -> [Int] {
        if let t = boxed as? Tensor<Double> { return t.shape }
        if let t = boxed as? Tensor<Float> { return t.shape }
        preconditionFailure("not a tensor: \(type(of: boxed))")
    }
}

/// Maps traversal names to a checkpoint layout's names.
struct CheckpointNames {
    private var renames: [(from: String, to: String)] = []

    init(_ traversal: LayerTraversal, layout: CheckpointLayout) {
        guard layout == .pytorch else { return }
        // `cell.w` (a constrained property) → `cell.parametrizations.w`, for its tensors only.
        for (name, property) in traversal.constrained where property.namedSlots.first?.name == "original" {
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            let owner = parts.dropLast().joined(separator: ".")
            let renamed = (owner.isEmpty ? "" : owner + ".") + "parametrizations." + parts.last!
            renames.append((name + ".", renamed + "."))
        }
    }

    func callAsFunction(_ name: String) -> String {
        for (from, to) in renames where name.hasPrefix(from) {
            return to + name.dropFirst(from.count)
        }
        return name
    }
}
