// 1-norms of matrix powers and products that the scaling-and-squaring algorithm needs, at
// O(n²) cost each: matrix–vector products (GEMV) instead of forming the matrices (GEMM, n³).
// Everything is returned as a base-2 logarithm: powers such as ‖|A|²⁷‖ overflow long before
// the exponential does, so the vectors are renormalised by powers of two after every product
// (exact) and the exponents are carried separately.
//
// The matrix–vector products are plain loops rather than BLAS GEMV: they come in chains of up
// to 27 dependent calls, and OpenBLAS runs GEMV on several threads above n ≈ 96, so each call
// would pay a thread hand-off (and, on a loaded machine, a wait for a time slice) for a few
// microseconds of work. A single-threaded loop over a matrix that sits in cache is as fast.

import RealModule

@usableFromInline
enum NormEstimates<Scalar: TensorScalar> {
    /// `y ← op(A) x` for a row-major n × n matrix, single-threaded. Summation order is left to
    /// the optimiser (`Relaxed`), which is all an estimate needs.
    @inlinable
    static func multiply(_ a: UnsafePointer<Scalar>, transposed: Bool, _ x: UnsafePointer<Scalar>,
                         into y: UnsafeMutablePointer<Scalar>, n: Int) {
        if transposed {
            // y = Σ_i x_i A[i, :]: contiguous row updates.
            y.initialize(repeating: 0, count: n)
            for i in 0..<n {
                let xi = x[i], row = a + i * n
                if xi == 0 { continue }
                for j in 0..<n { y[j] = Relaxed.multiplyAdd(xi, row[j], y[j]) }
            }
        } else {
            for i in 0..<n {
                let row = a + i * n
                var s: Scalar = 0
                for j in 0..<n { s = Relaxed.multiplyAdd(row[j], x[j], s) }
                y[i] = s
            }
        }
    }

    /// Rescales `v` (non-zero entries assumed finite) so that its largest magnitude lies in
    /// [1, 2), and returns the base-2 exponent taken out.
    @inlinable
    static func normalize(_ v: UnsafeMutablePointer<Scalar>, count: Int) -> Int {
        var top: Scalar = 0
        for i in 0..<count { top = Swift.max(top, Swift.abs(v[i])) }
        guard top > 0, top.isFinite else { return 0 }
        let e = Int(top.exponent)
        _ = SquareMatrix<Scalar>.scale(v, count: count, byPowerOfTwo: -e)
        return e
    }

    /// `v ← op(M_1) ⋯ op(M_k) v` for n × n row-major factors, renormalised after every
    /// product; returns the total base-2 exponent taken out. `transposed` applies
    /// `(M_1 ⋯ M_k)ᵀ = M_kᵀ ⋯ M_1ᵀ` instead.
    @inlinable
    static func applyProduct(_ factors: [UnsafePointer<Scalar>], transposed: Bool,
                             to v: UnsafeMutablePointer<Scalar>, scratch: UnsafeMutablePointer<Scalar>,
                             n: Int) -> Int {
        var exponent = 0
        let order: [UnsafePointer<Scalar>] = transposed ? factors : factors.reversed()
        for m in order {
            multiply(m, transposed: transposed, v, into: scratch, n: n)
            v.update(from: scratch, count: n)
            exponent += normalize(v, count: n)
        }
        return exponent
    }

