extension RNNCell {
    /// The pre-activation of one step, `z = x W_inᵀ + h W_recᵀ + b`, as one graph node.
    ///
    /// Written as a single kernel because an unrolled sequence runs it at every step: the bias
    /// is broadcast into the output and both products accumulate into it with GEMM's `β = 1`
    /// (one allocation instead of four, one node instead of four). The pullback is
    /// `dx = dz W_in`, `dh = dz W_rec`, `dW_in = dzᵀ x`, `dW_rec = dzᵀ h`, `db = Σ_batch dz`,
    /// each computed only when its input is tracked, and each added with `β = 1` into what
    /// its input has received so far: a loop over the cell sums `dW_rec` over the steps, and
    /// the state's cotangent from the next step, in place.
    @inlinable
    static func affine(_ x: Tensor<Scalar>, _ h: Tensor<Scalar>, input: Tensor<Scalar>,
                       recurrent: Tensor<Scalar>, bias: Tensor<Scalar>?) -> Tensor<Scalar> {
        var z = affineValue(x, h, input: input, recurrent: recurrent, bias: bias)
        var inputs = [x, h, input, recurrent]
        if let bias { inputs.append(bias) }
        if let tapeID = Tensor.recordingTapeID(inputs) {
            let pullback = affinePullback(inputs)
            z.record(tapeID, "RNNCell.affine", inputs) { dz, sums in pullback(dz, &sums) }
        }
        return z
    }

    /// One step with tanh fused in: `y = tanh(x W_inᵀ + h W_recᵀ + b)` as one graph node.
    ///
    /// tanh overwrites the pre-activation in place, and the pullback needs only the output
    /// (`dz = g ⊙ (1 − y²)`), which the next step holds anyway as its state: per step the
    /// graph keeps no tensor but the states, and one node instead of two.
    @inlinable
    static func affineTanh(_ x: Tensor<Scalar>, _ h: Tensor<Scalar>, input: Tensor<Scalar>,
                           recurrent: Tensor<Scalar>, bias: Tensor<Scalar>?) -> Tensor<Scalar> {
        var y = affineValue(x, h, input: input, recurrent: recurrent, bias: bias)
        y.formTanh()
        var inputs = [x, h, input, recurrent]
        if let bias { inputs.append(bias) }
        if let tapeID = Tensor.recordingTapeID(inputs) {
            let pullback = affinePullback(inputs)
            let value = y.detached()
            y.record(tapeID, "RNNCell.affineTanh", inputs) { g, sums in
                let dz = Tensor<Scalar>(shape: value.shape) { out in
                    g.withUnsafeBufferPointer { gs in
                        value.withUnsafeBufferPointer { ys in
                            ElementwiseKernels.tanhPullback(gs.baseAddress!, output: ys.baseAddress!,
                                                            into: out.baseAddress!, count: out.count)
                        }
                    }
                }
                pullback(dz, &sums)
            }
        }
        return y
    }

