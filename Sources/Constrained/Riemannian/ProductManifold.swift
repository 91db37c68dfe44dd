/// The product `M₁ × M₂ × …` of Riemannian manifolds, its points flattened into one vector
/// (geoopt's `ProductManifold`): component `i` is the slice of `shapeᵢ.product` entries after
/// the previous components, reshaped to `shapeᵢ`.
///
/// Every operation acts componentwise; the metric is the sum of the components' metrics, and
/// ``componentNorms(_:at:)`` gives each component's value on each of its entries (what
/// geoopt's `component_inner` does for products).
///
/// ```swift
/// let m = ProductManifold<Double>((Orthogonal(), [4, 2]), (SymmetricPositiveDefinite(), [3, 3]))
/// @OnManifold(m) var w = try m.sample(shape: [m.dimension], seed: 1)   // 17 entries
/// ```
public struct ProductManifold<Scalar: TensorScalar>: RiemannianManifold {
    /// The component manifolds and the shape of each one's point.
    public private(set) var components: [(manifold: any RiemannianManifold<Scalar>, shape: [Int])]

    /// The product of `components`.
    ///
    /// - Precondition: at least one component, each of a non-empty shape.
    public init(_ components: (any RiemannianManifold<Scalar>, [Int])...) {
        precondition(!components.isEmpty, "ProductManifold: needs at least one component")
        self.components = components.map { (manifold: $0.0, shape: $0.1) }
    }

    /// The number of entries of a point.
    public var dimension: Int { components.reduce(0) { $0 + $1.shape.reduce(1, *) } }

    /// `Orthogonal × SymmetricPositiveDefinite`.
    public var description: String { components.map(\.manifold.description).joined(separator: " × ") }

    /// Checks that `shape` is `[dimension]` and registers each component on its shape.
    public mutating func register(shape: [Int]) throws {
        try requireVector(shape, "register")
        for index in components.indices {
            try components[index].manifold.register(shape: components[index].shape)
        }
    }

    /// The components' forward maps, each on its slice.
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try map(x, "forward") { manifold, x in
            var m = manifold
            return try m.forward(x)
        }
    }

    /// The components' right inverses.
    public func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try map(y, "rightInverse") { manifold, y in
            var m = manifold
            return try m.rightInverse(y)
        }
    }

    /// The largest of the components' deviations relative to their tolerances, times the
    /// smallest tolerance (so ``defaultTolerance(for:)`` compares it fairly).
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        let parts = try split(y, "contains")
        let floor = defaultTolerance(for: y.shape)
        var worst: Scalar = 0
        for (component, part) in zip(components, parts) {
            let d = try component.manifold.deviation(of: part)
            worst = Swift.max(worst, d / component.manifold.defaultTolerance(for: component.shape) * floor)
        }
        return worst
    }

    /// The smallest of the components' tolerances.
    public func defaultTolerance(for shape: [Int]) -> Scalar {
        components.map { $0.manifold.defaultTolerance(for: $0.shape) }.min() ?? 0
    }

    /// The components' projections.
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try map(y, "projection") { try $0.projection($1) }
    }

    /// The components' samples, concatenated.
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        try requireVector(shape, "sample")
        var parts: [Tensor<Scalar>] = []
        for component in components {
            parts.append(try component.manifold.sample(shape: component.shape, using: &generator).flattened())
        }
        return concatenate(parts)
    }

    /// The components' tangent projections.
    public func projectToTangent(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try map2(u, x, "projectToTangent") { try $0.projectToTangent($1, at: $2) }
    }

    /// The components' Riemannian gradients.
    public func riemannianGradient(_ g: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try map2(g, x, "riemannianGradient") { try $0.riemannianGradient($1, at: $2) }
    }

    /// The components' retractions.
    public func retract(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try map2(u, x, "retract") { try $0.retract($1, at: $2) }
    }

    /// The components' exponential maps.
    public func exponential(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try map2(u, x, "exponential") { try $0.exponential($1, at: $2) }
    }

    /// The components' transports.
    public func transport(_ v: Tensor<Scalar>, from x: Tensor<Scalar>, to y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let ys = try split(y, "transport")
        var index = 0
        return try map2(v, x, "transport") { m, v, x in
            defer { index += 1 }
            return try m.transport(v, from: x, to: ys[index])
        }
    }

    /// The components' fused retraction and transport.
    public func retractAndTransport(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>, at x: Tensor<Scalar>) throws
        -> (point: Tensor<Scalar>, transported: Tensor<Scalar>) {
        let us = try split(u, "retract"), vs = try split(v, "transport"), xs = try split(x, "retract")
        var points: [Tensor<Scalar>] = [], moved: [Tensor<Scalar>] = []
        for (i, component) in components.enumerated() {
            let (y, w) = try component.manifold.retractAndTransport(us[i], vs[i], at: xs[i])
            points.append(y.flattened())
            moved.append(w.flattened())
        }
        return (concatenate(points), concatenate(moved))
    }

    /// The sum of the components' metrics.
    public func inner(_ u: Tensor<Scalar>, _ v: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Scalar {
        let us = try split(u, "inner"), vs = try split(v, "inner"), xs = try split(x, "inner")
        var total: Scalar = 0
        for (i, component) in components.enumerated() {
            total += try component.manifold.inner(us[i], vs[i], at: xs[i])
        }
        return total
    }

    /// Each component's ``componentNorms(_:at:)`` broadcast over its entries.
    public func componentNorms(_ u: Tensor<Scalar>, at x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try map2(u, x, "componentNorms") { m, u, x in
            try m.componentNorms(u, at: x).broadcast(to: x.shape)
        }
    }

    /// The components' stabilisations.
    public func stabilized(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try map(x, "stabilize") { try $0.stabilized($1) }
    }

    // MARK: Slicing

    func requireVector(_ shape: [Int], _ operation: String) throws {
        guard shape == [dimension] else {
            throw ConstrainedError(operation, subject: description, shape: shape,
                                   cause: .shapeMismatch(expected: [dimension], found: shape))
        }
    }

    func split(_ y: Tensor<Scalar>, _ operation: String) throws -> [Tensor<Scalar>] {
        try requireVector(y.shape, operation)
        var start = 0
        return components.map { component in
            let count = component.shape.reduce(1, *)
            defer { start += count }
            return y.slice(start..<(start + count)).reshaped(to: component.shape)
        }
    }

    func map(_ y: Tensor<Scalar>, _ operation: String,
             _ body: (any RiemannianManifold<Scalar>, Tensor<Scalar>) throws -> Tensor<Scalar>) throws -> Tensor<Scalar> {
        let parts = try split(y, operation)
        return concatenate(try zip(components, parts).map { try body($0.manifold, $1).flattened() })
    }

    func map2(_ u: Tensor<Scalar>, _ x: Tensor<Scalar>, _ operation: String,
              _ body: (any RiemannianManifold<Scalar>, Tensor<Scalar>, Tensor<Scalar>) throws -> Tensor<Scalar>) throws -> Tensor<Scalar> {
        let us = try split(u, operation), xs = try split(x, operation)
        var result: [Tensor<Scalar>] = []
        for (i, component) in components.enumerated() {
            result.append(try body(component.manifold, us[i], xs[i]).flattened())
        }
        return concatenate(result)
    }
}
