extension Parametrization {
    /// Reports the parametrization's `@Parameter`s and `@Buffer`s under their property names,
    /// and nested parametrizations (stored properties, arrays) under theirs, by reflection.
    /// Other stored properties are settings and are skipped.
    public func traverse(with visitor: TraversalVisitor) throws {
        try Reflection.traverse(parametrization: self, with: visitor)
    }
}
