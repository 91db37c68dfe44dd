/// The layers currently in evaluation mode. Training is the default, so only layers switched
/// to evaluation have an entry; the weak reference tells a live entry from one left by a
/// freed layer whose address was reused.
private let evaluationModeLayers = Lock<[ObjectIdentifier: WeakLayer]>([:])

private struct WeakLayer: @unchecked Sendable {
    weak var layer: AnyObject?
}

extension Layer {
    /// Whether the layer behaves as in training (default) or evaluation.
    ///
    /// Setting it sets every nested layer and every constrained property reachable from this
    /// one, which calls their parametrizations' `setTraining(_:)` (spectral norm stops its
    /// power iteration in evaluation mode) and drops their caches. A layer's own code
    /// (dropout, say) reads it to choose its behaviour.
    ///
    /// ```swift
    /// model.isTraining = false   // evaluate
    /// ```
    public var isTraining: Bool {
        get {
            evaluationModeLayers.withLock { table in
                guard let entry = table[ObjectIdentifier(self)] else { return true }
                return entry.layer !== self
            }
        }
        set {
            let traversal = LayerTraversal(self)
            evaluationModeLayers.withLock { table in
                table = table.filter { $0.value.layer != nil }
                for (_, layer) in traversal.layers {
                    if newValue {
                        table[ObjectIdentifier(layer)] = nil
                    } else {
                        table[ObjectIdentifier(layer)] = WeakLayer(layer: layer)
                    }
                }
            }
            for (_, property) in traversal.constrained {
                property.isTraining = newValue
            }
        }
    }
}
