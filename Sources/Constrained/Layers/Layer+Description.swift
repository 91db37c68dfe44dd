extension Layer {
    /// The layer as a tree, as PyTorch prints a module: the type and mode, then one line per
    /// tensor property and nested layer, nested layers indented.
    ///
    /// ```
    /// CopyTaskModel<Double> (training)
    ///   cell: RNNCell<Double>
    ///     input: Parameter [128, 10] Double
    ///     recurrent: Constrained<Orthogonal(map: automatic, usesTrivialization: true)> [128, 128] Double (cached, 1 evaluation, 0 hits), state: 0.base [128, 128]
    ///     bias: Parameter [128] Double
    ///   head: Linear<Double>
    ///     weight: Parameter [10, 128] Double
    ///     bias: Parameter [10] Double
    /// ```
    ///
    /// A layer whose mode differs from its parent's shows it. If traversal fails, the last line
    /// is the error.
    public var description: String {
        var lines = ["\(type(of: self)) (\(isTraining ? "training" : "evaluation"))"]
        do {
            let traversal = try traversal()
            var modes = [isTraining]
            for entry in traversal.outline {
                modes.removeLast(max(0, modes.count - entry.depth - 1))
                let indent = String(repeating: "  ", count: entry.depth + 1)
                switch entry.kind {
                case .layer(let layer):
                    let mode = layer.isTraining
                    let shown = mode == modes.last ? "" : mode ? " (training)" : " (evaluation)"
                    lines.append("\(indent)\(entry.name): \(type(of: layer))\(shown)")
                    modes.append(mode)
                case .parameter(let slot):
                    lines.append("\(indent)\(entry.name): Parameter \(Self.shape(of: slot)) \(slot.scalarType)")
                case .buffer(let slot):
                    lines.append("\(indent)\(entry.name): Buffer \(Self.shape(of: slot)) \(slot.scalarType)")
                case .constrained(let property):
                    lines.append("\(indent)\(entry.name): \(property)")
                }
            }
        } catch {
            lines.append("  \(error)")
        }
        return lines.joined(separator: "\n")
    }

    private static func shape(of slot: any TensorSlot) -> String {
        slot.boxedValue().map { "\(AnyTensor.shapeOf($0))" } ?? "no value"
    }
}