    /// One step with modReLU fused in: `y = modReLU(x W_inᵀ + h W_recᵀ + b, bias: b_mod)` as
    /// one graph node (inputs x, h, W_in, W_rec, b, b_mod).
    ///
    /// modReLU(z)ⱼ = sign(zⱼ)·max(|zⱼ| + b_modⱼ, 0) overwrites z in place. Its pullback needs
    /// only the output: an element is active exactly where yⱼ ≠ 0 (there sign(yⱼ) = sign(zⱼ)),
    /// so `dz = g` where active and 0 elsewhere, and `db_mod = Σ_batch sign(y) ⊙ dz`; one
    /// vectorised pass (``ModReLUKernel``) gives dz, `db_mod` and the affine bias's `Σ_batch dz`.
    @inlinable
    static func affineModReLU(_ x: Tensor<Scalar>, _ h: Tensor<Scalar>, input: Tensor<Scalar>,
                              recurrent: Tensor<Scalar>, bias: Tensor<Scalar>?,
                              modReLUBias: Tensor<Scalar>) -> Tensor<Scalar> {
        var y = affineValue(x, h, input: input, recurrent: recurrent, bias: bias)
        let features = y.shape[1], rows = y.shape[0]
        precondition(modReLUBias.shape == [features],
                     "RNNCell: modReLU bias shape \(modReLUBias.shape) does not match the hidden size \(features)")
        modReLUBias.withUnsafeBufferPointer { bs in
            y.withUnsafeMutableBufferPointer { zs in
                ModReLUKernel.apply(zs.baseAddress!, bias: bs.baseAddress!, rows: rows, columns: features)
            }
        }
        var inputs = [x, h, input, recurrent]
        if let bias { inputs.append(bias) }
        let affineCount = inputs.count
        inputs.append(modReLUBias)
        if let tapeID = Tensor.recordingTapeID(inputs) {
            // The affine bias's cotangent Σ_batch dz comes out of the same pass as dz.
            let needAffineBias = bias?.isTracked ?? false
            let pullback = affinePullback(Array(inputs.prefix(affineCount)), sumsBias: false)
            let value = y.detached(), needBias = modReLUBias.isTracked
            y.record(tapeID, "RNNCell.affineModReLU", inputs) { g, sums in
                var modSums = [Scalar](repeating: 0, count: features)
                var biasSums = [Scalar](repeating: 0, count: needAffineBias ? features : 0)
                let dz = Tensor<Scalar>(shape: value.shape) { out in
                    value.withUnsafeBufferPointer { ys in
                        g.withUnsafeBufferPointer { gs in
                            modSums.withUnsafeMutableBufferPointer { db in
                                biasSums.withUnsafeMutableBufferPointer { bsum in
                                    ModReLUKernel.pullback(output: ys.baseAddress!, cotangent: gs.baseAddress!,
                                                           into: out.baseAddress!, biasCotangent: db.baseAddress!,
                                                           columnSums: needAffineBias ? bsum.baseAddress! : nil,
                                                           rows: rows, columns: features)
                                }
                            }
                        }
                    }
                }
                pullback(dz, &sums)
                if needAffineBias { add(Tensor(biasSums), into: &sums[4]) }
                if needBias { add(Tensor(modSums), into: &sums[affineCount]) }
            }
        }
        return y
    }

    /// `z = x W_inᵀ + h W_recᵀ + b` without recording: the bias is broadcast into the output
    /// and both products accumulate into it with GEMM's `β = 1`.
    @inlinable
    static func affineValue(_ x: Tensor<Scalar>, _ h: Tensor<Scalar>, input: Tensor<Scalar>,
                            recurrent: Tensor<Scalar>, bias: Tensor<Scalar>?) -> Tensor<Scalar> {
        let batch = x.shape[0], inputSize = x.shape[1], hidden = recurrent.shape[0]
        return Tensor<Scalar>(shape: [batch, hidden]) { out in
            let pz = out.baseAddress!
            if let bias {
                bias.withUnsafeBufferPointer { b in
                    for r in 0..<batch { (pz + r * hidden).initialize(from: b.baseAddress!, count: hidden) }
                }
            } else {
                out.initialize(repeating: 0)
            }
            x.withUnsafeBufferPointer { px in
                input.withUnsafeBufferPointer { pw in
                    PooledGEMM.gemm(transA: false, transB: true, m: batch, n: hidden, k: inputSize, alpha: 1,
                                a: px.baseAddress!, lda: inputSize, b: pw.baseAddress!, ldb: inputSize,
                                beta: 1, c: pz, ldc: hidden)
                }
            }
            h.withUnsafeBufferPointer { ph in
                recurrent.withUnsafeBufferPointer { pw in
                    PooledGEMM.gemm(transA: false, transB: true, m: batch, n: hidden, k: hidden, alpha: 1,
                                a: ph.baseAddress!, lda: hidden, b: pw.baseAddress!, ldb: hidden,
                                beta: 1, c: pz, ldc: hidden)
                }
            }
        }
    }

