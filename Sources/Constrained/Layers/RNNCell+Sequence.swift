extension RNNCell {
    /// The whole unrolled sequence as one graph node:
    /// `y_t = σ(x_t W_inᵀ + y_{t−1} W_recᵀ + b)` for t = 0…T−1, `y_{−1} = h₀` (zeros when nil).
    ///
    /// As PyTorch's `nn.RNN`, but with the backward pass written out (backpropagation through
    /// time) instead of one recorded node per step:
    /// - forward: the input projection `X W_inᵀ + b` of all steps is one GEMM with `T·batch`
    ///   rows, written into the output; each step then adds `y_{t−1} W_recᵀ` (GEMM, `β = 1`)
    ///   and applies `σ` in place;
    /// - backward, newest step first: `δ_t = (g_t + δ_{t+1} W_rec) ⊙ σ′`, where σ′ is read off
    ///   the output (`1 − y²` for tanh; 1 where `y ≠ 0` for modReLU, `y > 0` for relu), the one
    ///   GEMM per step; the weight gradients `dW_rec = Σ δ_tᵀ y_{t−1}`, `dW_in = Σ δ_tᵀ x_t`,
    ///   `db = Σ δ_t` and `dX = Δ W_in` are then GEMMs over chunks of the stacked
    ///   `Δ = [δ_t]` (``bpttChunkBytes`` of it, at least one step), accumulating into one buffer each
    ///   (`β = 1`), and modReLU's `db_mod = Σ sign(y_t) ⊙ δ_t`.
    ///
    /// The graph keeps the output (which the pullback reads for σ′ and `y_{t−1}`) and the
    /// inputs' storage, nothing per step; the backward pass allocates one chunk of `Δ`.
    /// The last state is returned as a second node on the same inputs whose pullback runs the
    /// same pass with a cotangent at the last step only.
    /// Inputs of the node: `xs`, `h₀` (when given), `W_in`, `W_rec`, `b` (when present),
    /// `b_mod` (modReLU). `chunkRows`, when given, is the size of a chunk of `Δ` in rows (tests
    /// make it small to cross chunk boundaries).
    @inlinable
    static func sequence(
        _ xs: Tensor<Scalar>, initialState h0: Tensor<Scalar>?, input: Tensor<Scalar>,
        recurrent: Tensor<Scalar>, bias: Tensor<Scalar>?, nonlinearity: Nonlinearity,
        modReLUBias: Tensor<Scalar>?, chunkRows: Int? = nil
    ) -> (outputs: Tensor<Scalar>, last: Tensor<Scalar>) {
        let steps = xs.shape[0], batch = xs.shape[1], inputSize = xs.shape[2], hidden = recurrent.shape[0]
        let stepCount = batch * hidden
        // σ is applied to one step at a time, in place in the outputs, through the vectorised
        // kernels (tanh, modReLU; relu is a plain loop).
        var outputs = Tensor<Scalar>(shape: [steps, batch, hidden]) { out in
            let po = out.baseAddress!
            if let bias {
                bias.withUnsafeBufferPointer { b in
                    for r in 0..<(steps * batch) { (po + r * hidden).initialize(from: b.baseAddress!, count: hidden) }
                }
            } else {
                out.initialize(repeating: 0)
            }
            xs.withUnsafeBufferPointer { px in
                input.withUnsafeBufferPointer { pw in
                    PooledGEMM.gemm(transA: false, transB: true, m: steps * batch, n: hidden, k: inputSize, alpha: 1,
                                a: px.baseAddress!, lda: inputSize, b: pw.baseAddress!, ldb: inputSize,
                                beta: 1, c: po, ldc: hidden)
                }
            }
            recurrent.withUnsafeBufferPointer { pw in
                let w = pw.baseAddress!
                for t in 0..<steps {
                    let c = po + t * stepCount
                    if t > 0 {
                        PooledGEMM.gemm(transA: false, transB: true, m: batch, n: hidden, k: hidden, alpha: 1,
                                    a: c - stepCount, lda: hidden, b: w, ldb: hidden, beta: 1, c: c, ldc: hidden)
                    } else if let h0 {
                        h0.withUnsafeBufferPointer { ph in
                            PooledGEMM.gemm(transA: false, transB: true, m: batch, n: hidden, k: hidden, alpha: 1,
                                        a: ph.baseAddress!, lda: hidden, b: w, ldb: hidden, beta: 1, c: c, ldc: hidden)
                        }
                    }
                    switch nonlinearity {
                    case .tanh:
                        ElementwiseKernels.tanh(c, into: c, count: stepCount)
                    case .relu:
                        for i in 0..<stepCount where !(c[i] > 0) { c[i] = 0 }
                    case .modReLU:
                        modReLUBias!.withUnsafeBufferPointer { bs in
                            ModReLUKernel.apply(c, bias: bs.baseAddress!, rows: batch, columns: hidden)
                        }
                    }
                }
            }
        }
        var inputs = [xs]
        if let h0 { inputs.append(h0) }
        inputs += [input, recurrent]
        if let bias { inputs.append(bias) }
        if let modReLUBias, nonlinearity == .modReLU { inputs.append(modReLUBias) }
        var last = Tensor<Scalar>(shape: [batch, hidden]) { out in
            outputs.withUnsafeBufferPointer { o in
                out.baseAddress!.initialize(from: o.baseAddress! + (steps - 1) * stepCount, count: stepCount)
            }
        }
        if let tapeID = Tensor.recordingTapeID(inputs) {
            func pullback(lastOnly: Bool) -> (Tensor<Scalar>) -> [Tensor<Scalar>?] {
                sequencePullback(
                    xs: xs.detached(), h0: h0?.detached(), input: input.detached(), recurrent: recurrent.detached(),
                    outputs: outputs.detached(), nonlinearity: nonlinearity,
                    tracked: inputs.map(\.isTracked), hasBias: bias != nil, chunkRows: chunkRows, lastOnly: lastOnly)
            }
            // Two nodes on the same inputs, each with its own pass through time: the gradient is
            // linear in the cotangents, so when both are used their contributions add up, and
            // when only `last` is (a classifier on the final state) no dense cotangent of all
            // the states is ever made.
            let outputsPullback = pullback(lastOnly: false), lastPullback = pullback(lastOnly: true)
            outputs.record(tapeID, "RNNCell.sequence", inputs) { g in outputsPullback(g) }
            last.record(tapeID, "RNNCell.sequence.last", inputs) { g in lastPullback(g) }
        }
        return (outputs, last)
    }

    /// A zero-filled buffer of `count` scalars (at least one, so it can always be deallocated).
    @inlinable
    static func zeroed(_ count: Int) -> UnsafeMutablePointer<Scalar> {
        let p = UnsafeMutablePointer<Scalar>.allocate(capacity: Swift.max(count, 1))
        p.initialize(repeating: 0, count: Swift.max(count, 1))
        return p
    }

    /// Bytes of the stacked `δ_t` that the backward pass of ``sequence(_:initialState:input:recurrent:bias:nonlinearity:modReLUBias:)``
    /// keeps at once (whole steps, at least one): small enough that the chunk is still in the
    /// core's cache when its weight-gradient GEMMs read it back. OpenBLAS packs the chunk's
    /// rows afresh for each GEMM, and a chunk of 8192 rows (12 MB in Double at hidden 190)
    /// made that packing 10 % of a step. Measured, T = 200, hidden 190, batch 128, Double, two
    /// threads, best of 6 alternated runs: 8192 rows 107.7 ms, 2048 96.7, 1024 98.1, 512
    /// (778 KB) 92.1; Float was within 4 % for all four.
    @inlinable
    static var bpttChunkBytes: Int { 768 << 10 }

    /// The pullback of ``sequence(_:initialState:input:recurrent:bias:nonlinearity:modReLUBias:)``:
    /// maps the cotangent of the outputs `[T, batch, hidden]` (or, when `lastOnly`, of the last
    /// state `[batch, hidden]` alone) to the cotangents of the node's inputs (in its order,
    /// nil for untracked ones).
    @inlinable
    static func sequencePullback(
        xs: Tensor<Scalar>, h0: Tensor<Scalar>?, input: Tensor<Scalar>, recurrent: Tensor<Scalar>,
        outputs: Tensor<Scalar>, nonlinearity: Nonlinearity, tracked: [Bool], hasBias: Bool,
        chunkRows: Int?, lastOnly: Bool
    ) -> (Tensor<Scalar>) -> [Tensor<Scalar>?] {
        let steps = xs.shape[0], batch = xs.shape[1], inputSize = xs.shape[2], hidden = recurrent.shape[0]
        // Which inputs want a cotangent, by role.
        var k = 0
        let wantX = tracked[k]; k += 1
        let wantH0 = h0 != nil ? tracked[k] : false; if h0 != nil { k += 1 }
        let wantIn = tracked[k], wantRec = tracked[k + 1]; k += 2
        let wantB = hasBias ? tracked[k] : false; if hasBias { k += 1 }
        let isModReLU = nonlinearity == .modReLU
        let wantMod = isModReLU ? tracked[k] : false
        return { g in
            let stepCount = batch * hidden
            let rows = chunkRows ?? bpttChunkBytes / Swift.max(1, hidden * MemoryLayout<Scalar>.stride)
            let chunkSteps = Swift.max(1, Swift.min(steps, rows / batch))
            let delta = UnsafeMutablePointer<Scalar>.allocate(capacity: chunkSteps * stepCount)
            let carry = UnsafeMutablePointer<Scalar>.allocate(capacity: stepCount)
            defer { delta.deallocate(); carry.deallocate() }
            // Accumulators, zeroed: the weight gradients sum over chunks with GEMM's β = 1.
            let qIn = zeroed(hidden * inputSize), qRec = zeroed(hidden * hidden)
            let qB = zeroed(hidden), qMod = zeroed(hidden), qH0 = zeroed(wantH0 ? stepCount : 0)
            let qX = zeroed(wantX ? steps * batch * inputSize : 0)
            defer { for q in [qIn, qRec, qB, qMod, qH0, qX] { q.deallocate() } }
            withBases([g, outputs, xs, input, recurrent, h0 ?? outputs]) { p in
                let pg = p[0], py = p[1], px = p[2], pwIn = p[3], pwRec = p[4], ph0 = p[5]
                var end = steps
                while end > 0 {
                    let start = Swift.max(0, end - chunkSteps)
                    for t in stride(from: end - 1, through: start, by: -1) {
                        let d = delta + (t - start) * stepCount
                        let gt = lastOnly ? pg : pg + t * stepCount, yt = py + t * stepCount
                        let hasCarry = t < steps - 1, hasG = !lastOnly || t == steps - 1
                        switch nonlinearity {
                        case .tanh:
                            switch (hasG, hasCarry) {
                            case (true, true):
                                for i in 0..<stepCount { d[i] = gt[i] + carry[i] }
                                ElementwiseKernels.tanhPullback(d, output: yt, into: d, count: stepCount)
                            case (true, false):
                                ElementwiseKernels.tanhPullback(gt, output: yt, into: d, count: stepCount)
                            case (false, _):   // a later step always passes a carry
                                ElementwiseKernels.tanhPullback(carry, output: yt, into: d, count: stepCount)
                            }
                        case .relu:
                            for i in 0..<stepCount {
                                let v = (hasG ? gt[i] : 0) + (hasCarry ? carry[i] : 0)
                                d[i] = yt[i] > 0 ? v : 0
                            }
                        case .modReLU:
                            // δ = (g + carry) where y ≠ 0, and db_mod += Σ sign(y) δ, in one
                            // vectorised pass over the summed cotangent.
                            switch (hasG, hasCarry) {
                            case (true, true): for i in 0..<stepCount { d[i] = gt[i] + carry[i] }
                            case (true, false): d.update(from: gt, count: stepCount)
                            case (false, _): d.update(from: carry, count: stepCount)
                            }
                            ModReLUKernel.pullback(output: yt, cotangent: d, into: d, biasCotangent: qMod,
                                                   columnSums: nil, rows: batch, columns: hidden)
                        }
                        if t > 0 || wantH0 {
                            // δ_t W_rec: the cotangent of y_{t−1} through step t.
                            PooledGEMM.gemm(transA: false, transB: false, m: batch, n: hidden, k: hidden, alpha: 1,
                                        a: d, lda: hidden, b: pwRec, ldb: hidden, beta: 0, c: carry, ldc: hidden)
                        }
                    }
                    let rows = (end - start) * batch
                    if wantIn {
                        PooledGEMM.gemm(transA: true, transB: false, m: hidden, n: inputSize, k: rows, alpha: 1,
                                    a: delta, lda: hidden, b: px + start * batch * inputSize, ldb: inputSize,
                                    beta: 1, c: qIn, ldc: inputSize)
                    }
                    if wantRec {
                        // Steps t ≥ 1 pair δ_t with y_{t−1}, contiguous in the outputs.
                        let first = Swift.max(start, 1)
                        if first < end {
                            PooledGEMM.gemm(transA: true, transB: false, m: hidden, n: hidden, k: (end - first) * batch,
                                        alpha: 1, a: delta + (first - start) * stepCount, lda: hidden,
                                        b: py + (first - 1) * stepCount, ldb: hidden, beta: 1, c: qRec, ldc: hidden)
                        }
                        if start == 0, h0 != nil {
                            PooledGEMM.gemm(transA: true, transB: false, m: hidden, n: hidden, k: batch, alpha: 1,
                                        a: delta, lda: hidden, b: ph0, ldb: hidden, beta: 1, c: qRec, ldc: hidden)
                        }
                    }
                    if wantB {
                        for r in 0..<rows {
                            let row = delta + r * hidden
                            for j in 0..<hidden { qB[j] += row[j] }
                        }
                    }
                    if wantX {
                        PooledGEMM.gemm(transA: false, transB: false, m: rows, n: inputSize, k: hidden, alpha: 1,
                                    a: delta, lda: hidden, b: pwIn, ldb: inputSize, beta: 0,
                                    c: qX + start * batch * inputSize, ldc: inputSize)
                    }
                    end = start
                }
                if wantH0 { qH0.update(from: carry, count: stepCount) }
            }
            func tensor(_ q: UnsafeMutablePointer<Scalar>, _ shape: [Int]) -> Tensor<Scalar> {
                Tensor(shape: shape) { out in out.baseAddress!.initialize(from: q, count: out.count) }
            }
            var grads: [Tensor<Scalar>?] = [wantX ? tensor(qX, xs.shape) : nil]
            if h0 != nil { grads.append(wantH0 ? tensor(qH0, [batch, hidden]) : nil) }
            grads += [wantIn ? tensor(qIn, [hidden, inputSize]) : nil, wantRec ? tensor(qRec, [hidden, hidden]) : nil]
            if hasBias { grads.append(wantB ? tensor(qB, [hidden]) : nil) }
            if isModReLU { grads.append(wantMod ? tensor(qMod, [hidden]) : nil) }
            return grads
        }
    }
}

/// Calls `body` with the base addresses of `tensors` (each non-empty, or a dangling pointer
/// for an empty one), valid for the duration of the call.
@inlinable
func withBases<Scalar: TensorScalar, R>(
    _ tensors: [Tensor<Scalar>], _ body: ([UnsafePointer<Scalar>]) -> R
) -> R {
    func bind(_ i: Int, _ bases: [UnsafePointer<Scalar>]) -> R {
        if i == tensors.count { return body(bases) }
        return tensors[i].withUnsafeBufferPointer { p in
            bind(i + 1, bases + [p.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Scalar>.alignment)!])
        }
    }
    return bind(0, [])
}
