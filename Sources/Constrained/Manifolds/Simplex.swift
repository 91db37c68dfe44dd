/// Probability vectors along the last axis: `{ y ∈ ℝⁿ : yᵢ > 0, Σ yᵢ = 1 }`, batched over the
/// leading axes, as `torch.distributions.transform_to(simplex)` (softmax) or
/// `biject_to(simplex)` (stick-breaking).
///
/// - Map `.softmax` (default): `y = softmax(x)`. The original has the value's shape and is
///   determined up to adding a constant to every entry (softmax ignores it), so its gradient
///   sums to zero along the last axis.
/// - Map `.stickBreaking`: a bijection from `n − 1` free values, as torch's
///   `StickBreakingTransform`: `zᵢ = σ(xᵢ − log(n − 1 − i))`, `yᵢ = zᵢ ∏_{j<i} (1 − zⱼ)` for
///   `i < n − 1` and `y_{n−1} = ∏_{j<n−1} (1 − zⱼ)` (the offsets make `x = 0` the centre
///   `1/n`). The original is `(…, n − 1)`; the products are one GEMM in log space
///   (`log(1 − z) = logσ(−t)`), O(n²) per vector; needs `n ≥ 2`.
/// - Right inverse: `x = log y` for softmax; `xᵢ = log yᵢ − log Σ_{j>i} yⱼ + log(n − 1 − i)` for
///   stick-breaking (the remainder as a suffix sum, not `1 − Σ_{j≤i} yⱼ`, which cancels). Both
///   checked; a vector with a zero entry is on the closed simplex but reached by neither map,
///   and throws.
/// - Deviation: `max(max(−yᵢ, 0), |Σ yᵢ − 1|)`; default tolerance `10 · n · ε`.
/// - Projection: the Euclidean projection onto `{ y ≥ ε, Σ y = 1 }` (the sort-based algorithm
///   of Held, Wolfe and Crowder 1974 / Duchi et al. 2008, O(n log n)), a closed part of the open
///   simplex, so that the result has a right inverse.
/// - Sample: uniform (Dirichlet(1, …, 1)): normalised standard exponentials.
///
/// ```swift
/// @Constrained(Simplex()) var mixture = Tensor<Double>([0.2, 0.3, 0.5])
/// @Constrained(Simplex(map: .stickBreaking)) var weights = Tensor<Double>([0.2, 0.3, 0.5])   // original [2]
/// ```
public struct Simplex<Scalar: TensorScalar>: Manifold {
    /// How the vector is built from the original.
    public enum Map: String, Sendable, CaseIterable, CustomStringConvertible {
        /// `softmax(x)`, `x` of the value's shape.
        case softmax
        /// Stick-breaking of `n − 1` free values (torch's `StickBreakingTransform`).
        case stickBreaking

        /// The case's name.
        public var description: String { rawValue }
    }

    /// The construction used.
    public let map: Map
    /// The registered shape.
    public private(set) var shape: [Int]?
    var isRegistering = false

    /// The probability simplex of the last axis, through `map`.
    public init(map: Map = .softmax) { self.map = map }

    /// `Simplex(n: 3)` once registered, `Simplex(n: 3, map: stickBreaking)` for stick-breaking.
    public var description: String {
        var settings: [String] = []
        if let n = shape?.last { settings.append("n: \(n)") }
        if map == .stickBreaking { settings.append("map: \(map)") }
        return settings.isEmpty ? "Simplex" : "Simplex(\(settings.joined(separator: ", ")))"
    }

    func validate(_ shape: [Int], operation: String) throws {
        let smallest = map == .stickBreaking ? 2 : 1
        guard shape.count >= 1, shape[shape.count - 1] >= smallest else {
            throw ConstrainedError(operation, subject: description, shape: shape,
                                   cause: .invalidShape("expected vectors (..., n) with n ≥ \(smallest)"
                                                        + (map == .stickBreaking ? " (stick-breaking maps n − 1 values)" : "")))
        }
    }

    /// The value's shape for softmax; `(…, n − 1)` for stick-breaking.
    public func originalShape(forValueShape shape: [Int]) throws -> [Int] {
        try validate(shape, operation: "originalShape")
        return map == .softmax ? shape : Array(shape.dropLast()) + [shape[shape.count - 1] - 1]
    }

