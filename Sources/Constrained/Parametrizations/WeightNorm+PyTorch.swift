/// PyTorch's `weight_norm` parametrization returns `(g, v)` from its right inverse, so its
/// originals are `parametrizations.weight.original0` (the magnitude ``WeightNorm/g``) and
/// `parametrizations.weight.original1` (the direction, our original). Files from the older
/// `torch.nn.utils.weight_norm` hold them as `weight_g` and `weight_v`; they load too, as
/// PyTorch's own load hook migrates them.
///
/// PyTorch allows a tuple-returning parametrization only first in the chain: as a later part,
/// weight norm keeps the default names (`parametrizations.weight.<part>.g`).
///
/// - Note: PyTorch's `weight_norm(module, dim=-1)` means the whole tensor (its `dim=None`), so
///   it corresponds to `WeightNorm(dim: nil)`; our `dim: -1` is the last axis. The shapes of `g`
///   differ, so a mix-up fails to load with a shape mismatch naming `original0`.
extension WeightNorm: PyTorchCheckpointNaming {
    /// `original1` for the original, `original0` for `g` (when first in the chain).
    public func pytorchKey(forTensor name: String, property: String, part: Int) -> String {
        switch (name, part) {
        case ("original", 0): return "parametrizations.\(property).original1"
        case ("g", 0): return "parametrizations.\(property).original0"
        default: return defaultPyTorchKey(forTensor: name, property: property, part: part)
        }
    }

    /// `<property>_v` and `<property>_g` (the legacy `torch.nn.utils.weight_norm`).
    public func legacyPyTorchKeys(forTensor name: String, property: String, part: Int) -> [String] {
        switch (name, part) {
        case ("original", 0): return ["\(property)_v"]
        case ("g", 0): return ["\(property)_g"]
        default: return []
        }
    }
}
