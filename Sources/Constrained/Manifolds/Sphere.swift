/// Vectors of norm `radius` along the last axis: `{ y ∈ ℝⁿ : ‖y‖ = r }`, batched over the
/// leading axes (each `(…, n)` row is one point), as geotorch's `Sphere`/`SphereEmbedded`.
///
/// Two maps (``Map``):
/// - `.normalization` (default): `y = r · x / ‖x‖`. Right inverse: `y` itself. The original's
///   component along `y` gets no gradient; the map is undefined at `x = 0`. Forward and
///   backward are one fused pass per row each (`Tensor.normalized(alongLastAxisTo:)`).
/// - `.exponential`: the exponential map at a ``base`` point `b` (dynamic trivialisation):
///   with `v = x − ⟨x, b⟩ b / r²` (the tangent part of `x`) and `θ = ‖v‖ / r`,
///   `y = cos θ · b + (sin θ / θ) · v`, smooth everywhere (the coefficients are evaluated as
///   entire functions of `θ²`). Right inverse: `b ← y`, original `0`; ``updateBase(original:)``
///   moves `b` to the current value.
///
/// **Set.** ``deviation(of:)`` is `max | ‖y‖ − r | / r`; the default tolerance is `10 n ε`.
/// ``projection(_:)`` is `r · y / ‖y‖` (none for `y = 0`); ``sample(shape:using:)`` is
/// uniform (a normalised standard normal vector).
///
/// ```swift
/// final class Embedding: Layer {
///     @Constrained(Sphere(radius: 2)) var directions = Tensor<Double>.ones([10, 3])   // rows of norm 2
/// }
/// ```
///
/// **Bad input.** A radius that is not positive and finite, or a scalar (rank-0) value,
/// throws at registration, naming the set.
public struct Sphere<Scalar: TensorScalar>: Manifold, BaseUpdating {
    /// The map from the original to the sphere.
    public enum Map: String, Sendable, CaseIterable, CustomStringConvertible {
        /// `r · x / ‖x‖`.
        case normalization
        /// The exponential map at the base point.
        case exponential

        /// The case's name.
        public var description: String { rawValue }
    }

    /// The norm `r` of every point.
    public let radius: Scalar
    /// The chosen map.
    public let map: Map
    /// The base point `b` of `.exponential` (`(…, n)`, norm `r`), saved as `w.0.base`; nil for
    /// `.normalization`. Set by the right inverse and ``updateBase(original:)``.
    public let base: Buffer<Scalar>?
    /// The registered shape.
    public private(set) var shape: [Int]?
    var isRegistering = false

    /// The sphere of `radius` (default 1) through `map`.
    public init(radius: Scalar = 1, map: Map = .normalization) {
        self.radius = radius
        self.map = map
        self.base = map == .exponential ? Buffer<Scalar>() : nil
    }

    /// `Sphere(radius: 2.0, map: exponential)` (with `n` once registered).
    public var description: String {
        var settings = ["radius: \(radius)"]
        if let n = shape?.last { settings.insert("n: \(n)", at: 0) }
        if map != .normalization { settings.append("map: \(map)") }
        return "Sphere(\(settings.joined(separator: ", ")))"
    }

    /// Checks the radius and that `shape` has a vector axis.
    public mutating func register(shape: [Int]) throws {
        try validate(shape, operation: "register")
        self.shape = shape
        isRegistering = true
    }

    func validate(_ shape: [Int], operation: String) throws {
        guard radius > 0 && radius.isFinite else {
            throw ConstrainedError(operation, subject: description, shape: shape,
                                   cause: .invalidArgument("radius must be positive and finite, got \(radius)"))
        }
        guard shape.count >= 1, shape[shape.count - 1] > 0 else {
            throw ConstrainedError(operation, subject: description, shape: shape,
                                   cause: .invalidShape("expected vectors (..., n) with n ≥ 1"))
        }
    }

    /// `r · x / ‖x‖`, or the exponential map at the base.
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try validate(x.shape, operation: "forward")
        let axis = x.rank - 1
        switch map {
        case .normalization:
            return x.normalized(alongLastAxisTo: radius)   // one fused pass, and one back
        case .exponential:
            let b = currentBase(for: x.shape)
            let r2 = radius * radius
            let v = x - b * ((x * b).sum(alongAxes: [axis], keepingDimensions: true) / r2)
            let s = (v * v).sum(alongAxes: [axis], keepingDimensions: true) / r2
            return b * SphereCoefficients.cosine(s) + v * SphereCoefficients.sinc(s)
        }
    }

    /// `y` (normalisation), or the origin with `b ← y` (exponential). Checked: `y` off the
    /// sphere throws unless it is the registration's value, which is projected.
    public mutating func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try validate(y.shape, operation: "assign")
        if let shape, shape != y.shape {
            throw ConstrainedError("assign", subject: description, shape: y.shape,
                                   cause: .shapeMismatch(expected: shape, found: y.shape))
        }
        let point = try admitting(y.detached(), projectingIfOff: isRegistering, projected: projection)
        isRegistering = false
        shape = y.shape
        guard let base else { return point }
        base.wrappedValue = point
        return Tensor<Scalar>.zeros(y.shape)
    }

    /// Moves the base to the current value and returns the origin (`.exponential` only).
    public mutating func updateBase(original x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        guard let base else {
            throw ConstrainedError("updateBase", subject: description, shape: x.shape,
                                   cause: .invalidArgument("only map: .exponential has a base"))
        }
        base.wrappedValue = try withoutRecording { try forward(x.detached()) }
        return Tensor<Scalar>.zeros(x.shape)
    }

    /// The base, or the first basis vector scaled to `r` before any right inverse.
    func currentBase(for shape: [Int]) -> Tensor<Scalar> {
        if let b = base?.storedValue, b.shape == shape { return b }
        let n = shape[shape.count - 1]
        let e = Tensor<Scalar>(shape: [n], scalars: (0..<n).map { $0 == 0 ? radius : 0 })
        let b = e.broadcast(to: shape)
        base?.wrappedValue = b
        return b
    }

    /// `max | ‖y‖ − r | / r` over the rows.
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        try validate(y.shape, operation: "contains")
        let norms = y.detached().norm(alongAxes: [y.rank - 1])
        return (norms - radius).maxMagnitude / radius
    }

    /// `10 n ε`.
    public func defaultTolerance(for shape: [Int]) -> Scalar {
        10 * Scalar(shape.last ?? 1) * Scalar.ulpOfOne
    }

    /// `r · y / ‖y‖` for each row.
    ///
    /// - Throws: ``ConstrainedError/Cause/invalidArgument(_:)`` for a zero row (every point is
    ///   equally near).
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try validate(y.shape, operation: "projection")
        let y = y.detached()
        let norms = y.norm(alongAxes: [y.rank - 1], keepingDimensions: true)
        guard norms.scalars.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw ConstrainedError("projection", subject: description, shape: y.shape,
                                   cause: .invalidArgument("a zero (or non-finite) vector has no nearest point on the sphere"))
        }
        return y * (radius / norms)
    }

    /// A uniform point: a standard normal vector, normalised, times `r`.
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        try validate(shape, operation: "sample")
        var z = Tensor<Scalar>.randomNormal(shape, using: &generator)
        // A zero row has probability 0; redraw rather than divide by zero.
        while z.norm(alongAxes: [shape.count - 1]).scalars.contains(0) {
            z = Tensor<Scalar>.randomNormal(shape, using: &generator)
        }
        return try projection(z)
    }
}
