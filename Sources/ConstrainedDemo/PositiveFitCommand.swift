import ArgumentParser
import Constrained

/// `constrained-demo positive-fit`: a two-task Gaussian process whose hyperparameters are
/// constrained, fitted by maximum marginal likelihood to data drawn from a known one.
///
/// The model is the intrinsic coregionalisation model: for inputs `x ∈ ℝ²` observed on task
/// `i ∈ {0, 1}`,
///
///     k((x, i), (x′, j)) = B[i, j] · exp(−½ Σ_d (x_d − x′_d)² / ℓ_d²) + δ · σ²_i,
///
/// with the length scales `ℓ` and the noise variances `σ²` `@Constrained(Positive())` and the
/// task covariance `B` `@Constrained(PositiveDefinite())`. Gradient steps on the
/// unconstrained originals can never produce a negative length scale or an indefinite `B`,
/// so the Cholesky factorisation of the kernel matrix never fails. The loss is the negative
/// log marginal likelihood per observation, `(½ yᵀK⁻¹y + ½ log det K + (N/2) log 2π) / N`,
/// through `K = L Lᵀ`: `½ ‖L⁻¹y‖² + Σ log Lᵢᵢ + …`.
struct PositiveFitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "positive-fit",
        abstract: "Fits a two-task Gaussian process: Positive length scales and noise variances, a PositiveDefinite task covariance.")

    @Option(parsing: .unconditional, help: "Seed of the data.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Adam steps (full batch).")
    var steps: Int = 300

    @Option(help: "Where to write the SVG plot of the loss.")
    var output: String = "demo-output/positive-fit.svg"

    @Option(parsing: .unconditional, help: "Observations per task.")
    var samples: Int = 100

    @Option(parsing: .unconditional, help: "Adam learning rate.")
    var learningRate: Double = 0.05

    func validate() throws {
        try Check.positive(steps, "--steps")
        try Check.range(samples, 2...2000, "--samples", why: "the kernel matrix is dense, 2·samples square")
        try Check.positive(learningRate, "--learning-rate")
        try Check.svgPath(output)
        try Check.writable(output)
    }

    func run() throws {
        let truth = GaussianProcessHyperparameters.generating
        var g = SeededGenerator(seed: seed)
        let data = try GaussianProcessData.sample(from: truth, perTask: samples, using: &g)
        let model = MultiTaskGaussianProcess()
        let adam = Adam(for: model, learningRate: learningRate)
        print("positive fit: two-task Gaussian process, \(samples) noisy observations per task in [−3, 3]², "
              + "Adam lr \(formatted(learningRate)), seed \(seed)")
        print("parameters: \(model.parameterNames.joined(separator: ", "))")
        print("\(padded("step", 5))  \(padded("−log p(y)/N", 12))  \(padded("ℓ₁", 7)) \(padded("ℓ₂", 7))  "
              + "\(padded("σ²₁", 8)) \(padded("σ²₂", 8))  \(padded("B₁₁", 7)) \(padded("B₁₂", 7)) \(padded("B₂₂", 7))")
        var losses: [(x: Double, y: Double)] = []
        let every = max(steps / 10, 1)
        for step in 0...steps {
            if step == steps || step % every == 0 {
                let current = withoutRecording { model.hyperparameters }
                let loss = try current.negativeLogLikelihood(data).scalar
                print(row("\(step)", loss, current))
                if step == steps {
                    losses.append((Double(step), loss))
                    break
                }
            }
            let (loss, gradients) = try valueWithGradient(of: model) { m in
                try m.hyperparameters.negativeLogLikelihood(data)
            }
            losses.append((Double(step), loss.scalar))
            adam.update(model, along: gradients)
        }

        let fitted = model.hyperparameters
        let fittedLoss = try fitted.negativeLogLikelihood(data).scalar
        let truthLoss = try truth.negativeLogLikelihood(data).scalar
        print("")
        print("summary: fitted vs generating hyperparameters")
        print("\(padded("", 16))  \(padded("generating", 10))  \(padded("fitted", 10))")
        for (name, a, b) in zip3(GaussianProcessHyperparameters.names, truth.flat, fitted.flat) {
            print("\(padded(name, 16))  \(padded(formatted(a, digits: 4), 10))  \(padded(formatted(b, digits: 4), 10))")
        }
        print("\(padded("−log p(y)/N", 16))  \(padded(formatted(truthLoss, digits: 5), 10))  \(padded(formatted(fittedLoss, digits: 5), 10))"
              + (fittedLoss <= truthLoss
                 ? "  (the maximum-likelihood fit explains the data at least as well as the generating values)"
                 : "  (above the generating values': the fit has not converged; try more --steps)"))
        let eigenvalues = try eigh(fitted.taskCovariance).values.scalars
        let minimum = fitted.lengthScales.scalars.min()!, noise = fitted.noiseVariances.scalars.min()!
        print("constraints: min ℓ = \(formatted(minimum)), min σ² = \(formatted(noise)), "
              + "eigenvalues of B = [\(eigenvalues.map { formatted($0) }.joined(separator: ", "))]: all positive")
        var plot = LossPlot(title: "Gaussian-process fit (Positive, PositiveDefinite), Adam")
        plot.yLabel = "negative log marginal likelihood / N"
        plot.series.append(.init(name: "fit", color: "#08519c", width: 2, points: losses))
        plot.references.append(.init(name: "at the generating hyperparameters", y: truthLoss, color: "#d62728"))
        let path = try writeFile(plot.svg(), to: output)
        print("plot: \(path)")
    }

    private func row(_ step: String, _ loss: Double, _ h: GaussianProcessHyperparameters) -> String {
        let v = h.flat
        return "\(padded(step, 5))  \(padded(formatted(loss, digits: 6), 12))  \(padded(formatted(v[0], digits: 3), 7)) \(padded(formatted(v[1], digits: 3), 7))  "
            + "\(padded(formatted(v[2], digits: 3), 8)) \(padded(formatted(v[3], digits: 3), 8))  "
            + "\(padded(formatted(v[4], digits: 3), 7)) \(padded(formatted(v[5], digits: 3), 7)) \(padded(formatted(v[6], digits: 3), 7))"
    }
}

