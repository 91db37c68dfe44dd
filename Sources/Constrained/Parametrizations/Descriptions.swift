// The descriptions of the catalogue's parametrizations (Orthogonal's is in
// Orthogonal+Manifold.swift, the manifolds' beside them): the type's name and the settings
// that change what `forward` computes, written as the initialiser call that makes them.

extension Parametrization {
    /// The type's name without its generic arguments: `Skew`, `MatrixExp`.
    public var description: String {
        let name = String(describing: Self.self)
        return name.firstIndex(of: "<").map { String(name[..<$0]) } ?? name
    }
}

extension Composed {
    /// The parts in order: `Skew >>> MatrixExp`.
    public var description: String {
        parts.map(\.description).joined(separator: " >>> ")
    }
}

extension SpectralNorm {
    /// `SpectralNorm(dim: 0, powerIterations: 1)`, plus `eps` when not the default.
    public var description: String {
        var settings = ["dim: \(dim)", "powerIterations: \(powerIterations)"]
        if eps != 1e-12 { settings.append("eps: \(eps)") }
        return "SpectralNorm(\(settings.joined(separator: ", ")))"
    }
}

extension WeightNorm {
    /// `WeightNorm(dim: 0)`, or `WeightNorm(dim: nil)` for the norm over the whole tensor.
    public var description: String { "WeightNorm(dim: \(dim.map(String.init) ?? "nil"))" }
}

extension Positive {
    /// `Positive(softplus)` or `Positive(exp)`.
    public var description: String { "Positive(\(function))" }
}

extension Bounded {
    /// `Bounded(low: 0.0, high: 1.0, sigmoid)`.
    public var description: String { "Bounded(low: \(low), high: \(high), \(function))" }
}

extension Mask {
    /// `Mask([4, 4])`: the mask's shape.
    public var description: String { "Mask(\(mask.shape))" }
}
