// Joining tensors along an axis: concatenation (an existing axis grows) and stacking (a new
// axis).

/// The tensors joined along `axis` (negative counts from the end), which grows to the sum of
/// their extents; all other extents must agree.
///
/// Derivative: each input receives its slice of the cotangent.
///
/// ```swift
/// let a = Tensor<Double>.zeros([2, 3]), b = Tensor<Double>.ones([2, 1])
/// concatenate([a, b], alongAxis: 1).shape   // [2, 4]
/// ```
///
/// - Precondition: at least one tensor; equal ranks; equal extents off `axis`.
@inlinable
public func concatenate<Scalar>(_ tensors: [Tensor<Scalar>], alongAxis axis: Int = 0) -> Tensor<Scalar> {
    precondition(!tensors.isEmpty, "concatenate(_:alongAxis:): no tensors to join")
    let first = tensors[0]
    let axis = Shape.normalize(axis: axis, rank: first.rank, operation: "concatenate(_:alongAxis:)")
    var extents: [Int] = []
    extents.reserveCapacity(tensors.count)
    for t in tensors {
        var a = t.shape, b = first.shape
        precondition(a.count == b.count,
                     "concatenate(_:alongAxis:): shapes \(first.shape) and \(t.shape) have different ranks")
        extents.append(a[axis])
        a[axis] = 0; b[axis] = 0
        precondition(a == b,
                     "concatenate(_:alongAxis:): shapes \(first.shape) and \(t.shape) differ off axis \(axis)")
    }
    if tensors.count == 1 { return first }
    var shape = first.shape
    shape[axis] = extents.reduce(0, +)
    let outer = Shape.count(of: Array(shape[..<axis]))
    let inner = Shape.count(of: Array(shape[(axis + 1)...]))
    let total = shape[axis]
    var out = Tensor<Scalar>(shape: shape) { out in
        let po = out.baseAddress!
        var offset = 0
        for (t, n) in zip(tensors, extents) {
            let block = n * inner, src = t.storage.base
            if block > 0 {
                for o in 0..<outer {
                    (po + (o * total + offset) * inner).initialize(from: src + o * block, count: block)
                }
            }
            offset += n
        }
    }
    if let tapeID = Tensor.recordingTapeID(tensors) {
        let tracked = tensors.map(\.isTracked)
        out.record(tapeID, "concatenate", tensors) { g in
            var parts: [Tensor<Scalar>?] = []
            var starts = [Int](repeating: 0, count: shape.count)
            for (k, n) in extents.enumerated() {
                if tracked[k] {
                    var partShape = shape
                    partShape[axis] = n
                    parts.append(Tensor.extractBox(of: partShape, at: starts, from: g))
                } else {
                    parts.append(nil)
                }
                starts[axis] += n
            }
            return parts
        }
    }
    return out
}

/// The tensors, all of one shape, stacked along a new axis at position `axis` of the result
/// (negative counts from the end of the result's axes).
///
/// `stack([a, b, c], alongAxis: 0)` of three `[m, n]` tensors has shape `[3, m, n]`.
/// Derivative: each input receives its slice of the cotangent.
///
/// - Precondition: at least one tensor; equal shapes.
@inlinable
public func stack<Scalar>(_ tensors: [Tensor<Scalar>], alongAxis axis: Int = 0) -> Tensor<Scalar> {
    precondition(!tensors.isEmpty, "stack(_:alongAxis:): no tensors to stack")
    let shape = tensors[0].shape
    for t in tensors {
        precondition(t.shape == shape, "stack(_:alongAxis:): shapes \(shape) and \(t.shape) differ")
    }
    let axis = Shape.normalize(axis: axis, rank: shape.count + 1, operation: "stack(_:alongAxis:)")
    return concatenate(tensors.map { $0.expandingShape(at: axis) }, alongAxis: axis)
}
