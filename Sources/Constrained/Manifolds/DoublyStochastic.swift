/// Doubly stochastic matrices, `(…, n, n)` (the Birkhoff polytope's interior): positive entries,
/// every row and column summing to 1. Beyond geotorch.
///
/// - Map: Sinkhorn–Knopp iterations on `e^{X − max X}`: rows, then columns, normalised in turn
///   (at least once) until every row sum is within ``tolerance`` of 1 (columns are then exact to rounding) or
///   ``maxIterations`` is reached. The iterations are recorded on the tape, so the gradient is
///   that of the unrolled algorithm (exact for the value computed).
/// - Right inverse (checked): `log Y` (Sinkhorn leaves a doubly stochastic matrix unchanged);
///   a matrix with a zero entry is on the polytope's boundary, not reached, and throws.
/// - Deviation: the largest of `|row sum − 1|`, `|column sum − 1|` and `−Yᵢⱼ`; default
///   tolerance `10 ·` ``tolerance``.
/// - Projection: `Y` itself on the set; otherwise the Sinkhorn scaling of `max(Y, 1/(100 n))`,
///   the nearest point in Kullback–Leibler divergence to the clipped matrix (a nearby point, not
///   the Euclidean nearest one, which is a quadratic program).
/// - Sample: the Sinkhorn scaling of `e^{N(0, 1)}` entries (not uniform on the polytope).
///
/// ```swift
/// @Constrained(DoublyStochastic()) var transport = Tensor<Double>.ones([4, 4]) / 4
/// ```
public struct DoublyStochastic<Scalar: TensorScalar>: Manifold {
    /// The largest number of Sinkhorn iterations (row and column normalisation) per evaluation.
    public let maxIterations: Int
    /// The row-sum residual at which the iterations stop.
    public let tolerance: Scalar
    /// The registered shape.
    public private(set) var shape: [Int]?
    var isRegistering = false

    /// Doubly stochastic matrices by at most `maxIterations` Sinkhorn iterations, stopping at a
    /// row-sum residual of `tolerance` (default `√ε / 100`: 1.5e-10 in Double).
    public init(maxIterations: Int = 1000, tolerance: Scalar? = nil) {
        self.maxIterations = maxIterations
        self.tolerance = tolerance ?? Scalar.ulpOfOne.squareRoot() / 100
    }

    /// `DoublyStochastic(n: 4)` once registered.
    public var description: String {
        guard let n = shape?.last else { return "DoublyStochastic" }
        return "DoublyStochastic(n: \(n))"
    }

    func validate(_ shape: [Int], operation: String) throws {
        guard maxIterations >= 1, tolerance > 0, tolerance.isFinite else {
            throw ConstrainedError(operation, subject: description, shape: shape, cause: .invalidArgument(
                "maxIterations must be at least 1 and tolerance positive, got \(maxIterations) and \(tolerance)"))
        }
        try ConstrainedError.requireSquare(description, shape, operation: operation)
    }

    /// Checks the options and that `shape` is a (batch of) square matrix.
    public mutating func register(shape: [Int]) throws {
        try validate(shape, operation: "register")
        self.shape = shape
        isRegistering = true
    }

    /// Sinkhorn iterations on `e^{X − max X}`.
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try validate(x.shape, operation: "forward")
        let shift = withoutRecording { x.detached().max() }
        return sinkhorn(exp(x - shift))
    }

    /// Rows then columns normalised until the row sums are within ``tolerance`` of 1.
    func sinkhorn(_ start: Tensor<Scalar>) -> Tensor<Scalar> {
        var p = start
        let rows = p.rank - 1, columns = p.rank - 2
        for iteration in 0..<maxIterations {
            let rowSums = p.sum(alongAxes: [rows], keepingDimensions: true)
            // At least one normalisation: its derivative is the map's (the scale is not free).
            if iteration > 0, withoutRecording({ (rowSums.detached() - 1).maxMagnitude }) <= tolerance { break }
            p = p / rowSums
            p = p / p.sum(alongAxes: [columns], keepingDimensions: true)
        }
        return p
    }

    /// `log Y` (checked).
    public mutating func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try validate(y.shape, operation: "assign")
        if let shape, shape != y.shape {
            throw ConstrainedError("assign", subject: description, shape: y.shape, cause: .shapeMismatch(expected: shape, found: y.shape))
        }
        let p = try admitting(y.detached(), projectingIfOff: isRegistering, projected: projection)
        isRegistering = false
        shape = y.shape
        if let zero = p.scalars.first(where: { !($0 > 0) }) {
            throw ConstrainedError("assign", subject: description, shape: y.shape, cause: .notInImage(
                "an entry is \(zero): Sinkhorn scaling reaches only matrices with every entry positive"))
        }
        return p.map { Scalar.log($0) }
    }

    /// `max(|row sums − 1|, |column sums − 1|, max(−Yᵢⱼ))`.
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        try validate(y.shape, operation: "contains")
        let y = y.detached()
        let rows = (y.sum(alongAxes: [y.rank - 1]) - 1).maxMagnitude
        let columns = (y.sum(alongAxes: [y.rank - 2]) - 1).maxMagnitude
        let negative = y.scalars.reduce(Scalar(0)) { Swift.max($0, -$1) }
        return Swift.max(rows, columns, negative)
    }

    /// `10 ·` ``tolerance``.
    public func defaultTolerance(for shape: [Int]) -> Scalar { 10 * tolerance }

    /// `Y` on the set; otherwise the Sinkhorn scaling of `max(Y, 1/(100 n))`.
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try validate(y.shape, operation: "projection")
        let y = y.detached()
        guard y.scalars.allSatisfy({ $0.isFinite }) else {
            throw ConstrainedError("projection", subject: description, shape: y.shape,
                                   cause: .invalidArgument("the matrix has a non-finite entry"))
        }
        if contains(y), y.scalars.allSatisfy({ $0 > 0 }) { return y }
        // A floor of 1/(100 n) keeps Sinkhorn fast: near-zero patterns without total support
        // converge arbitrarily slowly.
        let floor = 1 / (100 * Scalar(y.shape[y.rank - 1]))
        return withoutRecording { sinkhorn(y.map { Swift.max($0, floor) }) }
    }

    /// The Sinkhorn scaling of `e^{N(0, 1)}` entries.
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        try validate(shape, operation: "sample")
        let z = Tensor<Scalar>.randomNormal(shape, using: &generator)
        return withoutRecording { sinkhorn(z.map { Scalar.exp($0) }) }
    }
}
