/// Matrices with orthonormal columns (tall and square) or rows (wide), as PyTorch's
/// `torch.nn.utils.parametrizations.orthogonal`.
///
/// For an original `X` of shape `(..., m, n)` the value `Q` satisfies `QᵀQ = I` when `m ≥ n`
/// and `QQᵀ = I` when `m < n`. A wide matrix is handled as its transpose (the map runs on the
/// tall `Xᵀ` and the result is transposed back). Batches are independent matrices. Three maps
/// (``Map``) turn the free entries into an orthogonal matrix; all are exactly orthogonal in
/// exact arithmetic and to a few `n·ε` in floating point, and stay so after any number of
/// optimizer steps (the optimizer moves the unconstrained `X`, never `Q`):
///
/// - `.matrixExp`: `A = L − Lᵀ` with `L = tril(X)` (for a tall `X`, `L` padded with zero
///   columns to `n × n`), then `Q = e^A` (the first columns when tall).
/// - `.cayley`: the same `A`, then PyTorch's Cayley map `Q = (I − A/2)⁻¹ (I + A/2)`, computed
///   as `2 (I − A/2)⁻¹ − I` by LinAlg's `cayley(skewOfLowerTriangle:scale:base:)` (square)
///   or `cayley(_:scale:base:)` (tall, on the padded `A`); for a square original the
///   base enters as `B (I − A/2)⁻¹ (I + A/2) = 2 B (I − A/2)⁻¹ − B`: one inverse and one
///   product forward, two products backward.
/// - `.householder`: `Q = H₁ ⋯ H_k · diag(s)` with reflectors from the strictly lower part of
///   `X`, `τᵢ = 2 / (1 + ‖X[i+1:, i]‖²)` (so each `Hᵢ` is exactly a reflection), and
///   `sᵢ = sign(Xᵢᵢ)` (±1; `+1` for 0) choosing each column's sign.
///
/// The free entries are the lower triangle: the strictly upper triangle never enters, and the
/// diagonal cancels in `L − Lᵀ` (or is only read for its sign), so the original's gradient is
/// exactly zero there.
///
/// **Default map** (`map: nil`), as PyTorch: `.matrixExp` for square matrices, `.householder`
/// for tall or wide ones (decided from the shape at registration or the first read).
///
/// **Dynamic trivialisation** (`usesTrivialization: true`, the default; Casado 2019,
/// "Trivializations for gradient-based optimization on manifolds"): the value is
/// `Q = B · map(X)`, with `B` an orthogonal ``base``: the `n × n` matrix for a square original,
/// and for a tall one the `n × k` base point itself, whose `n × n` completion is applied in
/// factored form (Householder vectors, O(n k²); never formed). The right inverse puts the
/// assigned matrix into `B` and returns the original `X₀` whose map is the identity (zeros
/// with −1 on the diagonal); ``updateBase(original:)`` (or `$w.updateBase()`) moves `B` to
/// the current point and resets `X`, leaving the value unchanged, which keeps `X` small so the
/// map stays well conditioned during long training.
///
/// **Right inverse.** Checked: a `Q` farther than ``defaultTolerance(for:)`` from the set
/// throws ``ConstrainedError/Cause/notInImage(_:)`` (assign with `projecting: true` for the
/// polar factor, the nearest point). Only the value given at registration is projected, by its
/// sign-fixed QR factor (R with a non-negative diagonal), as PyTorch's registration does.
/// With trivialisation the square `Q` becomes the `n × n` base, a tall `Q` the `n × k` base.
///
/// **Cost for tall matrices.** With the default `.householder` map, registration, forward,
/// backward, right inverse and ``updateBase(original:)`` are O(n k²) in time and O(n k) in
/// memory: a 30,000 × 50 weight never allocates a 30,000² matrix. `.matrixExp` and `.cayley`
/// exponentiate the `n × n` skew matrix by definition (O(n³)); choose them for square matrices.
/// Without trivialisation only `.householder` has one: the reflectors of `Q`'s QR
/// factorisation with the diagonal set to the signs that reproduce `Q`; for `.matrixExp` and
/// `.cayley` there is none (``ConstrainedError/Cause/noRightInverse``), as in PyTorch.
///
/// ```swift
/// final class Model: Layer {
///     @Constrained(Orthogonal(map: .cayley)) var w = Tensor<Double>.randomNormal([64, 64], seed: 1)
///     @Constrained(Orthogonal()) var tall = Tensor<Double>.randomNormal([100, 20], seed: 2)
/// }
/// let m = Model()
/// try m.$w.updateBase()     // same value, original back to the origin of the chart
/// ```
///
/// - Note: Initialise with ``torusSample(n:batch:map:using:)`` for recurrent kernels (expRNN).
public struct Orthogonal<Scalar: TensorScalar>: Parametrization {
    /// The map from the free entries to an orthogonal matrix.
    public enum Map: String, Sendable, CaseIterable, CustomStringConvertible {
        /// `Q = e^A` for the skew-symmetric `A` built from the lower triangle.
        case matrixExp
        /// `Q = (I − A/2)⁻¹ (I + A/2)` for the same `A` (one LU solve: cheaper than `e^A`).
        case cayley
        /// A product of Householder reflections (cheapest for very tall or wide matrices).
        case householder

