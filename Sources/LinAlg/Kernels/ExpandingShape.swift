// Adding and removing axes of extent 1 (views: no copy, the storage is shared).

extension Tensor {
    /// This tensor with axes of extent 1 inserted so that they sit at positions `axes` of the
    /// result (negative positions count from the end of the result).
    ///
    /// ```swift
    /// let v = Tensor<Double>([1, 2, 3])   // [3]
    /// v.expandingShape(at: 0).shape       // [1, 3], a row
    /// v.expandingShape(at: -1).shape      // [3, 1], a column
    /// ```
    /// Derivative: the cotangent reshaped back.
    @inlinable
    public func expandingShape(at axes: [Int]) -> Tensor {
        let resultRank = rank + axes.count
        let positions = Tensor.normalizedAxes(axes, rank: resultRank, operation: "expandingShape(at:)")
        var newShape: [Int] = []
        newShape.reserveCapacity(resultRank)
        var source = 0, next = 0
        for position in 0..<resultRank {
            if next < positions.count && positions[next] == position {
                newShape.append(1)
                next += 1
            } else {
                newShape.append(shape[source])
                source += 1
            }
        }
        return reshaped(to: newShape)
    }

    /// This tensor with axes of extent 1 inserted at the given positions of the result.
    @inlinable
    public func expandingShape(at axes: Int...) -> Tensor { expandingShape(at: axes) }

    /// This tensor without the axes `axes`, each of which must have extent 1; with no axes
    /// given, without every axis of extent 1.
    ///
    /// ```swift
    /// Tensor<Double>.zeros([1, 3, 1]).squeezingShape(at: 0).shape   // [3, 1]
    /// Tensor<Double>.zeros([1, 3, 1]).squeezingShape().shape        // [3]
    /// ```
    /// Derivative: the cotangent reshaped back.
    @inlinable
    public func squeezingShape(at axes: [Int]) -> Tensor {
        if axes.isEmpty { return reshaped(to: shape.filter { $0 != 1 }) }
        let positions = Tensor.normalizedAxes(axes, rank: rank, operation: "squeezingShape(at:)")
        for axis in positions {
            precondition(shape[axis] == 1,
                         "squeezingShape(at:): axis \(axis) of shape \(shape) has extent \(shape[axis]), not 1")
        }
        return reshaped(to: Tensor.reducedShape(shape, axes: positions, keepingDimensions: false))
    }

    /// This tensor without the given axes of extent 1 (all of them when none are given).
    @inlinable
    public func squeezingShape(at axes: Int...) -> Tensor { squeezingShape(at: axes) }
}
