/// How a parametrization's tensors are named in a PyTorch `state_dict`, for checkpoints in
/// ``CheckpointLayout/pytorch``.
///
/// `torch.nn.utils.parametrize` stores a parametrized property `w` of a module as
/// `parametrizations.w.original` and the state of its `i`-th parametrization as
/// `parametrizations.w.<i>.<name>`; that is the default, and a parametrization whose PyTorch
/// counterpart names things otherwise adopts this protocol. The built-ins do:
/// ``SpectralNorm`` (`_u`, `_v`), ``WeightNorm`` (`original0` for the magnitude, `original1`
/// for the direction, and the legacy `w_g`/`w_v` on load) and ``Orthogonal`` (the default
/// names, `base`).
///
/// A user's parametrization declares its names the same way:
///
/// ```swift
/// struct Shifted: Parametrization, PyTorchCheckpointNaming {
///     @Buffer var shift = Tensor<Double>([1])
///     func forward(_ x: Tensor<Double>) -> Tensor<Double> { x + shift }
///     func pytorchKey(forTensor name: String, property: String, part: Int) -> String {
///         name == "shift" ? "parametrizations.\(property).\(part).offset"
///                         : defaultPyTorchKey(forTensor: name, property: property, part: part)
///     }
/// }
/// ```
///
/// Keys are relative to the module that owns the property; the checkpoint code adds the
/// module's path (and applies any renaming first).
public protocol PyTorchCheckpointNaming {
    /// PyTorch's key, relative to the owning module, of the tensor this parametrization calls
    /// `name` when it is part `part` of the chain on property `property`.
    ///
    /// `name` is `"original"` for the property's original (asked of part 0 only) or the
    /// parametrization's own name of a state tensor (`"u"`, `"g"`, `"map.base"` for a nested
    /// one).
    func pytorchKey(forTensor name: String, property: String, part: Int) -> String

    /// Other keys, relative to the owning module, that hold the same tensor in older PyTorch
    /// files, tried in order when ``pytorchKey(forTensor:property:part:)`` is absent on load.
    /// Default: none.
    func legacyPyTorchKeys(forTensor name: String, property: String, part: Int) -> [String]
}

extension PyTorchCheckpointNaming {
    /// `torch.nn.utils.parametrize`'s key: `parametrizations.<property>.original` for the
    /// original, `parametrizations.<property>.<part>.<name>` for state.
    public func defaultPyTorchKey(forTensor name: String, property: String, part: Int) -> String {
        PyTorchKeys.parametrized(name, property: property, part: part)
    }

    /// The default key.
    public func pytorchKey(forTensor name: String, property: String, part: Int) -> String {
        defaultPyTorchKey(forTensor: name, property: property, part: part)
    }

    /// No legacy keys.
    public func legacyPyTorchKeys(forTensor name: String, property: String, part: Int) -> [String] { [] }
}

/// The key rules shared by the layout and the default of ``PyTorchCheckpointNaming``.
enum PyTorchKeys {
    static func parametrized(_ name: String, property: String, part: Int) -> String {
        name == "original" ? "parametrizations.\(property).original" : "parametrizations.\(property).\(part).\(name)"
    }

    /// The primary and legacy keys, relative to the owning module, of tensor `name` of part
    /// `part` (`parts[part]`, which may not adopt the protocol).
    static func keys(_ name: String, property: String, part: Int, parts: [Any]) -> (primary: String, legacy: [String]) {
        guard part < parts.count, let naming = parts[part] as? any PyTorchCheckpointNaming else {
            return (parametrized(name, property: property, part: part), [])
        }
        return (naming.pytorchKey(forTensor: name, property: property, part: part),
                naming.legacyPyTorchKeys(forTensor: name, property: property, part: part))
    }
}
