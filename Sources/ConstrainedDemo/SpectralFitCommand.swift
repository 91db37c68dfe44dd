import ArgumentParser
import Constrained

/// `constrained-demo spectral-fit`: the seed example. A `Linear(3, 4)` whose weight is
/// `SpectralNorm`-constrained learns a spectrally normalised target map with SGD.
///
/// The target `T = R / σ(R)` (a random 4 × 3 matrix scaled to spectral norm 1) is reachable:
/// any weight original proportional to `T` gives the value `T`. The run prints the loss and
/// `σ(W)` of the constrained value (computed by an SVD, not the power-iteration estimate the
/// parametrization divides by), which stays at 1 up to that estimate's error throughout.
struct SpectralFitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spectral-fit",
        abstract: "Fits a spectrally normalised Linear(3, 4) to a spectrally normalised target with SGD.")

    @Option(parsing: .unconditional, help: "Seed of the target, the data and the initialisation.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "SGD steps (full batch).")
    var steps: Int = 1000

    @Option(help: "Where to write the SVG plot of the loss.")
    var output: String = "demo-output/spectral-fit.svg"

    @Option(parsing: .unconditional, help: "SGD learning rate.")
    var learningRate: Double = 0.1

    @Option(parsing: .unconditional, help: "SGD momentum.")
    var momentum: Double = 0

    @Option(parsing: .unconditional, help: "Power iterations per step of the spectral-norm estimate (PyTorch: 1).")
    var powerIterations: Int = 1

    @Option(parsing: .unconditional, help: "Training inputs (rows of x, drawn from N(0, I)).")
    var samples: Int = 64

    func validate() throws {
        try Check.positive(steps, "--steps")
        try Check.positive(learningRate, "--learning-rate")
        guard momentum.isFinite && (0..<1).contains(momentum) else {
            throw ValidationError("--momentum must be in [0, 1), got \(momentum).")
        }
        try Check.range(samples, 1...1_000_000, "--samples")
        try Check.range(powerIterations, 1...100, "--power-iterations")
        try Check.svgPath(output)
        try Check.writable(output)
    }

    func run() throws {
        var g = SeededGenerator(seed: seed)
        let raw = Tensor<Double>.randomNormal([4, 3], using: &g)
        let target = raw / (try largestSingularValue(raw))
        let x = Tensor<Double>.randomNormal([samples, 3], using: &g)
        let y = linear(x, weight: target, bias: nil)
        let layer = Linear(3, 4, bias: false, weight: SpectralNorm<Double>(powerIterations: powerIterations), seed: seed &+ 1)
        let sgd = SGD(for: layer, learningRate: learningRate, momentum: momentum)

        print("spectral fit: Linear(3, 4) with SpectralNorm, target T = R / σ(R) (σ(T) = 1), "
              + "\(samples) samples, \(powerIterations) power iteration\(powerIterations == 1 ? "" : "s") per step, SGD lr \(formatted(learningRate)) momentum \(formatted(momentum)), seed \(seed)")
        print("\(padded("step", 6))  \(padded("loss (MSE)", 12))  \(padded("σ(W)", 10))")
        var losses: [(x: Double, y: Double)] = []
        var largestSigma = (value: 0.0, step: 0)
        let every = max(steps / 10, 1)
        for step in 1...steps {
            // σ(W) of the value this step trains with (read inside the recording, so the
            // monitoring adds no power iteration of its own).
            var weight: Tensor<Double>?
            let (loss, gradients) = try valueWithGradient(of: layer) { l in
                weight = l.weight
                return meanSquaredError(linear(x, weight: weight!, bias: nil), y)
            }
            let sigma = try largestSingularValue(weight!.detached())
            if sigma > largestSigma.value { largestSigma = (sigma, step) }
            losses.append((Double(step), Double(loss.scalar)))
            if step == 1 || step % every == 0 {
                print("\(padded("\(step)", 6))  \(padded(formatted(Double(loss.scalar)), 12))  \(padded(formatted(sigma, digits: 7), 10))")
            }
            sgd.update(layer, along: gradients)
        }

        let final = Double(meanSquaredError(layer(x), y).scalar)
        let error = try largestSingularValue(layer.weight - target)
        print("")
        print("summary")
        print("  final loss:          \(formatted(final)) \(final < 1e-4 ? "(below 1e-4)" : "(not below 1e-4)")")
        print("  largest σ(W) seen:   \(formatted(largestSigma.value, digits: 7)) at step \(largestSigma.step) "
              + "(σ(W) − 1 = \(formatted(largestSigma.value - 1, digits: 2)): one power iteration per step lags when W moves fast or its top two singular values are close)")
        print("  ‖W − T‖₂:            \(formatted(error))")
        var plot = LossPlot(title: "Spectral-norm fit: Linear(3, 4), SGD")
        plot.yLabel = "mean squared error"
        plot.series.append(.init(name: "loss", color: "#08519c", width: 2, points: losses))
        let path = try writeFile(plot.svg(), to: output)
        print("  plot:                \(path)")
    }
}

/// The largest singular value of a matrix.
func largestSingularValue(_ a: Tensor<Double>) throws -> Double {
    try singularValues(a).scalars.max() ?? 0
}
