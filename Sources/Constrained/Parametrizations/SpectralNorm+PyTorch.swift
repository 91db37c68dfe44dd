/// PyTorch's `spectral_norm` buffers are `_u` and `_v`:
/// `parametrizations.weight.0._u`, `parametrizations.weight.0._v`.
extension SpectralNorm: PyTorchCheckpointNaming {
    /// `_u` and `_v` for ``u`` and ``v``; the default for the original.
    public func pytorchKey(forTensor name: String, property: String, part: Int) -> String {
        switch name {
        case "u", "v": return "parametrizations.\(property).\(part)._\(name)"
        default: return defaultPyTorchKey(forTensor: name, property: property, part: part)
        }
    }
}
