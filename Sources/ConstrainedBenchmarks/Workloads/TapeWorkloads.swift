import Constrained

/// The `tape` suite: the fixed cost of recording one small operation and running its
/// pullback, at the size of one RNN step (a 128 × 190 batch of hidden states).
/// Peer: PyTorch autograd (`Scripts/bench/peer_torch.py`).
///
/// - `forward`: the operation on inputs a tape watches (ours: inside `tape.record`, on a tape
///   made once; PyTorch: on tensors that require a gradient), so a node and its pullback are
///   recorded but never run.
/// - `forward+backward`: a fresh tape, the operation, `.sum()`, and the gradient with respect
///   to every input (PyTorch: `torch.autograd.grad(f(...).sum(), inputs)`). The pullback's
///   own cost is about the difference of the two phases; `report.py` tabulates it.
///
/// `n` is the batch (128); the operands are 128 × 190, and `matmul` multiplies by a 190 × 190
/// matrix, as the recurrent product of the RNN workloads does.
func tapeWorkloads<Scalar: TensorScalar>(_: Scalar.Type) -> [Workload] {
    let (batch, hidden) = (128, 190)
    let dtype = dtypeName(Scalar.self)
    let a = Tensor<Scalar>.randomNormal([batch, hidden], seed: 1)
    let b = Tensor<Scalar>.randomNormal([batch, hidden], seed: 2)
    let w = Tensor<Scalar>.randomNormal([hidden, hidden], seed: 3) * (1 / Scalar(hidden).squareRoot())
    let ops: [(String, Tensor<Scalar>, (Tensor<Scalar>, Tensor<Scalar>) -> Tensor<Scalar>)] = [
        ("add", b, { $0 + $1 }),
        ("mul", b, { $0 * $1 }),
        ("tanh", b, { x, _ in tanh(x) }),
        ("matmul", w, { matmul($0, $1) }),
    ]
    return ops.flatMap { name, other, f -> [Workload] in
        let unary = name == "tanh"
        let forward = Workload(suite: "tape", name: name, dtype: dtype, n: batch, phase: .forward) {
            let tape = GradientTape()
            let x = tape.watch(a), y = unary ? other : tape.watch(other)
            return { blackHole(tape.record { f(x, y) }) }
        }
        let backward = Workload(suite: "tape", name: name, dtype: dtype, n: batch, phase: .forwardBackward) {
            { () throws -> Void in
                let tape = GradientTape()
                let x = tape.watch(a), y = unary ? other : tape.watch(other)
                let loss = tape.record { f(x, y).sum() }
                blackHole(try tape.gradient(of: loss, wrt: unary ? [x] : [x, y]))
            }
        }
        return [forward, backward]
    }
}