    /// The pullback of ``affineValue(_:_:input:recurrent:bias:)`` for `inputs` = [x, h, W_in,
    /// W_rec] (+ b), adding into the first `inputs.count` slots of the cotangents so far:
    /// `dx += dz W_in`, `dh += dz W_rec`, `dW_in += dzᵀ x`, `dW_rec += dzᵀ h`,
    /// `db += Σ_batch dz` (unless `sumsBias` is false: the caller sums it with its own pass),
    /// each only when its input is tracked. It captures the inputs'
    /// storage (shared with the inputs themselves), no copy.
    @inlinable
    static func affinePullback(_ inputs: [Tensor<Scalar>], sumsBias: Bool = true)
    -> (Tensor<Scalar>, inout [Tensor<Scalar>?]) -> Void {
        let tracked = inputs.map(\.isTracked)
        let x = inputs[0].detached(), h = inputs[1].detached()
        let input = inputs[2].detached(), recurrent = inputs[3].detached()
        return { dz, sums in
            if tracked[0] { pooledAddMatmul(dz, transposed: false, input, into: &sums[0]) }
            if tracked[1] { pooledAddMatmul(dz, transposed: false, recurrent, into: &sums[1]) }
            if tracked[2] { pooledAddMatmul(dz, transposed: true, x, into: &sums[2]) }
            if tracked[3] { pooledAddMatmul(dz, transposed: true, h, into: &sums[3]) }
            if sumsBias && tracked.count == 5 && tracked[4] { add(columnSums(dz), into: &sums[4]) }
        }
    }

    /// `sum ← sum + op(a) · b` (`sum` = `op(a) · b` when nil), with ``PooledGEMM``, as every
    /// product of the cell: `addMatmul` and `matmul` would run on OpenBLAS's threads, whose
    /// idle worker then competes with the pool for the rest of the step.
    @inlinable
    static func pooledAddMatmul(_ a: Tensor<Scalar>, transposed transA: Bool, _ b: Tensor<Scalar>,
                                into sum: inout Tensor<Scalar>?) {
        let m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1], n = b.shape[1]
        precondition(b.shape[0] == k, "RNNCell: \(a.shape)\(transA ? "ᵀ" : "") · \(b.shape) do not multiply")
        let beta: Scalar = sum == nil ? 0 : 1
        if sum == nil { sum = Tensor<Scalar>(shape: [m, n]) { _ in } }
        precondition(sum!.shape == [m, n], "RNNCell: the cotangent's shape \(sum!.shape) is not [\(m), \(n)]")
        if m == 0 || n == 0 { return }
        if k == 0 { if beta == 0 { sum = Tensor<Scalar>.zeros([m, n]) }; return }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                sum!.withUnsafeMutableBufferPointer { pc in
                    PooledGEMM.gemm(transA: transA, transB: false, m: m, n: n, k: k, alpha: 1,
                                    a: pa.baseAddress!, lda: a.shape[1], b: pb.baseAddress!, ldb: n,
                                    beta: beta, c: pc.baseAddress!, ldc: n)
                }
            }
        }
    }

    /// Σ over rows of a (rows, n) matrix: a straight loop over contiguous rows (the general
    /// `summed(toShape:)` walks a broadcast layout and cost more than the sum itself here).
    @inlinable
    static func columnSums(_ m: Tensor<Scalar>) -> Tensor<Scalar> {
        let rows = m.shape[0], n = m.shape[1]
        return Tensor<Scalar>(shape: [n]) { out in
            out.initialize(repeating: 0)
            m.withUnsafeBufferPointer { p in
                for r in 0..<rows {
                    let row = p.baseAddress! + r * n
                    for j in 0..<n { out[j] += row[j] }
                }
            }
        }
    }
}
