extension Tensor {
    /// The same elements viewed with another shape (no copy: the storage is shared).
    ///
    /// One extent may be `-1`, inferred from the others.
    @inlinable
    public func reshaped(to newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let unknown = newShape.firstIndex(of: -1) {
            var rest = 1
            for (i, d) in newShape.enumerated() where i != unknown { rest *= d }
            precondition(rest > 0 && scalarCount % rest == 0,
                         "reshaped(to:): cannot infer -1 in \(newShape) for shape \(shape)")
            resolved[unknown] = scalarCount / rest
        }
        precondition(Shape.count(of: resolved) == scalarCount,
                     "reshaped(to:): shape \(shape) (\(scalarCount) elements) cannot be viewed as \(newShape)")
        var out = Tensor(storage: storage, shape: resolved)
        if let tapeID = Tensor.recordingTapeID(self) {
            let source = shape
            out.record(tapeID, "reshaped(to:)", self) { g in g.reshaped(to: source) }
        }
        return out
    }

    /// The elements as a one-dimensional tensor.
    @inlinable
    public func flattened() -> Tensor { reshaped(to: [scalarCount]) }
}
