import ArgumentParser
import Constrained

/// expRNN's copy-task model with its recurrent kernel kept *on* the orthogonal group
/// (`@OnManifold(Orthogonal())`) instead of parametrized: the same cell (modReLU, no cell
/// bias), the same initial values as ``CopyTaskModel`` (a torus sample for the kernel), trained
/// by ``RiemannianAdam``, which moves the kernel along O(n) and every other tensor as Adam does.
final class ManifoldCopyTaskModel: Layer {
    @OnManifold<Double> var recurrent: Tensor<Double>
    @Parameter var input: Tensor<Double>
    let modReLU: ModReLU<Double>
    let readout: Linear<Double>

    init(hiddenSize: Int, seed: UInt64) {
        // The same draws, in the same order, as CopyTaskModel's initialiser.
        let reference = CopyTaskModel<Double>(hiddenSize: hiddenSize, orthogonal: true, seed: seed)
        _recurrent = OnManifold(wrappedValue: reference.cell.recurrent, Orthogonal<Double>())
        _input = Parameter(wrappedValue: reference.cell.input)
        modReLU = ModReLU(bias: reference.cell.modReLU!.bias)
        readout = Linear(weight: reference.readout.weight, bias: reference.readout.bias!)
    }

    /// The class scores `[T, batch, 9]` for one-hot inputs `[T, batch, 10]`:
    /// `h ← modReLU(x W_inᵀ + h W_recᵀ)`, scores `h W_outᵀ + b`.
    func logits(_ inputs: Tensor<Double>) -> Tensor<Double> {
        let hidden = recurrent.shape[0], batch = inputs.shape[1]
        let w = recurrent, v = input
        var h = Tensor<Double>.zeros([batch, hidden])
        var states: [Tensor<Double>] = []
        for t in 0..<inputs.shape[0] {
            h = modReLU(matmul(inputs.slice(at: t), transposed: false, v, transposed: true)
                        + matmul(h, transposed: false, w, transposed: true))
            states.append(h)
        }
        return readout(stack(states))
    }
}

/// `constrained-demo copy-task-manifold`: the copying task with the orthogonal kernel on the
/// manifold (Riemannian Adam) rather than through a parametrization (`copy-task`).
struct ManifoldCopyTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy-task-manifold",
        abstract: "The copying task with the orthogonal RNN kernel kept on the manifold, trained by Riemannian Adam.")

    @Option(help: "Seed of the initialisation and of the data.")
    var seed: UInt64 = 5544

    @Option(help: "Training steps (one batch each).")
    var steps: Int = 400

    @Option(help: "The delay L: blanks between the symbols and the marker.")
    var delay: Int = 100

    @Option(help: "Hidden units of the RNN.")
    var hidden: Int = 128

    @Option(help: "Sequences per batch.")
    var batch: Int = 128

    @Option(help: "Adam learning rate of the input kernel, modReLU bias and readout.")
    var learningRate: Double = 1e-3

    @Option(help: "Riemannian Adam learning rate of the recurrent kernel on O(n).")
    var recurrentLearningRate: Double = 1e-2

    @Option(help: "Re-project the kernel onto O(n) every K steps (0: never).")
    var stabilizeEvery: Int = 100

    @Option(help: "Where to write the SVG plot of the loss.")
    var output: String = "demo-output/copy-task-manifold.svg"

    func validate() throws {
        try Check.positive(steps, "--steps")
        try Check.range(delay, 1...10_000, "--delay")
        try Check.range(hidden, 2...4096, "--hidden")
        try Check.range(batch, 1...65_536, "--batch")
        try Check.positive(learningRate, "--learning-rate")
        try Check.positive(recurrentLearningRate, "--recurrent-learning-rate")
        try Check.range(stabilizeEvery, 0...Int.max, "--stabilize-every")
        try Check.svgPath(output)
    }

    func run() throws {
        let task = CopyTask(delay: delay)
        let model = ManifoldCopyTaskModel(hiddenSize: hidden, seed: seed)
        let optimizer = RiemannianAdam(for: model, learningRate: learningRate,
                                       stabilizationPeriod: stabilizeEvery > 0 ? stabilizeEvery : nil,
                                       learningRates: ["recurrent": recurrentLearningRate])
        print("copy task on the manifold: L = \(delay) (\(task.length) steps), @OnManifold(Orthogonal()) kernel, \(hidden) hidden units (modReLU), "
              + "batch \(batch), RiemannianAdam lr \(formatted(learningRate)) (recurrent \(formatted(recurrentLearningRate))), seed \(seed)")
        print("memoryless baseline 10 ln 8 / (L + 20) = \(formatted(task.baseline))")
        var data = SeededGenerator(seed: seed &+ 0x00c0_ffee)
        var losses: [(x: Double, y: Double)] = []
        var average = ExponentialAverage(weight: 0.05)
        let bar = ProgressBar(total: steps, plainEvery: max(steps / 20, 1))
        let start = ContinuousClock.now
        for step in 1...steps {
            let (inputs, labels) = task.batch(size: batch, as: Double.self, using: &data)
            let (loss, gradients) = try valueWithGradient(of: model) { m in
                crossEntropy(logits: m.logits(inputs), labels: labels)
            }
            losses.append((Double(step), loss.scalar))
            guard loss.scalar.isFinite else { break }
            try optimizer.step(model, along: gradients)
            average.add(loss.scalar)
            bar.update(step: step, detail: "loss \(formatted(average.value)) (baseline \(formatted(task.baseline)))")
        }
        let elapsed = seconds(since: start)
        let w = model.recurrent
        let defect = (matmul(w, transposed: true, w, transposed: false) - Tensor<Double>.eye(hidden)).scalars.map(abs).max() ?? 0
        var heldOut = SeededGenerator(seed: seed &+ 0x7e57)
        let (inputs, labels) = task.batch(size: batch, as: Double.self, using: &heldOut)
        let logits = model.logits(inputs)
        print("")
        print("summary (orthogonal kernel on the manifold, L = \(delay))")
        print("  steps:               \(losses.count) in \(formatted(elapsed, digits: 4)) s (\(formatted(Double(losses.count) / elapsed, digits: 3)) steps/s)")
        print("  held-out loss:       \(formatted(Double(crossEntropy(logits: logits, labels: labels).scalar))) (baseline \(formatted(task.baseline)))")
        print("  recall accuracy:     \(formatted(100 * accuracy(logits, labels: labels, steps: task.recallSteps), digits: 4))% on the last 10 steps")
        print("  max |WᵀW − I|:       \(formatted(defect, digits: 2))")
        var plot = LossPlot(title: "Copying task, L = \(delay): orthogonal kernel on the manifold (RiemannianAdam)")
        plot.series.append(.init(name: "batch loss", color: "#9ecae1", width: 1, points: losses))
        plot.series.append(.init(name: "median of the last 25 batches", color: "#08519c", width: 2,
                                 points: movingMedian(losses, window: 25)))
        plot.references.append(.init(name: "memoryless baseline \(formatted(task.baseline))", y: task.baseline, color: "#d62728"))
        print("  plot:                \(try writeFile(plot.svg(), to: output))")
    }
}
