// In-place forms of the unary functions, for layers that fuse several operations into one
// graph node and record its pullback themselves (an RNN cell's affine map and tanh): the
// intermediate is overwritten instead of allocating a second tensor of the same size.

extension Tensor {
    /// Replaces every element x by tanh x, in place (the kernel of ``tanh(_:)``).
    ///
    /// Records nothing: the caller records a pullback for the fused operation, which can use
    /// tanh′(x) = 1 − y² of the result y.
    ///
    /// - Precondition: this tensor is not tracked by a tape (its node would no longer
    ///   describe its value).
    @inlinable
    public mutating func formTanh() {
        precondition(!isTracked, "formTanh(): the tensor is tracked by a tape; use tanh(_:) instead")
        apply(.tanh, generic: { Scalar.tanh($0) })
    }

    /// `self[i] = f(self[i])` through the buffer kernels of ``VectorMath``.
    @inlinable
    mutating func apply(_ f: VectorMath.Unary, generic: (Scalar) -> Scalar) {
        withUnsafeMutableBufferPointer { buffer in
            let n = buffer.count
            guard n > 0 else { return }
            let p = UnsafeMutableRawPointer(buffer.baseAddress!)
            if Scalar.self == Double.self {
                let d = p.assumingMemoryBound(to: Double.self)
                VectorMath.apply(f, UnsafePointer(d), d, count: n)
            } else if Scalar.self == Float.self {
                let s = p.assumingMemoryBound(to: Float.self)
                VectorMath.apply(f, UnsafePointer(s), s, count: n)
            } else {
                for i in 0..<n { buffer[i] = generic(buffer[i]) }
            }
        }
    }
}

extension ElementwiseKernels {
    /// `y[i] = tanh(x[i])` for `count` scalars on raw buffers (`y` may be `x`): the kernel of
    /// ``tanh(_:)`` for values kept outside tensors, such as one step's rows inside a recurrent
    /// layer's buffer of all its states, without copying them into a tensor and back.
    @inlinable
    public static func tanh<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, into y: UnsafeMutablePointer<Scalar>,
                                                  count: Int) {
        guard count > 0 else { return }
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        if Scalar.self == Double.self {
            VectorMath.apply(.tanh, rx.assumingMemoryBound(to: Double.self), ry.assumingMemoryBound(to: Double.self), count: count)
        } else if Scalar.self == Float.self {
            VectorMath.apply(.tanh, rx.assumingMemoryBound(to: Float.self), ry.assumingMemoryBound(to: Float.self), count: count)
        } else {
            for i in 0..<count { y[i] = Scalar.tanh(x[i]) }
        }
    }
}

extension ElementwiseKernels {
    /// `dz[i] = g[i] · (1 − y[i]²)` for `count` scalars on raw buffers (`dz` may be `g`): the
    /// pullback of tanh from its output `y`, the kernel behind ``tanh(_:)``'s gradient.
    @inlinable
    public static func tanhPullback<Scalar: TensorScalar>(_ g: UnsafePointer<Scalar>, output y: UnsafePointer<Scalar>,
                                                          into dz: UnsafeMutablePointer<Scalar>, count: Int) {
        guard count > 0 else { return }
        let rg = UnsafeRawPointer(g), ry = UnsafeRawPointer(y), rd = UnsafeMutableRawPointer(dz)
        if Scalar.self == Double.self {
            VectorMath.apply(.tanhPullback, rg.assumingMemoryBound(to: Double.self), ry.assumingMemoryBound(to: Double.self),
                             rd.assumingMemoryBound(to: Double.self), count: count)
        } else if Scalar.self == Float.self {
            VectorMath.apply(.tanhPullback, rg.assumingMemoryBound(to: Float.self), ry.assumingMemoryBound(to: Float.self),
                             rd.assumingMemoryBound(to: Float.self), count: count)
        } else {
            for i in 0..<count { let v = y[i]; dz[i] = g[i] * (1 - v * v) }
        }
    }
}
