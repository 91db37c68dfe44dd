/// How often a constrained property evaluated its parametrization, and how often a read was
/// served from the cache instead.
///
/// ```swift
/// _ = model.w; _ = model.w
/// model.$w.cacheStatistics   // evaluations: 1, hits: 1
/// ```
public struct CacheStatistics: Sendable, Equatable, CustomStringConvertible {
    /// Calls of the parametrization's `forward` (including ones that threw).
    public var evaluations: Int = 0
    /// Reads answered with the cached value, without calling `forward`.
    public var hits: Int = 0

    /// Zero evaluations and hits.
    public init(evaluations: Int = 0, hits: Int = 0) {
        self.evaluations = evaluations
        self.hits = hits
    }

    /// `evaluations: e, hits: h`.
    public var description: String { "evaluations: \(evaluations), hits: \(hits)" }
}

/// Which value a property keeps when its parametrization is removed
/// (`$w.removeParametrization(keeping:)`), as PyTorch's `leave_parametrized`.
public enum RemovalValue: Sendable {
    /// The property keeps its current constrained value: the original becomes `forward(original)`.
    case constrained
    /// The property keeps its unconstrained original as its value.
    case original
}
