/// Cholesky factors of correlation matrices, `(…, n, n)`: lower triangular `L` with rows of
/// unit norm and a positive diagonal (so `L Lᵀ` has a unit diagonal), through the LKJ
/// (Lewandowski–Kurowicka–Joe) bijection of partial correlations, as
/// `torch.distributions.transform_to(corr_cholesky)`.
///
/// - Map: `z = tanh(tril(X, −1))` (partial correlations in (−1, 1)); then, row by row,
///   `Lᵢⱼ = zᵢⱼ · ∏_{k<j} √(1 − zᵢₖ²)` for `j < i` and `Lᵢᵢ = ∏_{k<i} √(1 − zᵢₖ²)`. The products
///   are one GEMM in log space, `C = W · triu(1, 1)` with `W = ½ log1p(−z²)`, so the map is
///   O(n³) in GEMM and differentiable through tensor ops. The upper triangle and diagonal of
///   `X` are not read (zero gradient).
/// - Right inverse (checked): `zᵢⱼ = Lᵢⱼ / √(1 − Σ_{k<j} Lᵢₖ²)`, `X = atanh(z)` (z clamped to
///   `|z| ≤ 1 − ε` so that the inverse is finite).
/// - Deviation: the largest of `|Lᵢⱼ|` above the diagonal, `|‖Lᵢ‖ − 1|` and `−Lᵢᵢ`; tolerance
///   `10 · n · ε`.
/// - Projection: `Y` itself on the set; otherwise `tril(Y)` with each row normalised (the
///   nearest point when the diagonal is positive), a diagonal below `√ε` raised to `√ε`.
/// - Sample: each row a normalised standard normal vector with a positive last entry (uniform on
///   the product of half-spheres; not the LKJ(η) distribution).
///
/// ```swift
/// @Constrained(CorrelationCholesky()) var factor = Tensor<Double>.eye(4)
/// ```
public struct CorrelationCholesky<Scalar: TensorScalar>: Manifold {
    /// The registered shape.
    public private(set) var shape: [Int]?
    var isRegistering = false

    /// Cholesky factors of correlation matrices.
    public init() {}

    /// `CorrelationCholesky(n: 4)` once registered.
    public var description: String {
        guard let n = shape?.last else { return "CorrelationCholesky" }
        return "CorrelationCholesky(n: \(n))"
    }

    /// Checks that `shape` is a (batch of) square matrix.
    public mutating func register(shape: [Int]) throws {
        try ConstrainedError.requireSquare(description, shape, operation: "register")
        self.shape = shape
        isRegistering = true
    }

    /// The LKJ map of `tanh(tril(X, −1))`.
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, x.shape)
        let n = x.shape[x.rank - 1]
        let z = tanh(x.tril(-1))
        let w = log1p(-(z * z)) * Scalar(0.5)
        let strictlyUpperOnes = Tensor<Scalar>.ones([n, n]).triu(1)
        let e = exp(matmul(w, strictlyUpperOnes))
        return (z * e).tril(-1) + Tensor.diagonalMatrix(e.diagonal())
    }

    /// `atanh` of the partial correlations of `L` (checked).
    public mutating func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, y.shape, operation: "assign")
        if let shape, shape != y.shape {
            throw ConstrainedError("assign", subject: description, shape: y.shape, cause: .shapeMismatch(expected: shape, found: y.shape))
        }
        let l = try admitting(y.detached(), projectingIfOff: isRegistering, projected: projection)
        isRegistering = false
        shape = y.shape
        let n = y.shape[y.rank - 1]
        let limit = 1 - Scalar.ulpOfOne
        var out = [Scalar](repeating: 0, count: l.scalarCount)
        let values = l.scalars
        for b in 0..<(values.count / (n * n)) {
            for i in 0..<n {
                var remaining: Scalar = 1
                for j in 0..<i {
                    let v = values[b * n * n + i * n + j]
                    let z = v / Swift.max(remaining, Scalar.leastNormalMagnitude).squareRoot()
                    out[b * n * n + i * n + j] = Scalar.atanh(Swift.min(Swift.max(z, -limit), limit))
                    remaining -= v * v
                }
            }
        }
        return Tensor(shape: y.shape, scalars: out)
    }

    /// `max(max |triu(L, 1)|, max |‖Lᵢ‖ − 1|, max(−Lᵢᵢ))`.
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        try ConstrainedError.requireSquare(description, y.shape, operation: "contains")
        let y = y.detached()
        let upper = y.triu(1).maxMagnitude
        let norms = (y.norm(alongAxes: [y.rank - 1]) - 1).maxMagnitude
        let negative = y.diagonal().scalars.reduce(Scalar(0)) { Swift.max($0, -$1) }
        return Swift.max(upper, norms, negative)
    }

    /// `10 · n · ε`.
    public func defaultTolerance(for shape: [Int]) -> Scalar {
        10 * Scalar(shape.last ?? 1) * Scalar.ulpOfOne
    }

    /// `y` when it is on the set with a diagonal of at least `√ε / 2`; otherwise `tril(Y)` with
    /// rows normalised, and a row whose diagonal is then below `√ε` gets the diagonal `√ε` and
    /// its other entries scaled to norm `√(1 − ε)` (so that projecting again changes nothing).
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, y.shape, operation: "projection")
        let y = y.detached()
        let floor = Scalar.ulpOfOne.squareRoot()
        if contains(y), y.diagonal().scalars.allSatisfy({ $0 >= floor / 2 }) { return y }
        let n = y.shape[y.rank - 1]
        var out = y.tril().scalars
        for row in 0..<(out.count / n) {
            let i = row % n, o = row * n
            var norm: Scalar = 0
            for j in 0...i { norm += out[o + j] * out[o + j] }
            norm = norm.squareRoot()
            if norm > 0 { for j in 0...i { out[o + j] /= norm } } else { out[o + i] = 1 }
            if out[o + i] < floor {
                var rest: Scalar = 0
                for j in 0..<i { rest += out[o + j] * out[o + j] }
                let scale = rest > 0 ? (1 - floor * floor).squareRoot() / rest.squareRoot() : 0
                for j in 0..<i { out[o + j] *= scale }
                out[o + i] = rest > 0 ? floor : 1
            }
        }
        return Tensor(shape: y.shape, scalars: out)
    }

    /// Rows: normalised standard normal vectors with a positive last entry.
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, shape, operation: "sample")
        let g = Tensor<Scalar>.randomNormal(shape, using: &generator)
        let l = g.tril(-1) + Tensor.diagonalMatrix(g.diagonal().map { Swift.abs($0) + Scalar.ulpOfOne })
        return l / l.norm(alongAxes: [l.rank - 1], keepingDimensions: true)
    }
}