        /// The map PyTorch calls `name` (`"matrix_exp"`, `"cayley"`, `"householder"`; the Swift
        /// spellings are accepted too).
        ///
        /// - Throws: ``ConstrainedError`` naming the valid choices for any other name.
        public init(named name: String) throws {
            switch name {
            case "matrix_exp", "matrixExp": self = .matrixExp
            case "cayley": self = .cayley
            case "householder": self = .householder
            default:
                throw ConstrainedError("init", subject: "Orthogonal", cause: .invalidArgument("unknown map \"\(name)\"; expected one of \"matrix_exp\", \"cayley\", \"householder\""))
            }
        }

        /// The Swift spelling of the map's name (`matrixExp`, `cayley`, `householder`).
        public var description: String { rawValue }
    }

    /// The chosen map; `nil` picks PyTorch's default from the shape (see the type's notes).
    public let map: Map?
    /// Whether the value is `base · map(X)` (dynamic trivialisation).
    public var usesTrivialization: Bool { base != nil }
    /// The orthogonal base `B` of dynamic trivialisation, saved with the model as `w.0.base`:
    /// `(..., n, n)` for square originals, `(..., n, k)` (the tall frame, `n = max`, `k = min`
    /// of the original's sizes) for tall and wide ones; an `n × n` base set directly, as
    /// PyTorch stores it, is accepted too. Nil without
    /// trivialisation. Set by the right inverse and ``updateBase(original:)``; the identity
    /// when the original was set directly before any assignment.
    public let base: Buffer<Scalar>?
    /// The shape of the constrained value, fixed by the first right inverse.
    public private(set) var shape: [Int]?
    /// The factors of the tall base, computed once per base value.
    let tallBases = TallBaseCache<Scalar>()
    /// Whether the next right inverse receives the registration's value, which is projected
    /// (by sign-fixed QR, as PyTorch) when it is off the set; later values are checked.
    var isRegistering = false

    /// An orthogonal parametrization with `map` (default: PyTorch's choice by shape) and,
    /// unless `usesTrivialization` is false, a ``base`` for dynamic trivialisation.
    public init(map: Map? = nil, usesTrivialization: Bool = true) {
        self.map = map
        // PyTorch's files hold the n × n completion of a tall base (n × k here): both load.
        self.base = usesTrivialization ? Buffer<Scalar>(loadableShapes: { loaded, current in
            loaded.count == current.count && current.count >= 2
                && loaded.dropLast() == current.dropLast() && loaded.last == current[current.count - 2]
        }) : nil
    }

    /// An orthogonal parametrization with the map PyTorch names `mapName`.
    ///
    /// - Throws: ``ConstrainedError`` for an unknown name.
    public init(mapNamed mapName: String, usesTrivialization: Bool = true) throws {
        self.init(map: try Map(named: mapName), usesTrivialization: usesTrivialization)
    }

    /// The map used for an original of `shape`: ``map``, or PyTorch's default.
    public func resolvedMap(for shape: [Int]) -> Map {
        if let map { return map }
        return shape[shape.count - 1] == shape[shape.count - 2] ? .matrixExp : .householder
    }

