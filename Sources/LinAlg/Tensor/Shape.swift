/// Shape arithmetic shared by the kernels.
public enum Shape {
    /// The number of elements of a tensor of this shape.
    @inlinable
    public static func count(of shape: [Int]) -> Int {
        var n = 1
        for d in shape {
            precondition(d >= 0, "shape \(shape) has a negative extent")
            n *= d
        }
        return n
    }

    /// Row-major strides (in elements) of a contiguous tensor of this shape.
    @inlinable
    public static func strides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = s
            s *= shape[axis]
        }
        return strides
    }

    /// The flat offset of a multi-dimensional index.
    @inlinable
    public static func offset(of indices: [Int], in shape: [Int]) -> Int {
        precondition(indices.count == shape.count,
                     "index \(indices) has \(indices.count) components for shape \(shape)")
        var offset = 0
        for (axis, i) in indices.enumerated() {
            precondition(i >= 0 && i < shape[axis], "index \(indices) is out of range for shape \(shape)")
            offset = offset * shape[axis] + i
        }
        return offset
    }

    /// The NumPy broadcast of two shapes: aligned at the trailing axis, each pair of extents
    /// equal or one of them 1.
    ///
    /// - Precondition: the shapes broadcast; otherwise stops naming both shapes and `operation`
    ///   (an autoclosure: a descriptive message costs nothing unless it is shown).
    @inlinable
    public static func broadcast(_ a: [Int], _ b: [Int], operation: @autoclosure () -> String = "broadcast") -> [Int] {
        if a == b { return a }
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            precondition(da == db || da == 1 || db == 1,
                         "\(operation()): shapes \(a) and \(b) cannot be broadcast together")
            result[i] = da == 1 ? db : da
        }
        return result
    }

    /// Strides for reading a tensor of shape `shape` as if broadcast to `target`
    /// (0 along broadcast axes), expressed per axis of `target`.
    @inlinable
    public static func broadcastStrides(of shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(of: shape)
        let lead = target.count - shape.count
        var result = [Int](repeating: 0, count: target.count)
        for axis in 0..<shape.count where shape[axis] != 1 {
            result[lead + axis] = own[axis]
        }
        return result
    }

    /// Normalises a possibly negative axis for a tensor of rank `rank`.
    @inlinable
    public static func normalize(axis: Int, rank: Int, operation: String) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "\(operation): axis \(axis) is out of range for rank \(rank)")
        return a
    }
}
