/// Pruning: `forward(X) = X ⊙ mask`, with the mask a state buffer (`w.0.mask`), as PyTorch's
/// `torch.nn.utils.prune` (`weight = weight_orig * weight_mask`).
///
/// The pruned entries (mask 0) read as zero and get zero gradient, while the original keeps
/// their last values (so unpruning restores them). The mask is saved with the model and can be
/// replaced (`p.mask = newMask`, e.g. by a pruning schedule); the cache sees the change.
///
/// ```swift
/// let keep = Tensor<Double>(shape: [2, 2], scalars: [1, 0, 1, 1])
/// @Constrained(Mask(keep)) var w = Tensor<Double>.ones([2, 2])   // reads [[1, 0], [1, 1]]
/// ```
///
/// **Right inverse:** `Y` itself: exact for a `Y` that is zero where the mask is 0 (the values
/// the mask can produce, for a 0/1 mask).
public struct Mask<Scalar: TensorScalar>: Parametrization {
    /// The mask (usually 0/1), broadcast against the original.
    @Buffer public var mask: Tensor<Scalar>

    /// Pruning with `mask`.
    public init(_ mask: Tensor<Scalar>) {
        _mask = Buffer(wrappedValue: mask)
    }

    /// Accepts a shape the mask broadcasts to without changing it.
    ///
    /// - Throws: ``ConstrainedError`` with cause ``ConstrainedError/Cause/invalidShape(_:)``
    ///   otherwise.
    public func register(shape: [Int]) throws {
        try Self.requireFits(mask.shape, shape)
    }

    /// `X ⊙ mask`.
    ///
    /// - Throws: ``ConstrainedError`` when the mask does not broadcast to `x`'s shape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let m = mask
        try Self.requireFits(m.shape, x.shape)
        return x * m
    }

    /// `Y`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try Self.requireFits(mask.shape, y.shape)
        return y
    }

    /// The mask must broadcast to the original's shape without changing it.
    static func requireFits(_ mask: [Int], _ shape: [Int]) throws {
        var fits = mask.count <= shape.count
        if fits {
            for (m, s) in zip(mask.reversed(), shape.reversed()) where m != s && m != 1 { fits = false }
        }
        guard fits else {
            throw ConstrainedError("register", subject: "Mask", shape: shape, cause: .invalidShape("a mask of shape \(mask) does not broadcast to the original\'s shape"))
        }
    }
}