    /// `base · map(X)`, transposed back for a wide `X` (see the type's documentation).
    ///
    /// - Throws: ``ConstrainedError`` when `x` is not a (batch of) matrix or does not fit
    ///   the base; `LinAlgError` when `x` holds NaN or infinity.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let layout = try Layout(x.shape)
        let tall = layout.isTransposed ? x.transposed() : x
        if resolvedMap(for: x.shape) == .cayley, layout.n == layout.k, let base {
            // Square: the base folds into the Cayley solve, B (I − A/2)⁻¹(I + A/2) = 2B(I − A/2)⁻¹ − B.
            return try cayley(skewOfLowerTriangle: tall, scale: 0.5, base: try currentBase(base, layout))
        }
        var q: Tensor<Scalar>
        switch resolvedMap(for: x.shape) {
        case .matrixExp, .cayley:
            q = try Self.skewMap(tall, layout, map: resolvedMap(for: x.shape), fullSquare: false)
        case .householder:
            q = try Self.householderMap(tall, layout, fullSquare: false)
        }
        if let base { q = try applyBase(try currentBase(base, layout), to: q, layout) }
        return layout.isTransposed ? q.transposed() : q
    }

    /// An original whose value is `y` (see "Right inverse" in the type's documentation).
    ///
    /// - Throws: ``ConstrainedError`` for a vector or a shape other than the registered
    ///   one; ``ConstrainedError/Cause/noRightInverse`` for `.matrixExp`/`.cayley` without
    ///   trivialisation; `LinAlgError` when `y` holds NaN or infinity.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let layout = try Layout(y.shape)
        if let shape, shape != y.shape {
            throw ConstrainedError("rightInverse", subject: "Orthogonal", shape: y.shape, cause: .shapeMismatch(expected: shape, found: y.shape))
        }
        let registering = isRegistering
        let tall = try admitting(layout.isTransposed ? y.transposed() : y, layout, projectingIfOff: registering)
        isRegistering = false
        guard let base else {
            guard resolvedMap(for: y.shape) == .householder else {
                throw ConstrainedError("rightInverse", subject: "Orthogonal(map: .\(resolvedMap(for: y.shape)), usesTrivialization: false)", shape: y.shape, cause: .noRightInverse)
            }
            let reflectors = try Self.signedReflectors(tall, layout)
            shape = y.shape
            return layout.isTransposed ? reflectors.transposed() : reflectors
        }
        // Square: the n × n base. Tall: the n × k point itself (never an n × n completion).
        base.wrappedValue = tall.detached()
        shape = y.shape
        return Self.chartOrigin(y.shape)
    }

    /// Moves the base to the current point, `B ← B · map(X)` (the full `n × n` map; for a tall
    /// original the new `n × k` base is the current value itself), and
    /// returns the new original, the chart's origin (zeros with −1 on the diagonal), whose
    /// value is the same `Q` up to rounding.
    ///
    /// Call it through the property, which also stores the new original: `try $w.updateBase()`.
    ///
    /// - Throws: ``ConstrainedError`` without trivialisation or for a wrong shape.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func updateBase(original x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        guard let base else {
            throw ConstrainedError("updateBase", subject: "Orthogonal", shape: x.shape, cause: .invalidArgument("updateBase() needs dynamic trivialization (usesTrivialization: true)"))
        }
        let layout = try Layout(x.shape)
        return try withoutRecording {
            let x = x.detached()
            let tall = layout.isTransposed ? x.transposed() : x
            if layout.n != layout.k {
                // Tall: the new base is the current point, n × k (the chart's completion
                // follows from it), so no n × n matrix is formed.
                var q: Tensor<Scalar>
                switch resolvedMap(for: x.shape) {
                case .matrixExp, .cayley:
                    q = try Self.skewMap(tall, layout, map: resolvedMap(for: x.shape), fullSquare: false)
                case .householder:
                    q = try Self.householderMap(tall, layout, fullSquare: false)
                }
                q = try applyBase(try currentBase(base, layout), to: q, layout)
                base.wrappedValue = q
                shape = x.shape
                return Self.chartOrigin(x.shape)
            }
            let full: Tensor<Scalar>
            switch resolvedMap(for: x.shape) {
            case .matrixExp, .cayley:
                full = try Self.skewMap(tall, layout, map: resolvedMap(for: x.shape), fullSquare: true)
            case .householder:
                full = try Self.householderMap(tall, layout, fullSquare: true)
            }
            base.wrappedValue = matmul(try currentBase(base, layout), full)
            shape = x.shape
            return Self.chartOrigin(x.shape)
        }
    }
}

