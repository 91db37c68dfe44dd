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
/// `{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}` (plus an optional
/// `"__metadata__"` object of strings), then the tensors' row-major little-endian bytes. Every
/// dtype of the format is read (``SafetensorsDType``): `F32` and `F64` as tensors, the others
/// as ``EncodedTensor``s that convert on request. With ``CheckpointLayout/pytorch`` the names
/// follow PyTorch's layout for parametrized modules, so the file loads into the equivalent
/// `torch.nn.Module` (see the layout); with an optimizer, its state is saved too
/// (``CheckpointableOptimizer``).
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
    /// PyTorch's `state_dict` keys for parametrized modules: the tensors of a constrained
    /// property `w` of a layer at `cell` are `cell.parametrizations.w.original` and
    /// `cell.parametrizations.w.<part>.<state>`, as `torch.nn.utils.parametrize` names them,
    /// with the names each parametrization declares through ``PyTorchCheckpointNaming``
    /// (spectral norm's `_u`/`_v`, weight norm's `original0`/`original1`); other names are
    /// unchanged. On load, a parametrization's legacy keys are accepted too (weight norm's
    /// `weight_g`/`weight_v`).
    case pytorch
}

/// The prefix of the optimizer's keys in a checkpoint that holds a model and its optimizer.
let optimizerKeyPrefix = "optimizer/"

extension Layer {
    /// Every trainable tensor and state buffer, by name in `layout` after `renaming`; with
    /// `optimizer`, its state too (keys `optimizer/<parameter>.<buffer>`, see
    /// ``CheckpointableOptimizer``).
    ///
    /// `renaming` maps a dotted prefix of our names (a layer, a property, or one tensor) to
    /// the name it has in the checkpoint; a prefix matches whole components (`"cell"` renames
    /// `cell.bias`, not `cells.bias`) and the longest one wins. In ``CheckpointLayout/pytorch``
    /// it applies to the property before `parametrizations.` is inserted, so an RNN cell's
    /// recurrent kernel can carry `nn.RNN`'s name:
    ///
    /// ```swift
    /// let names = ["cell.recurrent": "rnn.weight_hh_l0", "cell.input": "rnn.weight_ih_l0",
    ///              "cell.bias": "rnn.bias_hh_l0"]
    /// model.checkpoint(layout: .pytorch, renaming: names).names
    /// // ["rnn.weight_ih_l0", "rnn.parametrizations.weight_hh_l0.original",
    /// //  "rnn.parametrizations.weight_hh_l0.0.base", "rnn.bias_hh_l0"]
    /// ```
    ///
    /// - Throws: ``ConstrainedError`` with cause ``ConstrainedError/Cause/invalidArgument(_:)``
    ///   when the renaming gives two tensors the same key.
    public func checkpoint(layout: CheckpointLayout = .native, renaming: [String: String] = [:],
                           optimizer: (any CheckpointableOptimizer)? = nil) throws -> Checkpoint {
        let keys = try CheckpointKeys(try self.traversal(), layout: layout, renaming: renaming, operation: "save")
        var result = Checkpoint()
        for entry in keys.entries {
            guard let value = entry.slot.boxedValue() else { continue }
            if let t = value as? Tensor<Double> {
                result[entry.key] = .double(try entry.saved(t))
            } else if let t = value as? Tensor<Float> {
                result[entry.key] = .float(try entry.saved(t))
            }
        }
        if let optimizer {
            let state = optimizer.stateCheckpoint()
            for name in state.names { result[optimizerKeyPrefix + name] = state[name] }
            result.metadata.merge(state.metadata) { _, new in new }
        }
        return result
    }

