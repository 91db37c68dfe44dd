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
        let batch = x.shape[0], inputSize = x.shape[1], hidden = recurrent.shape[0]
        var z = Tensor<Scalar>(shape: [batch, hidden]) { out in
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
        var inputs = [x, h, input, recurrent]
        if let bias { inputs.append(bias) }
        if let tapeID = Tensor.recordingTapeID(inputs) {
            let tracked = inputs.map(\.isTracked)
            let x = x.detached(), h = h.detached(), input = input.detached(), recurrent = recurrent.detached()
            z.record(tapeID, "RNNCell.affine", inputs) { dz in
                var grads: [Tensor<Scalar>?] = [
                    tracked[0] ? matmul(dz, input) : nil,
                    tracked[1] ? matmul(dz, recurrent) : nil,
                    tracked[2] ? matmul(dz, transposed: true, x, transposed: false) : nil,
                    tracked[3] ? matmul(dz, transposed: true, h, transposed: false) : nil,
                ]
                if tracked.count == 5 { grads.append(tracked[4] ? dz.summed(toShape: [hidden]) : nil) }
                return grads
            }
        }
        return z
    }
}