// MARK: - The maps

extension Orthogonal {
    /// The shape facts of an original `(..., rows, columns)`: `n ≥ k` are the tall sizes.
    struct Layout {
        let batch: [Int]
        let n: Int
        let k: Int
        let isTransposed: Bool

        init(_ shape: [Int], operation: String = "forward") throws {
            guard shape.count >= 2 else {
                throw ConstrainedError(operation, subject: "Orthogonal", shape: shape, cause: .invalidShape("expected a matrix or a batch of matrices (..., m, n); use SpectralNorm or a norm for vectors"))
            }
            let rows = shape[shape.count - 2], columns = shape[shape.count - 1]
            batch = Array(shape.dropLast(2))
            n = Swift.max(rows, columns)
            k = Swift.min(rows, columns)
            isTransposed = rows < columns
        }
    }

    /// The base for `layout`, set to the identity if it has no value yet (the original was
    /// set directly, without a right inverse).
    /// A tall original's base is `(..., n, k)` (the point; see `Orthogonal+TallBase.swift`)
    /// or, when set directly as PyTorch stores it, `(..., n, n)`.
    func currentBase(_ base: Buffer<Scalar>, _ layout: Layout) throws -> Tensor<Scalar> {
        let square = layout.batch + [layout.n, layout.n], tall = layout.batch + [layout.n, layout.k]
        guard let b = base.storedValue else {
            let identity = Tensor<Scalar>.eye(rows: layout.n, columns: layout.k, batch: layout.batch)
            base.wrappedValue = identity
            return identity
        }
        guard b.shape == square || b.shape == tall else {
            throw ConstrainedError("forward", subject: "Orthogonal", key: "base", shape: b.shape, cause: .shapeMismatch(expected: tall, found: b.shape))
        }
        return b
    }

    /// `B · q` for an `n × n` base, `B̂ · q` for a tall one (O(n k²), no `n × n` matrix).
    func applyBase(_ b: Tensor<Scalar>, to q: Tensor<Scalar>, _ layout: Layout) throws -> Tensor<Scalar> {
        if b.shape[b.rank - 1] == layout.n { return matmul(b, q) }
        return Self.applyTallBase(try tallBases.factors(of: b), to: q)
    }

    /// `e^A` or `(I − A/2)⁻¹(I + A/2)` for `A = L − Lᵀ`, `L = tril(X)` padded to `n × n`;
    /// the first `k` columns unless `fullSquare`.
    static func skewMap(_ tall: Tensor<Scalar>, _ layout: Layout, map: Map, fullSquare: Bool) throws -> Tensor<Scalar> {
        let n = layout.n, k = layout.k
        if map == .cayley && n == k { return try cayley(skewOfLowerTriangle: tall, scale: 0.5) }
        var lower = tall.tril()
        if n != k { lower = padColumns(lower, to: n) }
        let a = lower - lower.transposed()
        // For Cayley, (I − A/2) has eigenvalues 1 − iθ/2 for A's iθ: never singular,
        // ‖(I − A/2)⁻¹‖₂ ≤ 1.
        var q = map == .matrixExp ? try matrixExp(a) : try cayley(a, scale: 0.5)
        if n != k && !fullSquare { q = q.slice(0..<k, alongAxis: q.rank - 1) }
        return q
    }