private func zip3<A, B, C>(_ a: [A], _ b: [B], _ c: [C]) -> [(A, B, C)] {
    zip(a, zip(b, c)).map { ($0, $1.0, $1.1) }
}

/// The model: three constrained properties, nothing else trainable.
final class MultiTaskGaussianProcess: Layer {
    @Constrained(Positive()) var lengthScales: Tensor<Double>
    @Constrained(Positive()) var noiseVariances: Tensor<Double>
    @Constrained(PositiveDefinite()) var taskCovariance: Tensor<Double>

    /// Starts from length scales 1, noise variances 0.1 and `B = I` (assigned as constrained
    /// values: the right inverses set the originals).
    init() {
        lengthScales = Tensor([1, 1])
        noiseVariances = Tensor([0.1, 0.1])
        taskCovariance = Tensor.eye(2)
    }

    /// The current (constrained) values, tracked when a tape records.
    var hyperparameters: GaussianProcessHyperparameters {
        GaussianProcessHyperparameters(lengthScales: lengthScales, noiseVariances: noiseVariances,
                                       taskCovariance: taskCovariance)
    }
}

/// The hyperparameters of the two-task kernel (see ``PositiveFitCommand``).
struct GaussianProcessHyperparameters {
    /// `ℓ`, `[2]`.
    var lengthScales: Tensor<Double>
    /// `σ²` per task, `[2]`.
    var noiseVariances: Tensor<Double>
    /// `B`, `[2, 2]`.
    var taskCovariance: Tensor<Double>

    /// The values the data are drawn from.
    static let generating = GaussianProcessHyperparameters(
        lengthScales: Tensor([0.7, 1.5]), noiseVariances: Tensor([0.01, 0.05]),
        taskCovariance: Tensor(shape: [2, 2], scalars: [1.0, 0.6, 0.6, 0.5]))

    static let names = ["length scale ℓ₁", "length scale ℓ₂", "noise σ²₁", "noise σ²₂", "B₁₁", "B₁₂", "B₂₂"]

    /// The seven numbers in the order of ``names``.
    var flat: [Double] {
        let b = taskCovariance.scalars
        return lengthScales.scalars + noiseVariances.scalars + [b[0], b[1], b[3]]
    }

    /// The kernel matrix `K` `[N, N]` of the observations of `data` (differentiable).
    func kernelMatrix(_ data: GaussianProcessData) -> Tensor<Double> {
        let n = data.inputs.shape[0]
        let scaled = data.inputs / lengthScales                                   // [N, 2]
        let difference = scaled.reshaped(to: [n, 1, 2]) - scaled.reshaped(to: [1, n, 2])
        let squaredDistance = (difference * difference).sum(alongAxes: 2)          // [N, N]
        // B[task(a), task(b)] for every pair: E B Eᵀ with E the one-hot task matrix.
        let taskFactor = matmul(matmul(data.taskOneHot, taskCovariance), transposed: false,
                                data.taskOneHot, transposed: true)
        let noise = matmul(data.taskOneHot, noiseVariances.reshaped(to: [2, 1])).reshaped(to: [n])
        return taskFactor * exp(squaredDistance * -0.5) + Tensor.diagonalMatrix(noise)
    }

    /// `−log p(y) / N = (½ ‖L⁻¹y‖² + Σ log Lᵢᵢ + (N/2) log 2π) / N` with `K = L Lᵀ`.
    func negativeLogLikelihood(_ data: GaussianProcessData) throws -> Tensor<Double> {
        let n = Double(data.targets.shape[0])
        let l = try cholesky(kernelMatrix(data))
        let whitened = try triangularSolve(l, data.targets, upper: false)
        let quadratic = (whitened * whitened).sum() * 0.5
        let logDeterminant = log(l.diagonal()).sum()
        return (quadratic + logDeterminant + 0.5 * n * Double.log(2 * Double.pi)) / n
    }
}

/// Observations of the two tasks: inputs `[N, 2]`, the one-hot task of each `[N, 2]`, and the
/// targets `[N, 1]`.
struct GaussianProcessData {
    let inputs: Tensor<Double>
    let taskOneHot: Tensor<Double>
    let targets: Tensor<Double>

    /// `perTask` inputs per task uniform in `[−3, 3]²`, targets drawn from the process with
    /// hyperparameters `h` (noise included): `y = L z` with `K = L Lᵀ`, `z ~ N(0, I)`.
    static func sample<G: RandomNumberGenerator>(
        from h: GaussianProcessHyperparameters, perTask: Int, using g: inout G
    ) throws -> GaussianProcessData {
        let n = 2 * perTask
        let inputs = Tensor<Double>.randomUniform([n, 2], from: -3, to: 3, using: &g)
        let taskOneHot = Tensor<Double>(shape: [n, 2], scalars: (0..<n).flatMap { $0 < perTask ? [1.0, 0] : [0, 1.0] })
        let placeholder = GaussianProcessData(inputs: inputs, taskOneHot: taskOneHot, targets: Tensor.zeros([n, 1]))
        let l = try cholesky(h.kernelMatrix(placeholder))
        let targets = matmul(l, Tensor<Double>.randomNormal([n, 1], using: &g))
        return GaussianProcessData(inputs: inputs, taskOneHot: taskOneHot, targets: targets)
    }
}
