/// k-dimensional subspaces of ℝⁿ, each represented by a matrix with orthonormal columns
/// (`(…, n, k)`, `QᵀQ = I`; wide `(…, k, n)` matrices represent the span of their rows), as
/// geotorch's `Grassmannian`.
///
/// The map is ``Orthogonal``'s (Householder at a tall base by default: O(n k²), no `n × n`
/// matrix); a loss that depends only on the subspace (`Q Qᵀ`, a Rayleigh quotient) makes the
/// representative's rotation within the subspace irrelevant, which is what distinguishes the
/// Grassmannian from the Stiefel manifold. Membership, projection (the polar factor: the nearest
/// orthonormal representative) and sampling (Haar on the Stiefel manifold, which induces the
/// uniform distribution on subspaces) are those of the representatives; the tolerance is
/// ``Orthogonal``'s, `10 · n · ε` on `max |QᵀQ − I|`.
///
/// ```swift
/// @Constrained(Grassmannian()) var subspace = Tensor<Double>.eye(rows: 100, columns: 5)
/// ```
public struct Grassmannian<Scalar: TensorScalar>: Manifold, BaseUpdating {
    /// The parametrization of the representatives.
    public var representatives: Orthogonal<Scalar>

    /// Subspaces represented through `map` (default: Householder for tall shapes).
    public init(map: Orthogonal<Scalar>.Map? = nil) {
        representatives = Orthogonal(map: map)
    }

    /// `Grassmannian(n: 100, k: 5)` once registered.
    public var description: String {
        guard let shape = representatives.shape else { return "Grassmannian" }
        let rows = shape[shape.count - 2], columns = shape[shape.count - 1]
        return "Grassmannian(n: \(Swift.max(rows, columns)), k: \(Swift.min(rows, columns)))"
    }

    /// Checks that `shape` is a (batch of) matrix.
    public mutating func register(shape: [Int]) throws {
        do { try representatives.register(shape: shape) } catch let e as ConstrainedError {
            throw ConstrainedError(e.operation, subject: "Grassmannian", key: e.key, shape: e.shape, cause: e.cause)
        }
    }

    /// The orthonormal representative of the original.
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> { try representatives.forward(x) }

    /// Checked: see ``Orthogonal/rightInverse(_:)``; errors name the Grassmannian.
    public mutating func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        do { return try representatives.rightInverse(y) } catch let e as ConstrainedError {
            throw ConstrainedError(e.operation, subject: description, key: e.key, shape: e.shape, cause: e.cause)
        }
    }

    /// Moves the base to the current representative.
    public mutating func updateBase(original x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try representatives.updateBase(original: x)
    }

    /// `max |QᵀQ − I|` of the representative.
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar { try representatives.deviation(of: y) }

    /// `10 · n · ε`.
    public func defaultTolerance(for shape: [Int]) -> Scalar { representatives.defaultTolerance(for: shape) }

    /// The polar factor: the orthonormal representative nearest to `y` (of the span of `y`
    /// when `y` has full rank).
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> { try representatives.projection(y) }

    /// A representative of a uniformly distributed subspace (Haar on the Stiefel manifold).
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        try representatives.sample(shape: shape, using: &generator)
    }
}