    /// An estimate of `log₂ ‖M_1 ⋯ M_k‖₁`, never above the truth, usually within a factor 3 of it.
    ///
    /// Hager's method as refined by Higham (the algorithm of LAPACK's `?lacn2`, one vector):
    /// a few steps of a power-like iteration on the convex function `x ↦ ‖Bx‖₁` over the unit
    /// ball, alternating products with `B` and `Bᵀ`, then an extra probe with an alternating
    /// vector that catches the cases where the iteration stalls. At most 11 products with the
    /// chain, each `k` matrix–vector products; the matrices themselves are never formed.
    @inlinable
    static func log2OneNormEstimate(ofProduct factors: [UnsafePointer<Scalar>], n: Int) -> Double {
        var x = [Scalar](repeating: 0, count: n)
        var y = [Scalar](repeating: 0, count: n)
        var scratch = [Scalar](repeating: 0, count: n)
        var xi = [Scalar](repeating: 0, count: n)
        return x.withUnsafeMutableBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    xi.withUnsafeMutableBufferPointer { xi in
                        estimate(factors, n: n, x.baseAddress!, y.baseAddress!,
                                 scratch.baseAddress!, xi.baseAddress!)
                    }
                }
            }
        }
    }

    @inlinable
    static func estimate(_ factors: [UnsafePointer<Scalar>], n: Int,
                         _ x: UnsafeMutablePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>,
                         _ scratch: UnsafeMutablePointer<Scalar>,
                         _ xi: UnsafeMutablePointer<Scalar>) -> Double {
        // log₂ ‖B v‖₁ where v is in x (x is consumed).
        func log2NormOfProduct() -> Double {
            let e = applyProduct(factors, transposed: false, to: x, scratch: scratch, n: n)
            var s: Scalar = 0
            for i in 0..<n { s += Swift.abs(x[i]) }
            y.update(from: x, count: n)
            return s > 0 ? Double.log2(Double(s)) + Double(e) : -.infinity
        }
        func signsOfY() -> Bool {  // writes sign(y) into xi; returns whether it changed
            var changed = false
            for i in 0..<n {
                let s: Scalar = y[i] >= 0 ? 1 : -1
                if s != xi[i] { changed = true }
                xi[i] = s
            }
            return changed
        }
        // z = Bᵀ ξ into x; returns argmax |z|.
        func transposedProductArgmax() -> (index: Int, value: Scalar) {
            x.update(from: xi, count: n)
            _ = applyProduct(factors, transposed: true, to: x, scratch: scratch, n: n)
            var j = 0
            var best: Scalar = -1
            for i in 0..<n where Swift.abs(x[i]) > best { best = Swift.abs(x[i]); j = i }
            return (j, best)
        }

        for i in 0..<n { x[i] = 1 / Scalar(n) }
        var est = log2NormOfProduct()
        if n == 1 { return est }
        _ = signsOfY()
        var (j, _) = transposedProductArgmax()
        for _ in 2...5 {
            for i in 0..<n { x[i] = 0 }
            x[j] = 1
            let next = log2NormOfProduct()
            if !(next > est) { break }
            est = next
            if !signsOfY() { break }
            // Stop when z = Bᵀξ is already largest at the current column (no better vertex).
            let previous = j
            let z = transposedProductArgmax()
            if Swift.abs(x[previous]) >= z.value { break }
            j = z.index
        }
        // The alternating probe x_i = (−1)^i (1 + i/(n−1)), scaled by 2/(3n).
        for i in 0..<n {
            let v = 1 + Scalar(i) / Scalar(n - 1)
            x[i] = i % 2 == 0 ? v : -v
        }
        let alternative = log2NormOfProduct() + Double.log2(2 / (3 * Double(n)))
        return Swift.max(est, alternative)
    }

    /// Base-2 logarithms of `‖|A|^p‖₁` for increasing `p`, exactly.
    ///
    /// For a matrix with non-negative entries the 1-norm is the largest entry of
    /// `eᵀ|A|^p` (its column sums), so `p` products of a vector with `|A|ᵀ` give it exactly:
    /// p·n² flops instead of the log₂(p)·n³ of forming the power. The vector is kept between
    /// calls, so asking for p = 7, 11, 15, 19, 27 in turn costs 27 products in all.
    @usableFromInline
    struct AbsolutePowers {
        @usableFromInline let n: Int
        @usableFromInline let absolute: TensorStorage<Scalar>
        @usableFromInline var vector: [Scalar]
        @usableFromInline var scratch: [Scalar]
        @usableFromInline var power = 0
        @usableFromInline var exponent = 0

        @inlinable
        init(_ a: UnsafePointer<Scalar>, n: Int) {
            self.n = n
            absolute = TensorStorage(uninitializedCount: n * n)
            for i in 0..<(n * n) { absolute.base[i] = Swift.abs(a[i]) }
            vector = [Scalar](repeating: 1, count: n)
            scratch = [Scalar](repeating: 0, count: n)
        }

        /// `log₂ ‖|A|^p‖₁`; `p` must not decrease between calls.
        @inlinable
        mutating func log2Norm(power p: Int) -> Double {
            precondition(p >= power, "AbsolutePowers: powers must be requested in increasing order")
            let n = self.n, base = absolute.base
            var e = exponent
            vector.withUnsafeMutableBufferPointer { v in
                scratch.withUnsafeMutableBufferPointer { s in
                    for _ in power..<p {
                        NormEstimates.multiply(base, transposed: true, v.baseAddress!,
                                               into: s.baseAddress!, n: n)
                        v.baseAddress!.update(from: s.baseAddress!, count: n)
                        e += NormEstimates.normalize(v.baseAddress!, count: n)
                    }
                }
            }
            exponent = e
            power = p
            let top = vector.max() ?? 0
            return top > 0 ? Double.log2(Double(top)) + Double(e) : -.infinity
        }
    }
}