    /// Replaces every trainable tensor and state buffer with the checkpoint's tensor of the
    /// same key (in `layout`, after `renaming`, see ``checkpoint(layout:renaming:optimizer:)``),
    /// and with `optimizer` that optimizer's state, all or nothing.
    ///
    /// Every tensor is checked first: present (under its key, or a legacy key its
    /// parametrization declares), same shape, and same scalar type, or with
    /// `convertingScalarTypes` any dtype (`F16`, `BF16`, `I64`, `F64` into a `Float` model, …)
    /// converted to the model's (see ``AnyTensor/converted(to:)``). With `strict`, the
    /// checkpoint may hold no tensor the model lacks; without, such tensors (a batch norm's
    /// `num_batches_tracked`) are ignored. A point of an `@OnManifold` property must lie on its
    /// set (within the set's default tolerance). Then the optimizer's state is checked. Only if all
    /// pass is anything stored. Loaded tensors are new storages, so every constrained cache
    /// recomputes on its next read. A checkpoint saved without an optimizer cannot restore one
    /// (it throws rather than reset the optimizer); its optimizer state, if any, is ignored
    /// when no optimizer is passed.
    ///
    /// - Throws: ``ConstrainedError`` of operation `load` naming the tensor's key, with cause
    ///   ``ConstrainedError/Cause/missingTensor``, ``ConstrainedError/Cause/shapeMismatch(expected:found:)``,
    ///   ``ConstrainedError/Cause/scalarTypeMismatch(expected:found:)``,
    ///   ``ConstrainedError/Cause/unexpectedTensor``, ``ConstrainedError/Cause/notInImage(_:)``
    ///   (a manifold point off its set) or what ``CheckpointableOptimizer/loadState(_:for:)``
    ///   throws; the model and the optimizer are then unchanged.
    public func load(_ checkpoint: Checkpoint, layout: CheckpointLayout = .native, renaming: [String: String] = [:],
                     strict: Bool = true, convertingScalarTypes: Bool = false,
                     optimizer: (any CheckpointableOptimizer)? = nil) throws {
        let keys = try CheckpointKeys(try self.traversal(), layout: layout, renaming: renaming, operation: "load")
        var plan: [(slot: any TensorSlot, value: Any)] = []
        var used: Set<String> = []
        for entry in keys.entries {
            guard let (key, stored) = ([entry.key] + entry.legacy).lazy.compactMap({ k in checkpoint[k].map { (k, $0) } }).first else {
                throw ConstrainedError("load", key: entry.key, cause: .missingTensor)
            }
            used.insert(key)
            let isFloat = entry.slot.scalarType == Float.self
            let expectedType = isFloat ? "Float" : "Double"
            guard stored.scalarTypeName == expectedType || convertingScalarTypes else {
                throw ConstrainedError("load", key: key, shape: stored.shape,
                                       cause: .scalarTypeMismatch(expected: expectedType, found: stored.scalarTypeName))
            }
            if let current = entry.slot.boxedValue() {
                let shape = AnyTensor.shapeOf(current)
                guard entry.slot.accepts(shape: stored.shape, replacing: shape) else {
                    throw ConstrainedError("load", key: key, shape: stored.shape, cause: .shapeMismatch(expected: shape, found: stored.shape))
                }
            }
            let value: Any = stored.scalarTypeName == expectedType
                ? stored.boxed!
                : (isFloat ? stored.converted(to: Float.self) as Any : stored.converted(to: Double.self) as Any)
            do {
                try entry.slot.validateLoaded(value)
            } catch let error as ConstrainedError {
                throw error.with(key: key)
            }
            plan.append((entry.slot, value))
        }
        if strict, let extra = checkpoint.names.first(where: { !used.contains($0) && !$0.hasPrefix(optimizerKeyPrefix) }) {
            throw ConstrainedError("load", key: extra, cause: .unexpectedTensor)
        }
        if let optimizer {
            guard let kind = checkpoint.metadata["optimizer"] else {
                throw ConstrainedError("load", cause: .invalidCheckpoint("the checkpoint holds no optimizer state (it was saved without an optimizer)"))
            }
            var state = Checkpoint()
            for name in checkpoint.names where name.hasPrefix(optimizerKeyPrefix) {
                state[String(name.dropFirst(optimizerKeyPrefix.count))] = checkpoint[name]
            }
            state.metadata["optimizer"] = kind
            do {
                try optimizer.loadState(state, for: self)
            } catch let error as ConstrainedError {
                guard let key = error.key else { throw error }
                throw ConstrainedError(error.operation, subject: error.subject, key: optimizerKeyPrefix + key,
                                       shape: error.shape, cause: error.cause)
            }
        }
        // Nothing below can fail: the optimizer's state is in, the model's follows.
        for (slot, value) in plan { slot.setBoxedValue(value) }
    }

    /// Writes ``checkpoint(layout:renaming:optimizer:)`` to `url` in the safetensors format.
    ///
    /// - Throws: ``ConstrainedError`` with cause ``ConstrainedError/Cause/file(_:)`` when the
    ///   file cannot be written, or what the renaming throws.
    public func save(to url: URL, layout: CheckpointLayout = .native, renaming: [String: String] = [:],
                     optimizer: (any CheckpointableOptimizer)? = nil) throws {
        try checkpoint(layout: layout, renaming: renaming, optimizer: optimizer).write(to: url)
    }

