/// Spectral normalisation: `forward(W) = W / σ(W)`, with `σ` the largest singular value
/// estimated by power iteration, as PyTorch's `torch.nn.utils.parametrizations.spectral_norm`
/// (Miyato et al. 2018).
///
/// A tensor of rank ≥ 2 is viewed as the matrix `M` of shape `(W.shape[dim], rest)`: axis
/// `dim` first, the other axes flattened in order (PyTorch's `dim`: 0 for linear and
/// convolution weights, 1 for transposed convolutions). The buffers ``u`` (length
/// `W.shape[dim]`) and ``v`` hold the current estimates of the leading singular vectors, and
/// `σ = uᵀ M v`.
///
/// - **Warm-up:** when the buffers are first needed (at registration, which runs the right
///   inverse on the initial value, or at the first read), they start from normalised random
///   vectors and run 15 power iterations.
/// - **Training mode:** every recomputation of the value (once per optimizer step, thanks to
///   the cache) first runs ``powerIterations`` iterations `u ← M v / ‖M v‖`,
///   `v ← Mᵀ u / ‖Mᵀ u‖`, updating the buffers **in place**. The cache records the buffers'
///   versions after the evaluation, so this update does not invalidate the value it produced.
///   The iteration is not differentiated (u and v are constants of the value's graph, as in
///   PyTorch, whose gradient is that of `W / (uᵀ M v)` at fixed u, v).
/// - **Evaluation mode:** no iteration: the value uses the current u, v, so it equals the
///   last training value for the same `W`, and u, v do not change.
/// - **Vectors** (rank 1): exact, `W / max(‖W‖, eps)`, with no buffers used.
///
/// Norms are clamped below by `eps` (`x / max(‖x‖, eps)`) so a zero weight gives zero, not NaN.
///
/// ```swift
/// final class Critic: Layer {
///     @Constrained(SpectralNorm()) var weight = Tensor<Double>.randomNormal([4, 3], seed: 1)
/// }
/// ```
///
/// **Right inverse:** `W` itself (as PyTorch): assigning `W` makes the value `W / σ(W)`.
public struct SpectralNorm<Scalar: TensorScalar>: Parametrization {
    /// The axis of the output features, moved first to form the matrix.
    public let dim: Int
    /// The lower bound of the norms divided by.
    public let eps: Scalar
    /// Power iterations per recomputation in training mode.
    public let powerIterations: Int
    /// Iterations run when the buffers are initialised.
    public static var warmUpIterations: Int { 15 }
    /// The left singular vector estimate, of length `W.shape[dim]` (`w.0.u`).
    @Buffer public var u: Tensor<Scalar>
    /// The right singular vector estimate, of length `W.count / W.shape[dim]` (`w.0.v`).
    @Buffer public var v: Tensor<Scalar>
    /// Whether to iterate on recomputation (training mode).
    public private(set) var isTraining = true
    /// Seeds the random start of u and v.
    let seed: UInt64

    /// Spectral normalisation along `dim`, with `powerIterations` per training recomputation.
    ///
    /// - Precondition: `powerIterations > 0` (as PyTorch).
    public init(dim: Int = 0, eps: Scalar = 1e-12, powerIterations: Int = 1, seed: UInt64 = 0x5bec_7a1) {
        precondition(powerIterations > 0, "SpectralNorm: powerIterations must be positive, got \(powerIterations)")
        self.dim = dim
        self.eps = eps
        self.powerIterations = powerIterations
        self.seed = seed
        _u = Buffer()
        _v = Buffer()
    }

