/// The eigen chart of symmetric matrices whose eigenvalues lie in the image of a map `f`:
/// geotorch's `SymF` at full rank, used by ``PositiveDefinite``'s `.eigen` and
/// ``PositiveSemidefinite``'s `.eigen` maps.
///
/// For an original `X` of shape `(…, n, n)` and an orthogonal base `B`,
///
///     A = tril(X, −1) − tril(X, −1)ᵀ,   Q = B · e^A,   P = Q diag(f(diag X)) Qᵀ.
///
/// `Q` is ``Orthogonal``'s `.matrixExp` map at its base (dynamic trivialisation), so the
/// strictly lower triangle moves the eigenvectors, the diagonal sets the eigenvalues, and the
/// strictly upper triangle is unused (zero gradient). A forward pass is one matrix
/// exponential, one GEMM for `B · e^A` and the congruence (one `syrk`); no eigendecomposition.
///
/// **Congruence.** `P = Q diag(λ) Qᵀ` (``congruence(_:_:)``) has the hand-written pullback
/// `Q̄ = (Ḡ + Ḡᵀ) Q diag(λ)`, `λ̄ᵢ = (Qᵀ Ḡ Q)ᵢᵢ = ½ Σₖ Qₖᵢ ((Ḡ + Ḡᵀ) Q)ₖᵢ`: one GEMM,
/// where differentiating the three products separately would take three.
///
/// **Chart of a value.** For a symmetric `P = V diag(μ) Vᵀ` (``chart(of:inverse:)``), the base is
/// `V` with the eigenvalues in ascending order (as geotorch) and the original is
/// `diag(f⁻¹(μ))`, zero off the diagonal: the chart's origin, where `e^A = I` exactly.
/// ``updateBase(_:original:)`` moves `B` to the current `Q` and keeps the diagonal, so the
/// value is unchanged.
enum EigenFrame {
    /// The rotation part of the chart: ``Orthogonal``'s matrix exponential at a base.
    static func makeFrame<Scalar: TensorScalar>() -> Orthogonal<Scalar> {
        Orthogonal<Scalar>(map: .matrixExp)
    }

    /// `Q diag(eigenvalues(diag X)) Qᵀ` with `Q = B · e^A` (see the type's documentation),
    /// differentiable in `x`.
    ///
    /// - Throws: what ``Orthogonal/forward(_:)`` throws (a base of another shape, NaN in `x`).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func value<Scalar: TensorScalar>(
        _ x: Tensor<Scalar>, frame: Orthogonal<Scalar>, eigenvalues: (Tensor<Scalar>) -> Tensor<Scalar>
    ) throws -> Tensor<Scalar> {
        let q = try frame.forward(x)
        return congruence(q, eigenvalues(x.diagonal()))
    }

    /// `Q diag(λ) Qᵀ` for `q` `(…, n, n)` and `λ` `(…, n)`, exactly symmetric, with the pullback
    /// of the type's documentation.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func congruence<Scalar: TensorScalar>(_ q: Tensor<Scalar>, _ lambda: Tensor<Scalar>) -> Tensor<Scalar> {
        var p = symmetricMatrix(eigenvalues: lambda.detached(), eigenvectors: q.detached())
        if let tapeID = Tensor<Scalar>.recordingTapeID(q, lambda) {
            let frame = q.detached(), weights = lambda.detached()
            p.record(tapeID, "congruence", q, lambda) { g in
                let n = frame.shape[frame.rank - 1], batch = Array(frame.shape.dropLast(2))
                let m = matmul(g + g.transposed(), frame)
                let frameBar = m * weights.reshaped(to: batch + [1, n])
                let weightsBar = (frame * m).sum(alongAxes: frame.rank - 2) * Scalar(0.5)
                return (frameBar, weightsBar)
            }
        }
        return p
    }

    /// The base (eigenvectors, eigenvalues ascending as `eigh` and geotorch order them) and the
    /// original `diag(inverse(μ))` of the symmetric part of `p`; `inverse` receives the
    /// eigenvalues `(…, n)`.
    ///
    /// - Throws: ``LinAlgError`` from `eigh`, or what `inverse` throws.
    static func chart<Scalar: TensorScalar>(
        of p: Tensor<Scalar>, inverse: (Tensor<Scalar>) throws -> Tensor<Scalar>
    ) throws -> (base: Tensor<Scalar>, original: Tensor<Scalar>) {
        let p = p.detached()
        let (values, vectors) = try eigh((p + p.transposed()) * Scalar(0.5))
        return (vectors, Tensor.diagonalMatrix(try inverse(values)))
    }

    /// Moves `frame`'s base to the current `Q = B · e^A` of `x` and returns the original of
    /// the same value in the new chart: `diag(diag X)`.
    ///
    /// - Throws: what ``Orthogonal/updateBase(original:)`` throws.
    static func updateBase<Scalar: TensorScalar>(_ frame: inout Orthogonal<Scalar>, original x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        _ = try frame.updateBase(original: x)
        return Tensor.diagonalMatrix(x.detached().diagonal())
    }
}