    /// Reads a safetensors file and loads it (see
    /// ``load(_:layout:renaming:strict:convertingScalarTypes:optimizer:)``); the model and the
    /// optimizer are unchanged if the file is unreadable or malformed, or a tensor is missing
    /// or mismatched.
    public func load(from url: URL, layout: CheckpointLayout = .native, renaming: [String: String] = [:],
                     strict: Bool = true, convertingScalarTypes: Bool = false,
                     optimizer: (any CheckpointableOptimizer)? = nil) throws {
        try load(Checkpoint(contentsOf: url), layout: layout, renaming: renaming, strict: strict,
                 convertingScalarTypes: convertingScalarTypes, optimizer: optimizer)
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

/// A constrained property's parametrization parts, for naming its tensors in a checkpoint.
protocol CheckpointNamedProperty {
    /// The flattened parts (empty when unparametrized).
    var checkpointParts: [Any] { get }
}

extension Constrained: CheckpointNamedProperty {
    var checkpointParts: [Any] {
        isParametrized ? ParametrizationReflection.parts(of: parametrization) : []
    }
}

/// The checkpoint key of every tensor slot of a traversal, in traversal order.
///
/// Renaming sits on top of the names traversal yields: first the longest matching prefix of
/// `renaming` replaces the start of the name; then, in the PyTorch layout, the tensors of a
/// parametrized property take the keys its parts declare (``PyTorchCheckpointNaming``).
struct CheckpointKeys {
    struct Entry {
        let key: String
        let legacy: [String]
        let slot: any TensorSlot
        /// The part that names the tensor in the PyTorch layout, and its own name for it.
        var naming: (naming: any PyTorchCheckpointNaming, tensor: String)? = nil

        /// `value` as the checkpoint stores it: in the PyTorch layout, in PyTorch's form.
        func saved<S: TensorScalar>(_ value: Tensor<S>) throws -> Tensor<S> {
            guard let naming else { return value }
            return try naming.naming.pytorchValue(ofTensor: naming.tensor, value)
        }
    }

    private(set) var entries: [Entry] = []

    init(_ traversal: LayerTraversal, layout: CheckpointLayout, renaming: [String: String], operation: String) throws {
        // Slot name → (property name, name within the property, parts) for parametrized properties.
        var owners: [String: (property: String, relative: String, parts: [Any])] = [:]
        if layout == .pytorch {
            for (name, property) in traversal.constrained {
                let parts = (property as? any CheckpointNamedProperty)?.checkpointParts ?? []
                guard !parts.isEmpty else { continue }
                for named in property.namedSlots { owners[name + "." + named.name] = (name, named.name, parts) }
            }
        }
        var seen: [String: String] = [:]
        for named in traversal.slots {
            let entry: Entry
            if let owner = owners[named.name] {
                let renamed = Self.rename(owner.property, renaming)
                let components = renamed.split(separator: ".", omittingEmptySubsequences: false)
                let module = components.dropLast().joined(separator: ".")
                let prefix = module.isEmpty ? "" : module + "."
                let property = String(components.last!)
                let (part, tensor) = Self.split(owner.relative)
                let (primary, legacy, naming) = PyTorchKeys.keys(tensor, property: property, part: part, parts: owner.parts)
                entry = Entry(key: prefix + primary, legacy: legacy.map { prefix + $0 }, slot: named.slot,
                              naming: naming.map { ($0, tensor) })
            } else {
                entry = Entry(key: Self.rename(named.name, renaming), legacy: [], slot: named.slot)
            }
            if let other = seen.updateValue(named.name, forKey: entry.key) {
                throw ConstrainedError(operation, key: entry.key,
                                       cause: .invalidArgument("the renaming gives \"\(other)\" and \"\(named.name)\" the same key"))
            }
            entries.append(entry)
        }
    }

    /// `("original", 0)` → part 0, tensor `original`; `"1.map.base"` → part 1, `map.base`.
    private static func split(_ relative: String) -> (part: Int, tensor: String) {
        guard let dot = relative.firstIndex(of: "."), let part = Int(relative[..<dot]) else { return (0, relative) }
        return (part, String(relative[relative.index(after: dot)...]))
    }

    /// `name` with its longest prefix in `renaming` (whole components) replaced.
    static func rename(_ name: String, _ renaming: [String: String]) -> String {
        var best: (from: String, to: String)?
        for (from, to) in renaming where name == from || name.hasPrefix(from + ".") {
            if best == nil || from.count > best!.from.count { best = (from, to) }
        }
        guard let best else { return name }
        return best.to + name.dropFirst(best.from.count)
    }
}
