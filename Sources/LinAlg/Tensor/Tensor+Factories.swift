extension Tensor {
    /// A tensor of zeros.
    @inlinable
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }

    /// A tensor of ones.
    @inlinable
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

    /// The `n × n` identity matrix.
    @inlinable
    public static func eye(_ n: Int) -> Tensor { eye(rows: n, columns: n) }

    /// A `rows × columns` matrix with ones on the main diagonal, batched when `batch` is given.
    @inlinable
    public static func eye(rows: Int, columns: Int, batch: [Int] = []) -> Tensor {
        Tensor(shape: batch + [rows, columns]) { out in
            out.initialize(repeating: 0)
            let size = rows * columns
            guard size > 0 else { return }
            for b in 0..<(out.count / size) {
                for i in 0..<Swift.min(rows, columns) { out[b * size + i * columns + i] = 1 }
            }
        }
    }

    /// `count` evenly spaced values from `start` to `end` inclusive.
    @inlinable
    public static func linspace(from start: Scalar, to end: Scalar, count: Int) -> Tensor {
        Tensor(shape: [count]) { out in
            let step = count > 1 ? (end - start) / Scalar(count - 1) : 0
            for i in 0..<count { out[i] = start + Scalar(i) * step }
        }
    }

    /// `[0, 1, …, count − 1]`.
    @inlinable
    public static func arange(_ count: Int) -> Tensor {
        Tensor(shape: [count]) { out in
            for i in 0..<count { out[i] = Scalar(i) }
        }
    }

    /// A tensor of the same shape filled with `value`.
    @inlinable
    public func filled(with value: Scalar) -> Tensor { Tensor(shape: shape, repeating: value) }
}
