import Constrained

/// One timed piece of work: a named operation at one dtype, size and phase.
///
/// `prepare` builds the inputs outside the timed region and returns the body the timing loop
/// repeats. Preparation is lazy, so a `--filter`ed run allocates nothing for the workloads it
/// skips. The key `suite/workload/dtype/n/phase` is what `--filter` matches and what
/// `Scripts/bench/report.py` joins our lines and the peers' on: a peer script names the same
/// workload the same way.
struct Workload {
    let suite: String
    let name: String
    let dtype: String
    let n: Int
    let phase: Phase
    let prepare: () throws -> () throws -> Void

    var key: String { "\(suite)/\(name)/\(dtype)/\(n)/\(phase.rawValue)" }
}

/// What a measurement covers: the operation alone, or the operation recorded on a tape
/// followed by its gradient.
enum Phase: String {
    case forward
    case forwardBackward = "forward+backward"
    /// One training step of a model: forward, backward and the optimizer's update.
    case trainStep = "train-step"
}

/// The NumPy/PyTorch name of a scalar type, as the JSON lines spell it.
func dtypeName<Scalar: TensorScalar>(_: Scalar.Type) -> String {
    MemoryLayout<Scalar>.size == 4 ? "float32" : "float64"
}

/// Keeps a result alive past the optimiser, so the work producing it cannot be removed.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// Makes the workloads of one suite at one dtype and size; a suite file lists them.
///
/// ```swift
/// let w = WorkloadBuilder<Double>(suite: "linalg", n: 256)
/// w.forward("gemm") { let a = w.randomMatrix(); return { matmul(a, a) } }
/// ```
struct WorkloadBuilder<Scalar: TensorScalar> {
    let suite: String
    let n: Int

    /// A workload timing the closure that `prepare` returns.
    func forward<R>(_ name: String, _ prepare: @escaping () throws -> () throws -> R) -> Workload {
        Workload(suite: suite, name: name, dtype: dtypeName(Scalar.self), n: n, phase: .forward) {
            let body = try prepare()
            return { blackHole(try body()) }
        }
    }

    /// Two workloads for a differentiable function of one matrix: `forward` records `f` on a
    /// tape that watches the input; `forward+backward` also takes the gradient of the loss
    /// `Σᵢ sum(outputᵢ ⊙ Wᵢ)` for fixed random `Wᵢ` (so no output's cotangent is trivial).
    ///
    /// The peer script builds the same loss, so both sides differentiate the same thing.
    func differentiable(
        _ name: String, input: @escaping () -> Tensor<Scalar>,
        _ f: @escaping (Tensor<Scalar>) throws -> [Tensor<Scalar>]
    ) -> [Workload] {
        let dtype = dtypeName(Scalar.self)
        let forward = Workload(suite: suite, name: name, dtype: dtype, n: n, phase: .forward) {
            let x = input()
            return {
                let tape = GradientTape()
                let tx = tape.watch(x)
                blackHole(try tape.record { try f(tx) })
            }
        }
        let backward = Workload(suite: suite, name: name, dtype: dtype, n: n, phase: .forwardBackward) {
            let x = input()
            let weights = try f(x).enumerated().map { i, y in
                Tensor<Scalar>.randomNormal(y.shape, seed: 100 + UInt64(i))
            }
            return {
                let tape = GradientTape()
                let tx = tape.watch(x)
                let loss = try tape.record {
                    zip(try f(tx), weights).map { y, w in (y * w).sum() }.reduce(Tensor(0), +)
                }
                blackHole(try tape.gradient(of: loss, wrt: tx))
            }
        }
        return [forward, backward]
    }

    /// A `rows`×n matrix (square by default) of independent standard normal entries.
    func randomMatrix(rows: Int? = nil, seed: UInt64 = 1) -> Tensor<Scalar> {
        Tensor<Scalar>.randomNormal([rows ?? n, n], seed: seed)
    }

    /// A random n×n matrix scaled by 1/√n, so its spectral norm stays near 2 for every n.
    func scaledMatrix(seed: UInt64 = 1) -> Tensor<Scalar> {
        randomMatrix(seed: seed) * (1 / Scalar(n).squareRoot())
    }

    /// A random symmetric n×n matrix, `(X + Xᵀ) / 2`.
    func symmetricMatrix(seed: UInt64 = 1) -> Tensor<Scalar> {
        let x = randomMatrix(seed: seed)
        return (x + x.transposed()) * 0.5
    }

    /// A random skew-symmetric n×n matrix, `(X − Xᵀ) / √n`.
    func skewMatrix(seed: UInt64 = 1) -> Tensor<Scalar> {
        let x = randomMatrix(seed: seed)
        return (x - x.transposed()) * (1 / Scalar(n).squareRoot())
    }
}
