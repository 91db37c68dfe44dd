/// How operations attach themselves to the gradient graph.
///
/// A kernel computes its result first, then, only if a tape records and one of its inputs is
/// tracked, attaches a node with a pullback:
///
/// ```swift
/// var out = forward(a, b)
/// if let tapeID = Tensor.recordingTapeID(a, b) {
///     out.record(tapeID, "mul", a, b) { g in (g * b, g * a) }
/// }
/// ```
///
/// The check costs two nil tests when nothing is tracked, so untracked code pays nothing for
/// differentiation; the pullback closure is allocated only when recorded.
extension Tensor {
    /// The recording tape's id, if a tape records and one of `inputs` is tracked.
    @inlinable
    public static func recordingTapeID(_ a: Tensor) -> UInt64? {
        guard a.node != nil else { return nil }
        return GradientTape.current?.id
    }

    /// The recording tape's id, if a tape records and one of `a`, `b` is tracked.
    @inlinable
    public static func recordingTapeID(_ a: Tensor, _ b: Tensor) -> UInt64? {
        guard a.node != nil || b.node != nil else { return nil }
        return GradientTape.current?.id
    }

    /// The recording tape's id, if a tape records and one of `inputs` is tracked.
    @inlinable
    public static func recordingTapeID(_ inputs: [Tensor]) -> UInt64? {
        guard inputs.contains(where: { $0.node != nil }) else { return nil }
        return GradientTape.current?.id
    }

    /// Attaches a node for a unary operation: `pullback` maps this value's cotangent to `input`'s.
    @inlinable
    public mutating func record(_ tapeID: UInt64, _ operation: StaticString, _ input: Tensor,
                                pullback: @escaping (Tensor) -> Tensor) {
        node = TapeNode(tapeID: tapeID, shape: shape, operation: operation,
                        parents: [input.node], pullback: { g in [pullback(g)] })
    }

    /// Attaches a node for a binary operation. `pullback` is called only for cotangents that a
    /// tracked input needs; it receives which inputs are tracked.
    @inlinable
    public mutating func record(_ tapeID: UInt64, _ operation: StaticString, _ a: Tensor, _ b: Tensor,
                                pullback: @escaping (Tensor) -> (Tensor?, Tensor?)) {
        node = TapeNode(tapeID: tapeID, shape: shape, operation: operation,
                        parents: [a.node, b.node], pullback: { g in
                            let (da, db) = pullback(g)
                            return [da, db]
                        })
    }

    /// Attaches a node for an operation with any number of inputs.
    @inlinable
    public mutating func record(_ tapeID: UInt64, _ operation: StaticString, _ inputs: [Tensor],
                                pullback: @escaping (Tensor) -> [Tensor?]) {
        node = TapeNode(tapeID: tapeID, shape: shape, operation: operation,
                        parents: inputs.map(\.node), pullback: pullback)
    }

    /// Attaches a node whose pullback adds into the cotangents its inputs have received so far.
    ///
    /// `pullback` gets this value's cotangent and one slot per input, holding that input's
    /// cotangent accumulated so far (nil when it has none yet, and for untracked inputs), and
    /// adds its contribution into each slot it has one for (``addMatmul(_:transposed:_:transposed:into:)``,
    /// ``add(_:into:)``); a slot it leaves as it was receives nothing. A slot's tensor is held
    /// only by the tape during the call, so updating it in place copies nothing.
    ///
    /// ```swift
    /// // y = x · w, accumulating dw += xᵀ g with one GEMM (β = 1):
    /// y.record(tapeID, "product", [x, w]) { g, sums in
    ///     if x.isTracked { addMatmul(g, transposed: false, w, transposed: true, into: &sums[0]) }
    ///     if w.isTracked { addMatmul(x, transposed: true, g, transposed: false, into: &sums[1]) }
    /// }
    /// ```
    @inlinable
    public mutating func record(_ tapeID: UInt64, _ operation: StaticString, _ inputs: [Tensor],
                                accumulating pullback: @escaping (Tensor, inout [Tensor?]) -> Void) {
        node = TapeNode(tapeID: tapeID, shape: shape, operation: operation,
                        parents: inputs.map(\.node), pullback: .accumulating(pullback))
    }
}

extension Tensor {
    /// Attaches nodes to the several results of one operation (QR's `q` and `r`, eigh's values
    /// and vectors, …), whose pullback needs all their cotangents at once.
    ///
    /// The results hang off one hidden node holding their concatenation; a result without a
    /// cotangent contributes zeros. `pullback` receives one cotangent per output (zeros where
    /// that output was not used) and returns one per input.
    @inlinable
    public static func record(_ tapeID: UInt64, _ operation: StaticString, inputs: [Tensor],
                              outputs: inout [Tensor], pullback: @escaping ([Tensor]) -> [Tensor?]) {
        let shapes = outputs.map(\.shape)
        let counts = shapes.map { Shape.count(of: $0) }
        let total = counts.reduce(0, +)
        let joint = TapeNode<Scalar>(
            tapeID: tapeID, shape: [total], operation: operation, parents: inputs.map(\.node),
            pullback: { packed in
                var offset = 0
                var parts: [Tensor] = []
                for (shape, count) in zip(shapes, counts) {
                    parts.append(Tensor(shape: shape) { out in
                        out.baseAddress!.update(from: packed.storage.base + offset, count: count)
                    })
                    offset += count
                }
                return pullback(parts)
            })
        var offset = 0
        for k in outputs.indices {
            let start = offset, count = counts[k]
            outputs[k].node = TapeNode(
                tapeID: tapeID, shape: shapes[k], operation: operation, parents: [joint],
                pullback: { g in
                    [Tensor(shape: [total]) { out in
                        out.initialize(repeating: 0)
                        (out.baseAddress! + start).update(from: g.storage.base, count: count)
                    }]
                })
            offset += count
        }
    }
}
