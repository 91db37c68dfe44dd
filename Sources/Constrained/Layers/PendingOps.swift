// Stand-ins for LinAlg operations that are being written on other branches (elementwise
// tanh/relu/sigmoid, stacking along the first axis). Each is the minimal correct kernel with
// its pullback; this file is deleted when the shared operations land in `main`.

@usableFromInline
enum PendingOps {
    /// `tanh(x)` elementwise; pullback `g · (1 − y²)` from the output.
    @inlinable
    static func tanh<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        var y = x.map { Scalar.tanh($0) }
        if let tapeID = Tensor.recordingTapeID(x) {
            let value = y.detached()
            y.record(tapeID, "tanh", x) { g in g * (1 - value * value) }
        }
        return y
    }

    /// `max(x, 0)` elementwise; pullback passes `g` where `x > 0`.
    @inlinable
    static func relu<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        var y = x.map { $0 > 0 ? $0 : 0 }
        if let tapeID = Tensor.recordingTapeID(x) {
            let mask = x.map { $0 > 0 ? 1 : 0 }
            y.record(tapeID, "relu", x) { g in g * mask }
        }
        return y
    }

    /// `1 / (1 + e^{−x})` elementwise, without overflow for large |x|; pullback `g · y(1 − y)`.
    @inlinable
    static func sigmoid<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        var y = x.map { v -> Scalar in
            if v >= 0 { return 1 / (1 + Scalar.exp(-v)) }
            let e = Scalar.exp(v)
            return e / (1 + e)
        }
        if let tapeID = Tensor.recordingTapeID(x) {
            let value = y.detached()
            y.record(tapeID, "sigmoid", x) { g in g * value * (1 - value) }
        }
        return y
    }

    /// Tensors of equal shape `s` stacked into one of shape `[count] + s`.
    @inlinable
    static func stack<Scalar>(_ parts: [Tensor<Scalar>]) -> Tensor<Scalar> {
        precondition(!parts.isEmpty, "stack: no tensors")
        let shape = parts[0].shape, size = parts[0].scalarCount
        var out = Tensor<Scalar>(shape: [parts.count] + shape) { out in
            for (k, part) in parts.enumerated() {
                precondition(part.shape == shape, "stack: shapes \(shape) and \(part.shape) differ")
                part.withUnsafeBufferPointer { src in
                    (out.baseAddress! + k * size).update(from: src.baseAddress!, count: size)
                }
            }
        }
        if let tapeID = Tensor.recordingTapeID(parts) {
            let tracked = parts.map(\.isTracked)
            out.record(tapeID, "stack", parts) { g in
                g.withUnsafeBufferPointer { src in
                    tracked.indices.map { k -> Tensor<Scalar>? in
                        guard tracked[k] else { return nil }
                        return Tensor(shape: shape) { $0.baseAddress!.update(from: src.baseAddress! + k * size, count: size) }
                    }
                }
            }
        }
        return out
    }

    /// The `index`-th slice along the first axis (shape `x.shape.dropFirst()`).
    ///
    /// The pullback scatters into a zero tensor of `x`'s shape: fine for inputs that are
    /// rarely tracked (a sequence of data), quadratic if every slice of a tracked tensor is used.
    @inlinable
    static func slice<Scalar>(_ x: Tensor<Scalar>, at index: Int) -> Tensor<Scalar> {
        let shape = Array(x.shape.dropFirst()), size = Shape.count(of: shape)
        precondition(index >= 0 && index < x.shape[0], "slice: index \(index) out of range for shape \(x.shape)")
        var out = x.withUnsafeBufferPointer { src in
            Tensor<Scalar>(shape: shape) { $0.baseAddress!.update(from: src.baseAddress! + index * size, count: size) }
        }
        if let tapeID = Tensor.recordingTapeID(x) {
            let full = x.shape
            out.record(tapeID, "slice", x) { g in
                Tensor<Scalar>(shape: full) { out in
                    out.initialize(repeating: 0)
                    g.withUnsafeBufferPointer { (out.baseAddress! + index * size).update(from: $0.baseAddress!, count: size) }
                }
            }
        }
        return out
    }
}
