/// Orthogonal matrices as a set: tall `(…, n, k)` with `QᵀQ = I`, square, or wide with
/// `QQᵀ = I` (the Stiefel manifold, the orthogonal group for `n = k`).
extension Orthogonal: Manifold {
    /// `max |QᵀQ − I|` (`QQᵀ` when wide), over every matrix of a batch.
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        let layout = try Layout(y.shape, operation: "contains")
        let tall = layout.isTransposed ? y.transposed() : y
        return Self.orthogonalityDefect(tall)
    }

    /// `10 · n · ε` with `n` the larger size (PyTorch's tolerance for orthogonality).
    public func defaultTolerance(for shape: [Int]) -> Scalar {
        10 * Scalar(shape.suffix(2).max() ?? 1) * Scalar.ulpOfOne
    }

    /// The polar factor `U Vᵀ` of `y = U Σ Vᵀ` (reduced SVD, O(n k²)): the orthogonal matrix
    /// nearest to `y` in the Frobenius norm (and in every unitarily invariant norm).
    ///
    /// - Throws: ``ConstrainedError`` for a vector, or when the SVD fails (NaN or infinity).
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        _ = try Layout(y.shape, operation: "projection")
        return try ConstrainedError.wrappingLinearAlgebra("projection", subject: description) {
            let (u, _, vt) = try svd(y.detached())
            return matmul(u, vt)
        }
    }

    /// A Haar-distributed (uniform) orthogonal matrix of `shape`: the sign-fixed QR factor of a
    /// standard normal matrix (Mezzadri 2007), O(n k²) for a tall shape.
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        let layout = try Layout(shape, operation: "sample")
        let gaussian = Tensor<Scalar>.randomNormal(layout.batch + [layout.n, layout.k], using: &generator)
        let q = try ConstrainedError.wrappingLinearAlgebra("sample", subject: description) {
            try qr(gaussian, nonNegativeDiagonal: true).q
        }
        return layout.isTransposed ? q.transposed() : q
    }

    /// Checks that `shape` is a (batch of) matrix; the first value after registration is
    /// projected when off the set (see the right inverse).
    public mutating func register(shape: [Int]) throws {
        _ = try Layout(shape, operation: "register")
        isRegistering = true
    }

    /// `Orthogonal(map: householder)`, with the registered shape when known:
    /// `Orthogonal(rows: 50, columns: 5, map: householder)`.
    public var description: String {
        var settings: [String] = []
        if let shape {
            settings.append("rows: \(shape[shape.count - 2]), columns: \(shape[shape.count - 1])")
            if shape.count > 2 { settings.append("batch: \(Array(shape.dropLast(2)))") }
        }
        if let map { settings.append("map: \(map)") }
        if base == nil { settings.append("usesTrivialization: false") }
        return settings.isEmpty ? "Orthogonal" : "Orthogonal(\(settings.joined(separator: ", ")))"
    }

    /// `max |QᵀQ − I|` for a tall `(…, n, k)` `q` (one GEMM of n k² flops).
    static func orthogonalityDefect(_ q: Tensor<Scalar>) -> Scalar {
        let k = q.shape[q.rank - 1]
        return (matmul(q.detached(), transposed: true, q.detached(), transposed: false) - Tensor<Scalar>.eye(k)).maxMagnitude
    }

    /// The tall `y` when on the set; projected by sign-fixed QR when `projectingIfOff`;
    /// otherwise a ``ConstrainedError/Cause/notInImage(_:)`` error.
    func admitting(_ tall: Tensor<Scalar>, _ layout: Layout, projectingIfOff: Bool) throws -> Tensor<Scalar> {
        let d = Self.orthogonalityDefect(tall)
        let tolerance = defaultTolerance(for: tall.shape)
        if d <= tolerance { return tall }
        guard projectingIfOff else {
            let shape = layout.isTransposed ? Array(tall.shape.dropLast(2)) + [layout.k, layout.n] : tall.shape
            let measure = layout.isTransposed ? "QQᵀ" : "QᵀQ"
            throw ConstrainedError("assign", subject: description, shape: shape, cause: .notInImage(
                "max |\(measure) − I| = \(d) exceeds the tolerance \(tolerance); assign with `projecting: true` for the nearest orthogonal matrix"))
        }
        return try ConstrainedError.wrappingLinearAlgebra("register", subject: description) {
            try qr(tall.detached(), nonNegativeDiagonal: true).q
        }
    }
}

/// Dynamic trivialisation: see ``Orthogonal/updateBase(original:)``.
extension Orthogonal: BaseUpdating {}
