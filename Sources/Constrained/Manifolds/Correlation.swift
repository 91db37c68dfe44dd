/// Correlation matrices, `(…, n, n)`: symmetric positive definite with a unit diagonal, as
/// `C = L Lᵀ` for the ``CorrelationCholesky`` factor `L` of the original.
///
/// - Right inverse (checked): the ``CorrelationCholesky`` inverse of `cholesky(C)`.
/// - Deviation: the largest of the asymmetry `max |C − Cᵀ|`, `max |Cᵢᵢ − 1|` and `−λ_min(C)`;
///   tolerance `10 · n · ε`.
/// - Projection: `C` itself on the set; otherwise a nearby correlation matrix, not Higham's
///   nearest one: the symmetric part with its eigenvalues raised to at least `√ε · λ_max`,
///   rescaled to a unit diagonal `D^{−½} C D^{−½}`.
/// - Sample: `L Lᵀ` of a ``CorrelationCholesky`` sample.
///
/// ```swift
/// @Constrained(Correlation()) var correlation = Tensor<Double>.eye(4)
/// ```
public struct Correlation<Scalar: TensorScalar>: Manifold {
    /// The factor's parametrization.
    public var factor = CorrelationCholesky<Scalar>()
    var isRegistering = false

    /// Correlation matrices.
    public init() {}

    /// `Correlation(n: 4)` once registered.
    public var description: String {
        guard let n = factor.shape?.last else { return "Correlation" }
        return "Correlation(n: \(n))"
    }

    /// Checks that `shape` is a (batch of) square matrix.
    public mutating func register(shape: [Int]) throws {
        try ConstrainedError.requireSquare("Correlation", shape, operation: "register")
        try factor.register(shape: shape)
        isRegistering = true
    }

    /// `L Lᵀ`.
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, x.shape)
        let l = try factor.forward(x)
        return matmul(l, transposed: false, l, transposed: true)
    }

    /// The factor's inverse of `cholesky(C)` (checked).
    public mutating func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, y.shape, operation: "assign")
        let c = try admitting(y.detached(), projectingIfOff: isRegistering, projected: projection)
        isRegistering = false
        factor.isRegistering = false
        let l = try ConstrainedError.wrappingLinearAlgebra("assign", subject: description) {
            try cholesky((c + c.transposed()) * Scalar(0.5))
        }
        return try factor.rightInverse(l)
    }

    /// `max(max |C − Cᵀ|, max |Cᵢᵢ − 1|, −λ_min)`.
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        try ConstrainedError.requireSquare(description, y.shape, operation: "contains")
        let y = y.detached()
        let asymmetry = (y - y.transposed()).maxMagnitude
        let diagonal = (y.diagonal() - 1).maxMagnitude
        let values = try ConstrainedError.wrappingLinearAlgebra("contains", subject: description) {
            try eigh((y + y.transposed()) * Scalar(0.5)).values
        }
        let negative = values.scalars.reduce(Scalar(0)) { Swift.max($0, -$1) }
        return Swift.max(asymmetry, diagonal, negative)
    }

    /// `10 · n · ε`.
    public func defaultTolerance(for shape: [Int]) -> Scalar {
        10 * Scalar(shape.last ?? 1) * Scalar.ulpOfOne
    }

    /// Eigenvalues raised to at least `√ε`, then a unit diagonal.
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try ConstrainedError.requireSquare(description, y.shape, operation: "projection")
        let y = y.detached()
        let n = y.shape[y.rank - 1]
        let (values, vectors) = try ConstrainedError.wrappingLinearAlgebra("projection", subject: description) {
            try eigh((y + y.transposed()) * Scalar(0.5))
        }
        let floor = Scalar.ulpOfOne.squareRoot()
        if contains(y), values.scalars.allSatisfy({ $0 >= floor / 2 }) { return y }
        // Rescaling by D^{−½} divides the smallest eigenvalue by at most max Dᵢᵢ ≤ λ_max: clip at
        // √ε · λ_max so that the result keeps λ_min ≥ √ε (and projecting again returns it).
        let level = floor * Swift.max(1, values.maxMagnitude)
        let clipped = values.map { Swift.max($0, level) }
        let batch = Array(clipped.shape.dropLast())
        let p = matmul(vectors * clipped.reshaped(to: batch + [1, n]), transposed: false, vectors, transposed: true)
        let scale = rsqrt(p.diagonal()).reshaped(to: batch + [n, 1])
        let c = p * scale * scale.transposed()
        let symmetric = (c + c.transposed()) * Scalar(0.5)
        // Exactly 1 on the diagonal.
        return symmetric - Tensor.diagonalMatrix(symmetric.diagonal() - 1)
    }

    /// `L Lᵀ` of a ``CorrelationCholesky`` sample.
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        let l = try factor.sample(shape: shape, using: &generator)
        let c = matmul(l, transposed: false, l, transposed: true)
        let symmetric = (c + c.transposed()) * Scalar(0.5)
        return symmetric - Tensor.diagonalMatrix(symmetric.diagonal() - 1)
    }
}
