extension RNNCell {
    /// The pre-activation of one step, `z = x W_inᵀ + h W_recᵀ + b`, as one graph node.
    ///
    /// Written as a single kernel because an unrolled sequence runs it at every step: the bias
    /// is broadcast into the output and both products accumulate into it with GEMM's `β = 1`
    /// (one allocation instead of four, one node instead of four). The pullback is
    /// `dx = dz W_in`, `dh = dz W_rec`, `dW_in = dzᵀ x`, `dW_rec = dzᵀ h`, `db = Σ_batch dz`,
    /// each computed only when its input is tracked.
    @inlinable
    static func affine(_ x: Tensor<Scalar>, _ h: Tensor<Scalar>, input: Tensor<Scalar>,
                       recurrent: Tensor<Scalar>, bias: Tensor<Scalar>?) -> Tensor<Scalar> {
        var z = affineValue(x, h, input: input, recurrent: recurrent, bias: bias)
        var inputs = [x, h, input, recurrent]
        if let bias { inputs.append(bias) }
        if let tapeID = Tensor.recordingTapeID(inputs) {
            let pullback = affinePullback(inputs)
            z.record(tapeID, "RNNCell.affine", inputs) { dz in pullback(dz) }
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
            y.record(tapeID, "RNNCell.affineTanh", inputs) { g in
                pullback(Tensor.broadcastingMap(g, value) { $0 * (1 - $1 * $1) })
            }
        }
        return y
    }

    /// One step with modReLU fused in: `y = modReLU(x W_inᵀ + h W_recᵀ + b, bias: b_mod)` as
    /// one graph node (inputs x, h, W_in, W_rec, b, b_mod).
    ///
    /// modReLU(z)ⱼ = sign(zⱼ)·max(|zⱼ| + b_modⱼ, 0) overwrites z in place. Its pullback needs
    /// only the output: an element is active exactly where yⱼ ≠ 0 (there sign(yⱼ) = sign(zⱼ)),
    /// so `dz = g` where active and 0 elsewhere, and `db_mod = Σ_batch sign(y) ⊙ dz`.
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
                for r in 0..<rows {
                    let base = r * features
                    for j in 0..<features {
                        let v = zs[base + j]
                        let m = Swift.abs(v) + bs[j]
                        zs[base + j] = m > 0 ? (v > 0 ? m : v < 0 ? -m : 0) : 0
                    }
                }
            }
        }
        var inputs = [x, h, input, recurrent]
        if let bias { inputs.append(bias) }
        let affineCount = inputs.count
        inputs.append(modReLUBias)
        if let tapeID = Tensor.recordingTapeID(inputs) {
            let pullback = affinePullback(Array(inputs.prefix(affineCount)))
            let value = y.detached(), needBias = modReLUBias.isTracked
            y.record(tapeID, "RNNCell.affineModReLU", inputs) { g in
                var dbSum = [Scalar](repeating: 0, count: features)
                let dz = Tensor<Scalar>(shape: value.shape) { out in
                    value.withUnsafeBufferPointer { ys in
                        g.withUnsafeBufferPointer { gs in
                            dbSum.withUnsafeMutableBufferPointer { db in
                                for r in 0..<rows {
                                    let base = r * features
                                    for j in 0..<features {
                                        let v = ys[base + j]
                                        let gv = v != 0 ? gs[base + j] : 0
                                        out[base + j] = gv
                                        db[j] += v > 0 ? gv : -gv
                                    }
                                }
                            }
                        }
                    }
                }
                return pullback(dz) + [needBias ? Tensor(dbSum) : nil]
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
                    Scalar.gemm(transA: false, transB: true, m: batch, n: hidden, k: inputSize, alpha: 1,
                                a: px.baseAddress!, lda: inputSize, b: pw.baseAddress!, ldb: inputSize,
                                beta: 1, c: pz, ldc: hidden)
                }
            }
            h.withUnsafeBufferPointer { ph in
                recurrent.withUnsafeBufferPointer { pw in
                    Scalar.gemm(transA: false, transB: true, m: batch, n: hidden, k: hidden, alpha: 1,
                                a: ph.baseAddress!, lda: hidden, b: pw.baseAddress!, ldb: hidden,
                                beta: 1, c: pz, ldc: hidden)
                }
            }
        }
    }

    /// The pullback of ``affineValue(_:_:input:recurrent:bias:)`` for `inputs` = [x, h, W_in,
    /// W_rec] (+ b): `dx = dz W_in`, `dh = dz W_rec`, `dW_in = dzᵀ x`, `dW_rec = dzᵀ h`,
    /// `db = Σ_batch dz`, each only when its input is tracked. It captures the inputs'
    /// storage (shared with the inputs themselves), no copy.
    @inlinable
    static func affinePullback(_ inputs: [Tensor<Scalar>]) -> (Tensor<Scalar>) -> [Tensor<Scalar>?] {
        let tracked = inputs.map(\.isTracked)
        let x = inputs[0].detached(), h = inputs[1].detached()
        let input = inputs[2].detached(), recurrent = inputs[3].detached()
        return { dz in
            var grads: [Tensor<Scalar>?] = [
                tracked[0] ? matmul(dz, input) : nil,
                tracked[1] ? matmul(dz, recurrent) : nil,
                tracked[2] ? matmul(dz, transposed: true, x, transposed: false) : nil,
                tracked[3] ? matmul(dz, transposed: true, h, transposed: false) : nil,
            ]
            if tracked.count == 5 { grads.append(tracked[4] ? columnSums(dz) : nil) }
            return grads
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
