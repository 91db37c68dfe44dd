/// geotorch's key for the base of its eigen chart: `positive_definite` and
/// `positive_semidefinite` register a `PSD`/`PSSD` module on `parametrizations.w.0`, a product
/// of a Stiefel factor (`.0`, whose buffer is `base`) and the eigenvalues (`.1`, no state), so
/// the base is `parametrizations.w.0.0.base`. Ours is `w.0.frame.base`; the original's entries
/// mean the same in both (diagonal: eigenvalues before `f`; strictly lower triangle: the skew
/// generator).
enum EigenFrameKeys {
    /// geotorch's key for our tensor `name` (`"frame.base"`), the default key otherwise.
    static func pytorchKey(forTensor name: String, property: String, part: Int) -> String {
        name == "frame.base" ? "parametrizations.\(property).\(part).0.base"
                             : PyTorchKeys.parametrized(name, property: property, part: part)
    }
}

extension PositiveDefinite: PyTorchCheckpointNaming {
    /// `parametrizations.w.<part>.0.base` for the base of `.eigen` (geotorch's layout).
    public func pytorchKey(forTensor name: String, property: String, part: Int) -> String {
        EigenFrameKeys.pytorchKey(forTensor: name, property: property, part: part)
    }
}

extension PositiveSemidefinite: PyTorchCheckpointNaming {
    /// `parametrizations.w.<part>.0.base` for the base of the eigen chart (geotorch's layout).
    public func pytorchKey(forTensor name: String, property: String, part: Int) -> String {
        EigenFrameKeys.pytorchKey(forTensor: name, property: property, part: part)
    }
}
