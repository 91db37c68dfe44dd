/// Spectral normalisation: `forward(W) = W / σ(W)`, with `σ` the largest singular value
/// estimated by power iteration, as PyTorch's `torch.nn.utils.parametrizations.spectral_norm`
/// (Miyato et al. 2018), or computed exactly by an SVD (``exact(dim:eps:)``).
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
///   last training value for the same `W`, and u, v do not change (unless they are
///   degenerate, below).
/// - **Degenerate vectors are re-seeded.** When `M v` or `Mᵀ u` vanishes (below `eps`) or is
///   not finite, as for a zero weight, or when u, v are zero or not finite (loaded so, or left
///   so by a zero weight), the iteration marks them degenerate (zero); the next evaluation, in
///   either mode, starts them again from the random seed and runs the warm-up on the current
///   `W`. So a property that starts at zero reads zero, and after its first non-zero value
///   (an assignment or an optimizer step) it is normalised as if it had started there.
///   (PyTorch's vectors stay zero forever from a zero start and its value is NaN.)
/// - **σ ≤ eps** (the zero matrix, or a vector of norm below `eps`): the value is `W` itself,
///   with the identity's gradient, so gradient descent leaves zero along `−∂L/∂value`
///   rather than dividing by zero (NaN) or by `eps` (a gradient of size `1/eps`).
/// - **Vectors** (rank 1): exact, `W / ‖W‖`, with no buffers used.
///
/// **Accuracy of the power iteration.** The estimate is at most σ, so the value's spectral
/// norm is at least 1, and above 1 by the estimate's lag behind a moving `W`: on the seed
/// example (a `Linear(3, 4)` fitting a target of σ = 1), over 1000 Adam steps at learning
/// rate 0.01 with one iteration per step, the largest σ(value) measured by an SVD is 1.0002
/// (`Docs/Catalogue.md` has the measurements). Where σ must be exact, use ``exact(dim:eps:)``.
///
/// ```swift
/// final class Critic: Layer {
///     @Constrained(SpectralNorm()) var weight = Tensor<Double>.randomNormal([4, 3], seed: 1)
///     @Constrained(SpectralNorm.exact()) var head = Tensor<Double>.randomNormal([2, 4], seed: 2)
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
    /// Whether σ is computed exactly by an SVD of the matrix view (``exact(dim:eps:)``)
    /// instead of estimated by power iteration.
    public private(set) var isExact = false
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

    /// Spectral normalisation along `dim` with the exact σ: `W / σ₁(M)`, `σ₁` the largest
    /// singular value of the matrix view `M`, from an SVD on every recomputation, in both
    /// modes.
    ///
    /// The gradient is exact: `∂σ₁/∂M = u₁ v₁ᵀ` (the leading singular pair, which needs
    /// `σ₁ > σ₂`), so `W̄ = Ḡ/σ₁ − (Σ Ḡ ⊙ W / σ₁²) u₁ v₁ᵀ`. The buffers ``u``, ``v`` hold
    /// `u₁`, `v₁` after each evaluation. An SVD costs `O(m n min(m, n))` per step, against
    /// `O(m n)` for one power iteration: use it for small matrices, or where the estimate's
    /// lag (see the type's documentation) matters.
    ///
    /// ```swift
    /// @Constrained(SpectralNorm.exact()) var w = Tensor<Double>.randomNormal([4, 3], seed: 1)
    /// ```
    public static func exact(dim: Int = 0, eps: Scalar = 1e-12) -> SpectralNorm {
        var p = SpectralNorm(dim: dim, eps: eps)
        p.isExact = true
        return p
    }

    /// `W / σ(W)` (see the type's documentation).
    ///
    /// - Throws: ``ConstrainedError`` when `dim` is out of range for `W`'s shape;
    ///   in exact mode, what the SVD throws (a weight holding NaN or infinity).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ weight: Tensor<Scalar>) throws -> Tensor<Scalar> {
        if weight.rank == 1 {
            let norm = weight.norm()
            return norm.scalars[0] <= eps ? weight : weight / norm
        }
        let layout = try MatrixView(weight.shape, dim: dim)
        let w = weight.detached()
        if isExact {
            let (u1, v1) = try layout.leadingSingularVectors(w)
            u = u1
            v = v1
            return Self.normalize(weight, by: layout.outerProduct(u1, v1), eps: eps)
        }
        try prepareVectors(w, layout)
        if isTraining { iterate(w, layout, times: powerIterations) }
        return Self.normalize(weight, by: layout.outerProduct(u, v), eps: eps)
    }

    /// `W / σ` with `σ = Σ W ⊙ T = uᵀ M v`, where `T` is the outer product `u vᵀ` laid out as
    /// `W` (the permutation to the matrix view is applied to the constant `T`, not to `W`).
    ///
    /// One tape node with the fused pullback `W̄ = Ḡ/σ − (Σ Ḡ ⊙ W / σ²) T` (the quotient rule,
    /// u and v held fixed as in PyTorch): two passes over `W`, where composing `*`, `sum` and
    /// `/` would record three nodes and make the tape add two cotangents of `W`.
    ///
    /// When `σ ≤ eps` (a zero weight, or degenerate u, v that could not be re-seeded because
    /// the weight is zero), the value is `weight` itself, with the identity's gradient.
    static func normalize(_ weight: Tensor<Scalar>, by outer: Tensor<Scalar>, eps: Scalar) -> Tensor<Scalar> {
        let w = weight.detached()
        var sigma: Scalar = 0
        w.withUnsafeBufferPointer { pw in
            outer.withUnsafeBufferPointer { pt in
                for i in pw.indices { sigma += pw[i] * pt[i] }
            }
        }
        guard abs(sigma) > eps else { return weight }
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

    /// Accepts a vector, or a tensor of rank ≥ 2 for which `dim` is in range.
    ///
    /// - Throws: ``ConstrainedError`` with cause ``ConstrainedError/Cause/invalidArgument(_:)``
    ///   when `dim` is out of range for `shape`.
    public func register(shape: [Int]) throws {
        if shape.count > 1 { _ = try MatrixView(shape, dim: dim, operation: "register") }
    }

    /// Training (`true`): iterate on recomputation; evaluation (`false`): don't.
    public mutating func setTraining(_ isTraining: Bool) {
        self.isTraining = isTraining
    }

    /// Starts u and v (random, normalised, then the warm-up on `w`) unless they fit
    /// `layout` already and are usable: unit vectors, finite (a degenerate pair, which the
    /// iteration leaves at zero, is re-seeded here).
    func prepareVectors(_ w: Tensor<Scalar>, _ layout: MatrixView) throws {
        if let u0 = $u.storedValue, let v0 = $v.storedValue,
           u0.shape == [layout.rows], v0.shape == [layout.columns],
           Self.isUsable(u0, eps: eps), Self.isUsable(v0, eps: eps) { return }
        u = Self.normalized(Tensor<Scalar>.randomNormal([layout.rows], seed: seed), eps: eps)
        v = Self.normalized(Tensor<Scalar>.randomNormal([layout.columns], seed: seed &+ 1), eps: eps)
        iterate(w, layout, times: Self.warmUpIterations)
    }

    /// Whether `x` is finite with a norm above `eps`: a vector the power iteration can use.
    static func isUsable(_ x: Tensor<Scalar>, eps: Scalar) -> Bool {
        x.withUnsafeBufferPointer { Self.finiteNorm($0) }.map { $0 > eps } ?? false
    }

    /// `‖x‖`, or nil when it is not finite.
    static func finiteNorm(_ x: UnsafeBufferPointer<Scalar>) -> Scalar? {
        var sum: Scalar = 0
        for value in x { sum += value * value }
        return sum.isFinite ? sum.squareRoot() : nil
    }

    static func normalized(_ x: Tensor<Scalar>, eps: Scalar) -> Tensor<Scalar> {
        var x = x
        x.withUnsafeMutableBufferPointer { _ = Self.normalize($0, eps: eps) }
        return x
    }

    /// Scales `x` to unit norm and returns true; sets it to zero (the degenerate marker) and
    /// returns false when its norm is at most `eps` or not finite.
    static func normalize(_ x: UnsafeMutableBufferPointer<Scalar>, eps: Scalar) -> Bool {
        guard let norm = finiteNorm(UnsafeBufferPointer(x)), norm > eps else {
            for i in x.indices { x[i] = 0 }
            return false
        }
        let scale = 1 / norm
        for i in x.indices { x[i] *= scale }
        return true
    }

    /// `times` power iterations on the matrix view of `w`, updating u and v in place (their
    /// versions change, their storages stay). Stops at a degenerate step (`M v` or `Mᵀ u` of
    /// norm ≤ eps, or not finite), leaving both vectors zero, so that the next evaluation
    /// re-seeds them.
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
                                guard Self.normalize(pu, eps: eps) else {
                                    for i in pv.indices { pv[i] = 0 }
                                    return
                                }
                                layout.multiplyTransposed(pw, pu, into: pv) // v ← Mᵀ u
                                guard Self.normalize(pv, eps: eps) else {
                                    for i in pu.indices { pu[i] = 0 }
                                    return
                                }
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

        init(_ shape: [Int], dim: Int, operation: String = "forward") throws {
            let rank = shape.count
            guard dim >= -rank && dim < rank else {
                throw ConstrainedError(operation, subject: "SpectralNorm", shape: shape, cause: .invalidArgument("dim \(dim) is out of range (expected -\(rank)...\(rank - 1))"))
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

        /// The leading singular pair `(u₁, v₁)` of the matrix view of `w`, by an SVD of a
        /// copy laid out as `M` (`rows × columns`).
        func leadingSingularVectors(_ w: Tensor<Scalar>) throws -> (Tensor<Scalar>, Tensor<Scalar>) {
            let m = Tensor<Scalar>(shape: [rows, columns]) { out in
                w.withUnsafeBufferPointer { pw in
                    for p in 0..<pre {
                        for i in 0..<rows {
                            for q in 0..<post { out[i * columns + p * post + q] = pw[(p * rows + i) * post + q] }
                        }
                    }
                }
            }
            let (u, _, vt) = try svd(m)
            let k = Swift.min(rows, columns)
            let u1 = Tensor<Scalar>(shape: [rows]) { out in
                u.withUnsafeBufferPointer { pu in for i in 0..<rows { out[i] = pu[i * k] } }
            }
            let v1 = Tensor<Scalar>(shape: [columns]) { out in
                vt.withUnsafeBufferPointer { pv in for c in 0..<columns { out[c] = pv[c] } }
            }
            return (u1, v1)
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
