extension Layer {
    /// Whether the layer behaves as in training (default) or evaluation.
    ///
    /// The mode is stored in the layer (its ``layerState``). Setting it sets every nested
    /// layer and every constrained property reachable from this one, which calls their
    /// parametrizations' `setTraining(_:)` (spectral norm stops its power iteration in
    /// evaluation mode) and drops their caches. A layer's own code (dropout, say) reads it to
    /// choose its behaviour.
    ///
    /// ```swift
    /// model.isTraining = false   // evaluate
    /// ```
    public var isTraining: Bool {
        get { layerState.contents.withLock { $0.isTraining } }
        set {
            let traversal = traversalOrTrap()
            for (_, layer) in traversal.layers {
                layer.layerState.contents.withLock { $0.isTraining = newValue }
            }
            for (_, property) in traversal.constrained {
                property.isTraining = newValue
            }
        }
    }
}
