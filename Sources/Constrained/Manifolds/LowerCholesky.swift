/// Lower triangular matrices with a positive diagonal, `(…, n, n)`: the Cholesky factors of
/// positive definite matrices, as `torch.distributions.transform_to(lower_cholesky)`.
///
/// - Map: `L = tril(X, −1) + diag(softplus(diag X))`; the strictly upper triangle of `X` is
///   not read (zero gradient).
/// - Right inverse (checked): `tril(L, −1) + diag(softplus⁻¹(diag L))`.
/// - Deviation: the largest of `|Lᵢⱼ|` above the diagonal and `δ − Lᵢᵢ` (with the floor
///   `δ` the smallest normal number, so that the right inverse is finite); default tolerance
///   `10 · n · ε`.
/// - Projection: `tril(Y)` with the diagonal raised to at least `δ` (nearest in Frobenius).
/// - Sample: standard normal below the diagonal, log-normal `exp(N(0, 1/4))` on it.
///
/// ```swift
/// @Constrained(LowerCholesky()) var scale = Tensor<Double>.eye(3)
/// ```
public struct LowerCholesky<Scalar: TensorScalar>: Manifold {
    /// The registered shape.
    public private(set) var shape: [Int]?
    var isRegistering = false

    /// Lower triangular matrices with a positive diagonal.
    public init() {}

    /// `LowerCholesky(n: 3)` once registered.
    public var description: String {
        guard let n = shape?.last else { return "LowerCholesky" }
        return "LowerCholesky(n: \(n))"
    }

    /// The smallest diagonal entry the right inverse accepts.
    static var floor: Scalar { Scalar.leastNormalMagnitude }

    /// Checks that `shape` is a (batch of) square matrix.
    public mutating func register(shape: [Int]) throws {
        try ConstrainedError.requireSquare(description, shape, operation: "register")
        self.shape = shape
        isRegistering = true
    }

    /// `tril(X, −1) + diag(softplus(diag X))`.
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, x.shape)
        return x.tril(-1) + Tensor.diagonalMatrix(softplus(x.diagonal()))
    }

    /// `tril(L, −1) + diag(softplus⁻¹(diag L))` (checked).
    public mutating func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, y.shape, operation: "assign")
        if let shape, shape != y.shape {
            throw ConstrainedError("assign", subject: description, shape: y.shape,
                                   cause: .shapeMismatch(expected: shape, found: y.shape))
        }
        let l = try admitting(y.detached(), projectingIfOff: isRegistering, projected: projection)
        isRegistering = false
        shape = y.shape
        let d = l.diagonal().map { Pointwise.softplusInverse(Swift.max($0, Self.floor)) }
        return l.tril(-1) + Tensor.diagonalMatrix(d)
    }

    /// `max(max |triu(L, 1)|, max(δ − diag L))`, or 0.
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        try ConstrainedError.requireSquare(description, y.shape, operation: "contains")
        let y = y.detached()
        let upper = y.triu(1).maxMagnitude
        let low = y.diagonal().scalars.reduce(Scalar(0)) { Swift.max($0, Self.floor - $1) }
        return Swift.max(upper, low)
    }

    /// `10 · n · ε`.
    public func defaultTolerance(for shape: [Int]) -> Scalar {
        10 * Scalar(shape.last ?? 1) * Scalar.ulpOfOne
    }

    /// `tril(Y)` with the diagonal raised to at least `δ`.
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, y.shape, operation: "projection")
        let y = y.detached()
        let d = y.diagonal()
        return y.tril(-1) + Tensor.diagonalMatrix(d.map { Swift.max($0, Self.floor) })
    }

    /// Standard normal entries below the diagonal, `exp(N(0, 1/4))` on it.
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, shape, operation: "sample")
        let n = shape[shape.count - 1]
        let below = Tensor<Scalar>.randomNormal(shape, using: &generator).tril(-1)
        let diagonal = Tensor<Scalar>.randomNormal(Array(shape.dropLast(2)) + [n], standardDeviation: 0.5,
                                                   using: &generator).map { Scalar.exp($0) }
        return below + Tensor.diagonalMatrix(diagonal)
    }
}