    /// Checks that `shape` has a vector axis.
    public mutating func register(shape: [Int]) throws {
        try validate(shape, operation: "register")
        self.shape = shape
        isRegistering = true
    }

    /// `softmax(x)` along the last axis, or the stick-breaking map of `x` `(…, n − 1)`.
    public func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        switch map {
        case .softmax:
            try validate(x.shape, operation: "forward")
            return softmax(x, alongAxis: x.rank - 1)
        case .stickBreaking:
            guard x.rank >= 1 else {
                throw ConstrainedError("forward", subject: description, shape: x.shape,
                                       cause: .invalidShape("expected the original (..., n − 1)"))
            }
            return StickBreaking.forward(x)
        }
    }

    /// `log y` (checked; the registration's value is projected when off the simplex).
    public mutating func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try validate(y.shape, operation: "assign")
        if let shape, shape != y.shape {
            throw ConstrainedError("assign", subject: description, shape: y.shape,
                                   cause: .shapeMismatch(expected: shape, found: y.shape))
        }
        let p = try admitting(y.detached(), projectingIfOff: isRegistering, projected: projection)
        isRegistering = false
        shape = y.shape
        if let zero = p.scalars.first(where: { !($0 > 0) }) {
            throw ConstrainedError("assign", subject: description, shape: y.shape, cause: .notInImage(
                "an entry is \(zero): softmax reaches only vectors with every entry positive"))
        }
        return map == .softmax ? p.map { Scalar.log($0) } : StickBreaking.inverse(p)
    }

    /// `max(max(−yᵢ, 0), |Σ yᵢ − 1|)` over the rows.
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        try validate(y.shape, operation: "contains")
        let n = y.shape[y.rank - 1]
        return y.detached().withUnsafeBufferPointer { p in
            var worst: Scalar = 0
            for row in 0..<(p.count / n) {
                var sum: Scalar = 0
                for i in 0..<n {
                    let v = p[row * n + i]
                    sum += v
                    worst = Swift.max(worst, -v)
                }
                worst = Swift.max(worst, Swift.abs(sum - 1))
            }
            return worst
        }
    }

    /// `10 · n · ε`.
    public func defaultTolerance(for shape: [Int]) -> Scalar {
        10 * Scalar(shape.last ?? 1) * Scalar.ulpOfOne
    }

    /// The Euclidean projection of each row onto `{ y ≥ ε, Σ y = 1 }`.
    ///
    /// - Throws: ``ConstrainedError/Cause/invalidArgument(_:)`` for non-finite entries.
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try validate(y.shape, operation: "projection")
        let y = y.detached()
        guard y.scalars.allSatisfy({ $0.isFinite }) else {
            throw ConstrainedError("projection", subject: description, shape: y.shape,
                                   cause: .invalidArgument("the vector has a non-finite entry"))
        }
        let n = y.shape[y.rank - 1]
        let floor = Scalar.ulpOfOne
        // y − ε projected onto { z ≥ 0, Σ z = 1 − n ε }, then + ε.
        let total = 1 - Scalar(n) * floor
        var out = y.scalars
        for row in 0..<(out.count / n) {
            let slice = (0..<n).map { out[row * n + $0] - floor }
            let sorted = slice.sorted(by: >)
            var cumulative: Scalar = 0, threshold: Scalar = 0
            for (i, v) in sorted.enumerated() {
                cumulative += v
                let t = (cumulative - total) / Scalar(i + 1)
                if v - t > 0 { threshold = t }
            }
            for i in 0..<n { out[row * n + i] = Swift.max(slice[i] - threshold, 0) + floor }
        }
        return Tensor(shape: y.shape, scalars: out)
    }

    /// A uniform point (Dirichlet(1, …, 1)): normalised standard exponentials `−log U`.
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        try validate(shape, operation: "sample")
        let u = Tensor<Scalar>.randomUniform(shape, from: Scalar.ulpOfOne, to: 1, using: &generator)
        let e = u.map { -Scalar.log($0) }
        return e / e.sum(alongAxes: [shape.count - 1], keepingDimensions: true)
    }
}
