/// Membership, projection and sampling of ``PositiveSemidefinite`` (the measures are in the
/// type's documentation).
extension PositiveSemidefinite {
    /// The eigenvalues and vectors of `sym(y)`, ascending.
    func spectrum(_ y: Tensor<Scalar>, operation: String) throws -> (values: Tensor<Scalar>, vectors: Tensor<Scalar>) {
        let y = y.detached()
        return try ConstrainedError.wrappingLinearAlgebra(operation, subject: description) {
            try eigh((y + y.transposed()) * Scalar(0.5))
        }
    }

    /// The smallest eigenvalue counted as non-zero for a matrix of scale `scale`.
    static func floor(_ scale: Scalar) -> Scalar { Scalar.ulpOfOne.squareRoot() * scale }

    /// The largest of the asymmetry, `−λ₁`, the eigenvalues that must be zero and, for the fixed
    /// rank, `δ − λ_{n−r+1}`, relative to `max(1, max |λ|)`, over the batch.
    public func deviation(of y: Tensor<Scalar>) throws -> Scalar {
        try validate(y.shape, operation: "contains")
        let asymmetry = (y.detached() - y.detached().transposed()).maxMagnitude
        let values = try spectrum(y, operation: "contains").values
        let n = y.shape[y.rank - 1]
        var worst: Scalar = 0
        values.withUnsafeBufferPointer { lambda in
            for b in 0..<(lambda.count / Swift.max(n, 1)) {
                let row = b * n
                let scale = Swift.max(1, Swift.abs(lambda[row]), Swift.abs(lambda[row + n - 1]))
                var d = Swift.max(asymmetry, -lambda[row])
                if let rank, rank < n { d = Swift.max(d, lambda[row + n - rank - 1]) }
                if case .exactly(let rank) = rankConstraint { d = Swift.max(d, Self.floor(scale) - lambda[row + n - rank]) }
                worst = Swift.max(worst, d / scale)
            }
        }
        return worst
    }

    /// `10 · n · ε` (on the relative deviation).
    public func defaultTolerance(for shape: [Int]) -> Scalar {
        10 * Scalar(shape.last ?? 1) * Scalar.ulpOfOne
    }

    /// `sym(y)` with its eigenvalues clipped at 0, all but the `r` largest set to 0, and for the
    /// fixed rank the `r` largest raised to at least `2δ`.
    public func projection(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try validate(y.shape, operation: "projection")
        let (values, vectors) = try spectrum(y, operation: "projection")
        let n = y.shape[y.rank - 1]
        let kept = rank ?? n
        var lambda = values.scalars
        for b in 0..<(lambda.count / Swift.max(n, 1)) {
            let row = b * n
            let level: Scalar
            if case .exactly = rankConstraint {
                level = 2 * Self.floor(Swift.max(1, Swift.abs(lambda[row]), Swift.abs(lambda[row + n - 1])))
            } else {
                level = 0
            }
            for i in 0..<n { lambda[row + i] = i < n - kept ? 0 : Swift.max(lambda[row + i], level) }
        }
        return FactoredSpectrum<Scalar>.symmetricCompose(values: Tensor(shape: values.shape, scalars: lambda), vectors: vectors)
    }

    /// `U diag(e^{N(0, 1/4)}) Uᵀ` with `U` Haar, `n × n` (any rank) or `n × r`.
    public func sample<G: RandomNumberGenerator>(shape: [Int], using generator: inout G) throws -> Tensor<Scalar> {
        try validate(shape, operation: "sample")
        let n = shape[shape.count - 1]
        return try FactoredSpectrum(rows: n, columns: n, rank: rank ?? n)
            .symmetricSample(batch: Array(shape.dropLast(2)), using: &generator) { count, g in
                Tensor<Scalar>.randomNormal([count], standardDeviation: 0.5, using: &g).map { Scalar.exp($0) }
            }
    }
}
