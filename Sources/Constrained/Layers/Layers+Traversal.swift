// The package's layers declare their traversal (what `@Layer` would generate), so a model
// made of them is walked once and its traversal cached. Their layer properties are `let`:
// the structure changes only through their constrained properties, which report it.

extension Linear {
    /// `weight` (or `weight.original` and its parametrization's state), then `bias`.
    public func traverse(with visitor: TraversalVisitor) throws {
        try visitor.visit($weight, named: "weight")
        try visitor.visit(_bias, named: "bias")
    }
}

extension Conv2d {
    /// `weight` (or `weight.original` and its parametrization's state), then `bias`.
    public func traverse(with visitor: TraversalVisitor) throws {
        try visitor.visit($weight, named: "weight")
        try visitor.visit(_bias, named: "bias")
    }
}

extension RNNCell {
    /// `input`, `recurrent`, `bias`, then the modReLU activation's `modReLU.bias`.
    public func traverse(with visitor: TraversalVisitor) throws {
        try visitor.visit($input, named: "input")
        try visitor.visit($recurrent, named: "recurrent")
        try visitor.visit(_bias, named: "bias")
        try visitor.visit(modReLU, named: "modReLU")
    }
}

extension ModReLU {
    /// `bias`.
    public func traverse(with visitor: TraversalVisitor) throws {
        try visitor.visit($bias, named: "bias")
    }
}