    /// `H₁ ⋯ H_k diag(s)` from the strictly lower part of `X` (first `k` columns, or the full
    /// `n × n` product when `fullSquare`).
    static func householderMap(_ tall: Tensor<Scalar>, _ layout: Layout, fullSquare: Bool) throws -> Tensor<Scalar> {
        let n = layout.n, k = layout.k
        let v = tall.tril(-1)
        // τᵢ = 2 / ‖vᵢ‖² with vᵢ = (0, …, 1, X[i+1:, i]): the column sums of v ⊙ v, plus the 1.
        let tau = 2 / (1 + (v * v).sum(alongAxes: v.rank - 2))
        let reflectors = fullSquare && n != k ? padColumns(v, to: n) : v
        let q = try householderProduct(reflectors, tau: tau)
        // The signs are locally constant: not differentiated (the diagonal's gradient is zero).
        let width = fullSquare ? n : k
        let signs = withoutRecording { () -> Tensor<Scalar> in
            let d = tall.detached().diagonal()
            return Tensor<Scalar>(shape: layout.batch + [1, width]) { out in
                d.withUnsafeBufferPointer { p in
                    let count = Shape.count(of: layout.batch)
                    for b in 0..<count {
                        for j in 0..<width { out[b * width + j] = j < k && p[b * k + j] < 0 ? -1 : 1 }
                    }
                }
            }
        }
        return q * signs
    }

    /// Zeros with −1 on the diagonal: the original whose map is the identity (`e⁰`, Cayley of
    /// 0, and, for Householder, `k` reflections through the axes undone by the signs −1).
    static func chartOrigin(_ shape: [Int]) -> Tensor<Scalar> {
        Tensor<Scalar>.eye(rows: shape[shape.count - 2], columns: shape[shape.count - 1],
                           batch: Array(shape.dropLast(2))) * -1
    }

    /// `a` with zero columns appended up to `columns` (differentiable).
    static func padColumns(_ a: Tensor<Scalar>, to columns: Int) -> Tensor<Scalar> {
        var sizes = [(before: Int, after: Int)](repeating: (0, 0), count: a.rank)
        sizes[a.rank - 1] = (0, columns - a.shape[a.rank - 1])
        return a.padded(forSizes: sizes)
    }

    /// The Householder reflectors of `Q`'s QR factorisation (`geqrf`) with the diagonal set to
    /// the signs that make ``householderMap(_:_:fullSquare:)`` return the sign-fixed Q factor
    /// (`Q` itself when it is orthogonal), as PyTorch's right inverse without trivialisation.
    ///
    /// The forward's `τᵢ = 2/‖vᵢ‖²` equals LAPACK's for every real reflection; where LAPACK
    /// skipped one (`τᵢ = 0`, column already on the axis) the forward reflects anyway
    /// (`τ = 2` for `vᵢ = eᵢ`), which flips column `i`: the sign compensates.
    static func signedReflectors(_ tall: Tensor<Scalar>, _ layout: Layout) throws -> Tensor<Scalar> {
        let n = layout.n, k = layout.k
        let count = Shape.count(of: layout.batch)
        var work = [Scalar](repeating: 0, count: n * k)
        var tau = [Scalar](repeating: 0, count: k)
        let source = tall.detached()
        return try Tensor<Scalar>(shape: source.shape) { out in
            try source.withUnsafeBufferPointer { p in
                for b in 0..<count {
                    let a = p.baseAddress! + b * n * k
                    // Column-major n × k for LAPACK (our row-major buffer is its transpose).
                    for i in 0..<n { for j in 0..<k { work[j * n + i] = a[i * k + j] } }
                    let info = work.withUnsafeMutableBufferPointer { w in
                        tau.withUnsafeMutableBufferPointer { t in
                            Scalar.geqrf(m: Int32(n), n: Int32(k), a: w.baseAddress!, lda: Int32(n), tau: t.baseAddress!)
                        }
                    }
                    guard info == 0 else {
                        throw LinAlgError(operation: "Orthogonal.rightInverse (geqrf)", shape: source.shape,
                                          cause: .lapack(routine: "geqrf", info: Int(info)))
                    }
                    let o = b * n * k
                    for i in 0..<n { for j in 0..<k { out[o + i * k + j] = work[j * n + i] } }
                    for i in 0..<k {
                        var sign: Scalar = out[o + i * k + i] < 0 ? -1 : 1
                        if tau[i] == 0 { sign = -sign }
                        out[o + i * k + i] = sign
                    }
                }
            }
        }
    }
}
