/// The first `n` columns of the product of Householder reflectors, batched, exactly as
/// `torch.linalg.householder_product` (LAPACK's `orgqr`).
///
/// `reflectors` is `(..., m, n)` with `m ≥ n` and `tau` is `(..., k)` with `k ≤ n` (same batch
/// axes). Column `i < k` below the diagonal holds the reflector's vector
/// `vᵢ = (0, …, 0, 1, A[i+1, i], …, A[m−1, i])ᵀ` (the diagonal and everything above it are not
/// read, nor are columns `≥ k`), and
///
///     Q = H₀ H₁ ⋯ H_{k−1} E,   Hᵢ = I − τᵢ vᵢ vᵢᵀ,   E = the first n columns of I_m,
///
/// of shape `(..., m, n)`. With the output of a QR factorisation (`geqrf`) Q is that
/// factorisation's orthogonal factor; any `τ` is accepted (Hᵢ is orthogonal only when
/// `τᵢ = 2 / ‖vᵢ‖²` or 0).
///
/// It is computed blockwise in the compact WY form (`Hⱼ ⋯ H_{j+w−1} = I − V T Vᵀ`), as `orgqr`
/// does, so the work is in GEMMs.
///
/// **Gradient.** Exact for any `τ`, also blocked and in GEMMs: about 2.5 times the forward's
/// flops, 3 times its time (256 × 256 Double, one thread: 1.0 ms forward, 4.0 ms forward and
/// backward, where PyTorch's reflector-by-reflector update of an m × m matrix takes 157 ms).
/// The derivation is in `HouseholderBlocks.swift`. The gradient with respect to the entries
/// that are not read is zero.
///
/// ```swift
/// let (a, tau) = (Tensor<Double>(shape: [2, 1], scalars: [0, 1]), Tensor<Double>([1]))
/// let q = try householderProduct(a, tau: tau)   // v = (1, 1): Q = (I − v vᵀ) e₀ = [[0], [−1]]
/// ```
///
/// - Throws: ``LinAlgError`` when `reflectors` or `tau` holds NaN or infinity.
/// - Precondition: `m ≥ n ≥ k` and equal batch axes (the message names both shapes).
@inlinable
public func householderProduct<Scalar>(_ reflectors: Tensor<Scalar>, tau: Tensor<Scalar>) throws -> Tensor<Scalar> {
    if let message = HouseholderShapes.mismatch(reflectors.shape, tau.shape) { preconditionFailure(message) }
    let layout = MatrixBatch(reflectors.shape, operation: "householderProduct")
    try requireFinite(reflectors, layout, operation: "householderProduct")
    for i in 0..<tau.scalarCount where !tau.storage.base[i].isFinite {
        throw LinAlgError(operation: "householderProduct", shape: tau.shape, cause: .nonFinite)
    }
    let m = layout.rows, n = layout.columns, k = tau.shape[tau.rank - 1]
    let blocks = HouseholderBlocks(m: m, n: n, k: k)
    let tapeID = Tensor.recordingTapeID(reflectors, tau)
    let stateSize = tapeID == nil ? 0 : blocks.totalStateSize
    var states = [Scalar](repeating: 0, count: stateSize * layout.count)
    var scratch = [Scalar](repeating: 0, count: HouseholderKernel.scratchSize(blocks))
    var q = Tensor<Scalar>(shape: reflectors.shape) { out in
        guard m > 0 && n > 0 else { return }
        states.withUnsafeMutableBufferPointer { st in
            scratch.withUnsafeMutableBufferPointer { sc in
                for b in 0..<layout.count {
                    HouseholderKernel.forward(
                        reflectors.storage.base + b * m * n, tau: tau.storage.base + b * k, blocks,
                        q: out.baseAddress! + b * m * n,
                        states: stateSize > 0 ? st.baseAddress! + b * stateSize : nil,
                        scratch: sc.baseAddress!)
                }
            }
        }
    }
    if let tapeID {
        let a = reflectors.detached(), t = tau.detached()
        let saved = states
        let ta = reflectors.isTracked, tt = tau.isTracked
        q.record(tapeID, "householderProduct", reflectors, tau) { g in
            var tauBar = Tensor<Scalar>(shape: t.shape, repeating: 0)
            var vBar = Tensor<Scalar>(shape: a.shape, repeating: 0)
            guard m > 0 && n > 0 && k > 0 else { return (ta ? vBar : nil, tt ? tauBar : nil) }
            var work = [Scalar](repeating: 0, count: m * n)
            var scratch = [Scalar](repeating: 0, count: HouseholderKernel.backwardScratchSize(blocks))
            vBar.withUnsafeMutableBufferPointer { pv in
                tauBar.withUnsafeMutableBufferPointer { pt in
                    saved.withUnsafeBufferPointer { st in
                        work.withUnsafeMutableBufferPointer { wk in
                            scratch.withUnsafeMutableBufferPointer { sc in
                                for b in 0..<layout.count {
                                    HouseholderKernel.backward(
                                        a.storage.base + b * m * n, tau: t.storage.base + b * k, blocks,
                                        states: st.baseAddress! + b * stateSize, qBar: g.storage.base + b * m * n,
                                        vBar: pv.baseAddress! + b * m * n, tauBar: pt.baseAddress! + b * k,
                                        work: wk.baseAddress!, scratch: sc.baseAddress!)
                                }
                            }
                        }
                    }
                }
            }
            return (ta ? vBar : nil, tt ? tauBar : nil)
        }
    }
    return q
}

/// The shape rules of ``householderProduct(_:tau:)``, apart so that their messages can be tested.
@usableFromInline
enum HouseholderShapes {
    /// The precondition message for shapes that `householderProduct` rejects, or `nil`.
    @inlinable
    static func mismatch(_ reflectors: [Int], _ tau: [Int]) -> String? {
        guard reflectors.count >= 2, tau.count >= 1 else {
            return "householderProduct: shapes \(reflectors) and \(tau) do not match (reflectors must be (..., m, n) and tau (..., k))"
        }
        let m = reflectors[reflectors.count - 2], n = reflectors[reflectors.count - 1], k = tau[tau.count - 1]
        guard m >= n else {
            return "householderProduct: reflectors of shape \(reflectors) need m ≥ n (tau has shape \(tau))"
        }
        guard k <= n else {
            return "householderProduct: shapes \(reflectors) and \(tau) do not match (k = \(k) reflectors need k ≤ n = \(n))"
        }
        guard Array(reflectors.dropLast(2)) == Array(tau.dropLast()) else {
            return "householderProduct: shapes \(reflectors) and \(tau) do not match (batch axes \(Array(reflectors.dropLast(2))) and \(Array(tau.dropLast())) differ)"
        }
        return nil
    }
}
