/// The Cayley map `X ↦ (I − X)⁻¹ (I + X)`, the map of PyTorch's parametrization tutorial.
///
/// For a skew-symmetric `X` the result is orthogonal with determinant 1 and no eigenvalue −1
/// (the eigenvalues `iθ` of `X` go to `(1 + iθ)/(1 − iθ)` on the unit circle), so
/// `Skew() >>> CayleyMap()` parametrizes that part of SO(n). `I − X` is then always
/// invertible (its eigenvalues are `1 − iθ`, and `‖(I − X)⁻¹‖₂ ≤ 1`), so the solve is
/// well conditioned. Computed by LinAlg's `cayley(_:scale:base:)` as `2 (I − X)⁻¹ − I`: one
/// inverse of `I − X`, which makes the pullback two matrix products; batched.
///
/// Note the scaling: ``Orthogonal`` with `.cayley` uses PyTorch's `(I − A/2)⁻¹ (I + A/2)`,
/// which is this map at `X = A/2`.
///
/// **Right inverse:** for `Q` without eigenvalue −1, `X = (Q + I)⁻¹ (Q − I)` (from
/// `(I − X) Q = I + X`); skew-symmetric when `Q` is orthogonal. Throws a `LinAlgError`
/// (singular) when `Q + I` is singular, i.e. `Q` has the eigenvalue −1 (no preimage).
///
/// ```swift
/// @Constrained(Skew() >>> CayleyMap()) var q = Tensor<Double>.eye(4)
/// ```
public struct CayleyMap<Scalar: TensorScalar>: Parametrization {
    /// The Cayley map.
    public init() {}

    /// Accepts a square matrix or a batch of them, `(..., n, n)`.
    ///
    /// - Throws: ``ConstrainedError`` with cause ``ConstrainedError/Cause/invalidShape(_:)``
    ///   for any other shape.
    public func register(shape: [Int]) throws {
        try ConstrainedError.requireSquare("CayleyMap", shape, operation: "register")
    }

    /// `(I − X)⁻¹ (I + X)`.
    ///
    /// - Throws: ``ConstrainedError`` for a non-square input, or with cause
    ///   ``ConstrainedError/Cause/linearAlgebra(_:)`` when `I − X` is singular (never for a
    ///   skew-symmetric `X`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare("CayleyMap", x.shape)
        return try ConstrainedError.wrappingLinearAlgebra("forward", subject: "CayleyMap") {
            try cayley(x)
        }
    }

    /// `(Q + I)⁻¹ (Q − I)`.
    ///
    /// - Throws: ``ConstrainedError`` for a non-square input, or with cause
    ///   ``ConstrainedError/Cause/notInImage(_:)`` when `Q` has the eigenvalue −1 (`Q + I` is
    ///   singular): such a `Q` is no Cayley transform of any `X`, the same "no preimage" every
    ///   parametrization reports that way; the detail quotes the linear-algebra failure.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare("CayleyMap", y.shape, operation: "rightInverse")
        let identity = Tensor<Scalar>.eye(y.shape[y.rank - 1])
        do {
            return try solve(y + identity, y - identity)
        } catch let error as LinAlgError {
            throw ConstrainedError("rightInverse", subject: "CayleyMap", shape: y.shape,
                                   cause: .notInImage("the matrix has the eigenvalue −1, so Q + I is singular (\(error))"))
        }
    }
}
