/// A parametrization whose values form a known set: membership, sampling and the nearest point.
///
/// Every set of the catalogue (``Orthogonal``, ``Sphere``, …) adopts it. Beside the map
/// (`forward`) and its right inverse, a manifold knows
/// - how far a tensor is from the set, ``deviation(of:)`` (`0` on it), and so
///   ``contains(_:tolerance:)`` with a tolerance documented per set
///   (``defaultTolerance(for:)``);
/// - a random point, ``sample(shape:using:)`` (uniform, i.e. Haar, where such a measure
///   exists);
/// - the nearest point, ``projection(_:)`` (the polar factor, a normalisation, …).
///
/// **Checked right inverse.** Assigning a value off the set throws
/// ``ConstrainedError/Cause/notInImage(_:)`` naming the set and the deviation; the property
/// keeps its value. Projecting is explicit: `try $w.assign(y, projecting: true)`. The first
/// value a property receives (its declaration's initial value, a layer initialiser's random
/// weight) is projected, as PyTorch's and geotorch's registration do.
///
/// Geometry for Riemannian optimisation (tangent projection, retraction, transport) is meant
/// to be added as further requirements with default implementations, so that a set written
/// against this protocol keeps compiling.
///
/// ```swift
/// let sphere = Sphere<Double>(radius: 2)
/// var g = SeededGenerator(seed: 1)
/// let y = try sphere.sample(shape: [3], using: &g)     // ‖y‖ = 2
/// sphere.contains(y)                                  // true
/// try sphere.projection(Tensor([3, 0, 4]))            // [1.2, 0, 1.6]
/// ```
public protocol Manifold<Scalar>: Parametrization, CustomStringConvertible {
    /// How far `y` is from the set, in the set's own measure (stated by each set, e.g.
    /// `max |QᵀQ − I|` for orthogonal matrices); the largest over a batch; `0` on the set.
    ///
    /// - Throws: ``ConstrainedError/Cause/invalidShape(_:)`` when `y` has no shape the set knows.
    func deviation(of y: Tensor<Scalar>) throws -> Scalar

    /// The largest ``deviation(of:)`` that ``contains(_:tolerance:)`` accepts by default for a
    /// value of `shape` (a few rounding errors of the set's forward map).
    func defaultTolerance(for shape: [Int]) -> Scalar

    /// The point of the set nearest to `y` (in the Frobenius norm unless a set says otherwise).
    ///
    /// - Throws: ``ConstrainedError`` for a shape the set does not know, or when there is no
    ///   nearest point (the origin, for a sphere).
    func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar>

    /// A random point of the set of `shape`, drawn from `generator` (uniform where the set has
    /// a uniform distribution; each set states its distribution).
    ///
    /// - Throws: ``ConstrainedError`` for a shape the set does not know.
    func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar>
}

extension Manifold {
    /// Whether `y` lies on the set: ``deviation(of:)`` is at most `tolerance` (default
    /// ``defaultTolerance(for:)``). False for a shape the set does not know.
    public func contains(_ y: Tensor<Scalar>, tolerance: Scalar? = nil) -> Bool {
        guard let d = try? deviation(of: y) else { return false }
        return d <= (tolerance ?? defaultTolerance(for: y.shape))
    }

    /// A random point of `shape`, reproducible from `seed`.
    public func sample(shape: [Int], seed: UInt64) throws -> Tensor<Scalar> {
        var g = SeededGenerator(seed: seed)
        return try sample(shape: shape, using: &g)
    }

    /// `y` when it is on the set; otherwise, when `projectingIfOff` (the first value at
    /// registration), `projected(y)`; otherwise throws ``ConstrainedError/Cause/notInImage(_:)``
    /// naming the set and the deviation.
    func admitting(_ y: Tensor<Scalar>, projectingIfOff: Bool,
                   projected: (Tensor<Scalar>) throws -> Tensor<Scalar>) throws -> Tensor<Scalar> {
        let d = try deviation(of: y)
        let tolerance = defaultTolerance(for: y.shape)
        if d <= tolerance { return y }
        if projectingIfOff { return try projected(y) }
        throw ConstrainedError("assign", subject: description, shape: y.shape, cause: .notInImage(
            "it is \(d) off the set (the tolerance is \(tolerance)); assign with `projecting: true` to use the nearest point"))
    }
}

/// A set that records the shape it is registered on and whether the next right inverse is
/// the registration's (whose value is projected when off the set).
protocol RegisteredManifold: Manifold {
    var shape: [Int]? { get set }
    var isRegistering: Bool { get set }
}

extension RegisteredManifold {
    /// The checked value of a right inverse: registers on `y`'s shape when used unregistered,
    /// throws ``ConstrainedError/Cause/shapeMismatch(expected:found:)`` for another shape, and
    /// returns `y` on the set, its projection at registration, or throws
    /// ``ConstrainedError/Cause/notInImage(_:)`` (see `admitting`).
    mutating func admittingAssignment(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        if shape == nil { try register(shape: y.shape); isRegistering = false }
        if let shape, shape != y.shape {
            throw ConstrainedError("assign", subject: description, shape: y.shape, cause: .shapeMismatch(expected: shape, found: y.shape))
        }
        let admitted = try admitting(y.detached(), projectingIfOff: isRegistering, projected: projection)
        isRegistering = false
        return admitted
    }
}

/// `Scalar` of a deviation from a tensor reduced on the host, for the sets' measures.
extension Tensor {
    /// The largest absolute entry (0 for an empty tensor).
    var maxMagnitude: Scalar {
        withUnsafeBufferPointer { p in p.reduce(Scalar(0)) { Swift.max($0, Swift.abs($1)) } }
    }
}

extension Constrained {
    /// The set the property's values lie on: its parametrization, or the last part of a
    /// composition, when that is a ``Manifold``; nil otherwise.
    public var manifold: (any Manifold<Scalar>)? {
        state.withLock { s -> (any Manifold<Scalar>)? in
            guard s.isParametrized else { return nil }
            var p: any Parametrization<Scalar> = s.parametrization
            if let any = p as? AnyParametrization<Scalar> { p = any.base }
            let last: Any = ParametrizationReflection.parts(of: p).last ?? p
            if let any = last as? AnyParametrization<Scalar> { return any.base as? any Manifold<Scalar> }
            return last as? any Manifold<Scalar>
        }
    }

    /// Sets the constrained value to `y`, or, when `projecting`, to the point of the property's
    /// ``manifold`` nearest to `y`.
    ///
    /// ```swift
    /// try model.$w.assign(almostOrthogonal, projecting: true)   // the polar factor
    /// ```
    ///
    /// - Throws: ``ConstrainedError/Cause/invalidArgument(_:)`` when projecting on a property
    ///   whose values are not on a ``Manifold``; what the projection or ``assign(_:)`` throws.
    ///   The property is unchanged then.
    public func assign(_ y: Tensor<Scalar>, projecting: Bool) throws {
        guard projecting else { return try assign(y) }
        guard let manifold else {
            throw ConstrainedError("assign", subject: String(describing: type(of: parametrization)), shape: y.shape,
                                   cause: .invalidArgument("projecting needs a parametrization whose values lie on a Manifold"))
        }
        try assign(try withoutRecording { try manifold.projection(y.detached()) })
    }
}
