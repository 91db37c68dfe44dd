extension Constrained: CustomStringConvertible {
    /// The parametrization, the original's shape and scalar type, and the cache:
    /// `Constrained<Skew >>> MatrixExp> [190, 190] Double (cached, 1 evaluation, 12 hits)`.
    ///
    /// A property without a parametrization reads as a plain parameter, `Parameter [190, 190] Double`;
    /// one without a value yet shows `no value` for the shape.
    public var description: String {
        state.withLock { s in
            let shape = s.original.map { "\($0.shape)" } ?? "no value"
            guard s.isParametrized else { return "Parameter \(shape) \(Scalar.self)" }
            let cache = !s.isCaching ? "caching off" : s.cache == nil ? "not cached" : "cached"
            let e = s.statistics.evaluations, h = s.statistics.hits
            var text = "Constrained<\(s.parametrization)> \(shape) \(Scalar.self) "
                + "(\(cache), \(e) evaluation\(e == 1 ? "" : "s"), \(h) hit\(h == 1 ? "" : "s"))"
            let state = s.stateSlots.map { named in
                "\(named.name) \((named.slot.boxedValue()).map(AnyTensor.shapeOf).map { "\($0)" } ?? "no value")"
            }
            if !state.isEmpty { text += ", state: " + state.joined(separator: ", ") }
            return text
        }
    }
}
