/// The cross-entropy of class scores against integer labels, averaged over the rows:
/// `(1/N) Σₙ (log Σ_c e^{x[n, c]} − x[n, yₙ])`, as a rank-0 tensor.
///
/// `logits` has shape `[..., classes]`; its leading axes are flattened into `N` rows, and
/// `labels` holds one class index in `0..<classes` per row, in row-major order (so logits
/// `[T, batch, classes]` take labels ordered by time, then batch). This is PyTorch's
/// `cross_entropy(logits.reshape(-1, C), labels)`.
///
/// ```swift
/// let loss = crossEntropy(logits: model(x), labels: [2, 0, 1])   // logits [3, classes]
/// ```
///
/// Numerics: each row's log-sum-exp is computed as `m + log Σ e^{x − m}` with `m` the row's
/// maximum, so no exponential overflows and the sum is at least 1 (its log is accurate);
/// the loss of a row is then a difference of two terms of similar size only when the row is
/// confidently right, where its absolute error stays O(ε · |m|). The gradient,
/// `(softmax(x) − onehot(y)) / N`, reuses the softmax from the forward pass.
///
/// - Precondition: one label per row, each in `0..<classes`.
@inlinable
public func crossEntropy<Scalar>(logits: Tensor<Scalar>, labels: [Int]) -> Tensor<Scalar> {
    precondition(logits.rank >= 1, "crossEntropy: logits need a class axis, got shape \(logits.shape)")
    let classes = logits.shape[logits.rank - 1]
    let rows = classes == 0 ? 0 : logits.scalarCount / classes
    precondition(labels.count == rows && rows > 0,
                 "crossEntropy: logits shape \(logits.shape) has \(rows) rows, but \(labels.count) labels were given")
    for label in labels {
        precondition(label >= 0 && label < classes, "crossEntropy: label \(label) is not in 0..<\(classes)")
    }
    let targets = CrossEntropyKernel<Scalar>.Targets.labels(labels)
    return CrossEntropyKernel.loss(logits, targets, rows: rows, classes: classes)
}

/// The cross-entropy of class scores against target distributions, averaged over the rows:
/// `−(1/N) Σₙ Σ_c p[n, c] · log softmax(x[n])_c`, as a rank-0 tensor.
///
/// `probabilities` has `logits`' shape (one-hot rows give ``crossEntropy(logits:labels:)``;
/// smoothed labels or a teacher's outputs work too). Differentiable in both: the gradient in
/// the logits is `(softmax(x) · Σ_c p − p) / N`, in the targets `−log softmax(x) / N`. The
/// log-softmax is formed stably (see ``crossEntropy(logits:labels:)``).
@inlinable
public func crossEntropy<Scalar>(logits: Tensor<Scalar>, probabilities: Tensor<Scalar>) -> Tensor<Scalar> {
    precondition(logits.rank >= 1 && logits.shape == probabilities.shape,
                 "crossEntropy: logits shape \(logits.shape) and probabilities shape \(probabilities.shape) differ")
    let classes = logits.shape[logits.rank - 1]
    let rows = classes == 0 ? 0 : logits.scalarCount / classes
    precondition(rows > 0, "crossEntropy: empty logits of shape \(logits.shape)")
    return CrossEntropyKernel.loss(logits, .probabilities(probabilities), rows: rows, classes: classes)
}

/// The fused log-softmax + negative log-likelihood kernel behind both cross-entropies: one
/// pass per row forward, the softmax kept for the pullback.
@usableFromInline
enum CrossEntropyKernel<Scalar: TensorScalar> {
    @usableFromInline
    enum Targets {
        case labels([Int])
        case probabilities(Tensor<Scalar>)
    }

    @inlinable
    static func loss(_ logits: Tensor<Scalar>, _ targets: Targets, rows: Int, classes: Int) -> Tensor<Scalar> {
        // Per row: m = max x, s = Σ e^{x − m}, lse = m + log s, softmax = e^{x − m} / s.
        var total: Scalar = 0
        var lse = [Scalar](repeating: 0, count: rows)
        let softmax = Tensor<Scalar>(shape: logits.shape) { out in
            logits.withUnsafeBufferPointer { xs in
                for n in 0..<rows {
                    let base = n * classes
                    var m = xs[base]
                    for c in 1..<classes where xs[base + c] > m { m = xs[base + c] }
                    var s: Scalar = 0
                    for c in 0..<classes {
                        let e = Scalar.exp(xs[base + c] - m)
                        out[base + c] = e
                        s += e
                    }
                    let inverse = 1 / s
                    for c in 0..<classes { out[base + c] *= inverse }
                    lse[n] = m + Scalar.log(s)
                }
            }
        }
        logits.withUnsafeBufferPointer { xs in
            switch targets {
            case .labels(let labels):
                for n in 0..<rows { total += lse[n] - xs[n * classes + labels[n]] }
            case .probabilities(let p):
                p.withUnsafeBufferPointer { ps in
                    for n in 0..<rows {
                        let base = n * classes
                        var row: Scalar = 0
                        for c in 0..<classes { row += ps[base + c] * (lse[n] - xs[base + c]) }
                        total += row
                    }
                }
            }
        }
        let scale = 1 / Scalar(rows)
        var out = Tensor<Scalar>(total * scale)
        let inputs: [Tensor<Scalar>]
        switch targets {
        case .labels: inputs = [logits]
        case .probabilities(let p): inputs = [logits, p]
        }
        if let tapeID = Tensor.recordingTapeID(inputs) {
            let needLogits = logits.isTracked
            let xValue = logits.detached()
            out.record(tapeID, "crossEntropy", inputs) { g in
                let factor = g.scalar * scale
                var dx: Tensor<Scalar>? = nil
                switch targets {
                case .labels(let labels):
                    if needLogits {
                        dx = Tensor(shape: softmax.shape) { out in
                            softmax.withUnsafeBufferPointer { sm in
                                for i in 0..<out.count { out[i] = sm[i] * factor }
                                for n in 0..<rows { out[n * classes + labels[n]] -= factor }
                            }
                        }
                    }
                    return [dx]
                case .probabilities(let p):
                    var dp: Tensor<Scalar>? = nil
                    if needLogits {
                        dx = Tensor(shape: softmax.shape) { out in
                            softmax.withUnsafeBufferPointer { sm in
                                p.withUnsafeBufferPointer { ps in
                                    for n in 0..<rows {
                                        let base = n * classes
                                        var mass: Scalar = 0
                                        for c in 0..<classes { mass += ps[base + c] }
                                        for c in 0..<classes {
                                            out[base + c] = (sm[base + c] * mass - ps[base + c]) * factor
                                        }
                                    }
                                }
                            }
                        }
                    }
                    if p.isTracked {
                        dp = Tensor(shape: p.shape) { out in
                            xValue.withUnsafeBufferPointer { xs in
                                for n in 0..<rows {
                                    let base = n * classes
                                    for c in 0..<classes { out[base + c] = (xs[base + c] - lse[n]) * -factor }
                                }
                            }
                        }
                    }
                    return [dx, dp]
                }
            }
        }
        return out
    }
}