    /// `W / σ(W)` (see the type's documentation).
    ///
    /// - Throws: ``ConstrainedError`` when `dim` is out of range for `W`'s shape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ weight: Tensor<Scalar>) throws -> Tensor<Scalar> {
        if weight.rank == 1 {
            return weight / clampedNorm(weight)
        }
        let layout = try MatrixView(weight.shape, dim: dim)
        let w = weight.detached()
        try prepareVectors(w, layout)
        if isTraining { iterate(w, layout, times: powerIterations) }
        return Self.normalize(weight, by: layout.outerProduct(u, v))
    }

    /// `W / σ` with `σ = Σ W ⊙ T = uᵀ M v`, where `T` is the outer product `u vᵀ` laid out as
    /// `W` (the permutation to the matrix view is applied to the constant `T`, not to `W`).
    ///
    /// One tape node with the fused pullback `W̄ = Ḡ/σ − (Σ Ḡ ⊙ W / σ²) T` (the quotient rule,
    /// u and v held fixed as in PyTorch): two passes over `W`, where composing `*`, `sum` and
    /// `/` would record three nodes and make the tape add two cotangents of `W`.
    static func normalize(_ weight: Tensor<Scalar>, by outer: Tensor<Scalar>) -> Tensor<Scalar> {
        let w = weight.detached()
        var sigma: Scalar = 0
        w.withUnsafeBufferPointer { pw in
            outer.withUnsafeBufferPointer { pt in
                for i in pw.indices { sigma += pw[i] * pt[i] }
            }
        }
        let inverse = 1 / sigma
        var out = w * inverse
        if let tapeID = Tensor.recordingTapeID(weight) {
            out.record(tapeID, "spectralNormalize", weight) { g in
                var projection: Scalar = 0
                g.withUnsafeBufferPointer { pg in
                    w.withUnsafeBufferPointer { pw in
                        for i in pg.indices { projection += pg[i] * pw[i] }
                    }
                }
                let scale = projection * inverse * inverse
                return Tensor<Scalar>(shape: w.shape) { dw in
                    g.withUnsafeBufferPointer { pg in
                        outer.withUnsafeBufferPointer { pt in
                            for i in dw.indices { dw[i] = pg[i] * inverse - scale * pt[i] }
                        }
                    }
                }
            }
        }
        return out
    }

    /// `W` (the value of the assignment is `W / σ(W)`); starts the buffers with the warm-up
    /// iterations on `W` if they are not set yet (registration).
    ///
    /// - Throws: ``ConstrainedError`` when `dim` is out of range.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        guard y.rank > 1 else { return y }
        try prepareVectors(y.detached(), try MatrixView(y.shape, dim: dim))
        return y
    }

    /// Training (`true`): iterate on recomputation; evaluation (`false`): don't.
    public mutating func setTraining(_ isTraining: Bool) {
        self.isTraining = isTraining
    }

    /// `max(‖x‖, eps)` as a tracked scalar tensor.
    func clampedNorm(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        let norm = x.norm()
        return norm.scalars[0] < eps ? Tensor(eps) : norm
    }

    /// Starts u and v (random, normalised, then the warm-up) unless they fit `layout` already.
    func prepareVectors(_ w: Tensor<Scalar>, _ layout: MatrixView) throws {
        if let u0 = $u.storedValue, let v0 = $v.storedValue,
           u0.shape == [layout.rows], v0.shape == [layout.columns] { return }
        u = normalized(Tensor<Scalar>.randomNormal([layout.rows], seed: seed))
        v = normalized(Tensor<Scalar>.randomNormal([layout.columns], seed: seed &+ 1))
        iterate(w, layout, times: Self.warmUpIterations)
    }

    func normalized(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        var x = x
        x.withUnsafeMutableBufferPointer { Self.normalize($0, eps: eps) }
        return x
    }

    static func normalize(_ x: UnsafeMutableBufferPointer<Scalar>, eps: Scalar) {
        var sum: Scalar = 0
        for value in x { sum += value * value }
        let scale = 1 / Swift.max(sum.squareRoot(), eps)
        for i in x.indices { x[i] *= scale }
    }

    /// `times` power iterations on the matrix view of `w`, updating u and v in place (their
    /// versions change, their storages stay).
    func iterate(_ w: Tensor<Scalar>, _ layout: MatrixView, times: Int) {
        guard times > 0 else { return }
        let eps = eps
        w.withUnsafeBufferPointer { pw in
            $u.modify { u in
                $v.modify { v in
                    u.withUnsafeMutableBufferPointer { pu in
                        v.withUnsafeMutableBufferPointer { pv in
                            for _ in 0..<times {
                                layout.multiply(pw, pv, into: pu)          // u ← M v
                                Self.normalize(pu, eps: eps)
                                layout.multiplyTransposed(pw, pu, into: pv) // v ← Mᵀ u
                                Self.normalize(pv, eps: eps)
                            }
                        }
                    }
                }
            }
        }
    }
}

extension SpectralNorm {
    /// The matrix view `M[i, p·post + q] = W[p, i, q]` of a tensor reshaped to
    /// `(pre, W.shape[dim], post)`: axis `dim` first, the others flattened in order (PyTorch's
    /// `permute(dim, …).flatten(1)`), read in place without copying.
    struct MatrixView {
        let shape: [Int]
        let pre: Int
        let rows: Int
        let post: Int
        var columns: Int { pre * post }

        init(_ shape: [Int], dim: Int) throws {
            let rank = shape.count
            guard dim >= -rank && dim < rank else {
                throw ConstrainedError("forward", subject: "SpectralNorm", shape: shape, cause: .invalidArgument("dim \(dim) is out of range (expected -\(rank)...\(rank - 1))"))
            }
            let d = dim < 0 ? dim + rank : dim
            self.shape = shape
            pre = shape[..<d].reduce(1, *)
            rows = shape[d]
            post = shape[(d + 1)...].reduce(1, *)
        }

        /// `u ← M v`: one GEMV per block `W[p]` (`rows × post`, row-major), accumulated.
        func multiply(_ w: UnsafeBufferPointer<Scalar>, _ v: UnsafeMutableBufferPointer<Scalar>,
                      into u: UnsafeMutableBufferPointer<Scalar>) {
            for i in 0..<rows { u[i] = 0 }
            guard rows > 0, post > 0 else { return }
            for p in 0..<pre {
                Scalar.gemv(trans: false, m: rows, n: post, alpha: 1, a: w.baseAddress! + p * rows * post,
                            lda: post, x: v.baseAddress! + p * post, incx: 1, beta: 1,
                            y: u.baseAddress!, incy: 1)
            }
        }

        /// `v ← Mᵀ u`: block `p` of `v` is `W[p]ᵀ u`.
        func multiplyTransposed(_ w: UnsafeBufferPointer<Scalar>, _ u: UnsafeMutableBufferPointer<Scalar>,
                                into v: UnsafeMutableBufferPointer<Scalar>) {
            guard rows > 0, post > 0 else {
                for c in 0..<columns { v[c] = 0 }
                return
            }
            for p in 0..<pre {
                Scalar.gemv(trans: true, m: rows, n: post, alpha: 1, a: w.baseAddress! + p * rows * post,
                            lda: post, x: u.baseAddress!, incx: 1, beta: 0,
                            y: v.baseAddress! + p * post, incy: 1)
            }
        }

        /// `u vᵀ` laid out in the tensor's shape: `T[p, i, q] = u[i] v[p·post + q]`.
        func outerProduct(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>) -> Tensor<Scalar> {
            Tensor<Scalar>(shape: shape) { out in
                u.withUnsafeBufferPointer { pu in
                    v.withUnsafeBufferPointer { pv in
                        for p in 0..<pre {
                            for i in 0..<rows {
                                let row = (p * rows + i) * post, ui = pu[i]
                                for q in 0..<post { out[row + q] = ui * pv[p * post + q] }
                            }
                        }
                    }
                }
            }
        }
    }
}
