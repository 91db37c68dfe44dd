import ArgumentParser
import Constrained

/// `constrained-demo copy-task`: an orthogonal RNN learns to recall ten symbols after a delay.
///
/// The model is expRNN's (``CopyTaskModel``); the orthogonal recurrent kernel is
/// `@Constrained(Orthogonal())` (matrix exponential with dynamic trivialisation), read once
/// per step of the unrolled sequence and evaluated once per training step thanks to the cache.
/// `--unconstrained` trains the same model from the same initial numbers with a plain
/// recurrent matrix.
struct CopyTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy-task",
        abstract: "Trains an orthogonal RNN on the copying-memory task (expRNN's definition).",
        discussion: """
        Each sequence holds ten symbols from 1...8, then L blanks, a marker and nine blanks; \
        the model must output blanks and then the ten symbols. Predicting blanks and then \
        uniformly at random scores the memoryless baseline 10 ln 8 / (L + 20); the run \
        succeeds when the held-out loss ends below 10% of it.

        --unconstrained trains the same model from the same initial values with a plain \
        recurrent matrix, every weight at --learning-rate (a plain RNN has no orthogonal \
        group; the plain baselines of expRNN and nnRNN use one rate). Its recurrent matrix \
        leaves the orthogonal group and the state blows up. Given --recurrent-learning-rate \
        1e-4 it stays near orthogonal long enough to solve L = 100 as well: at this delay \
        the constraint buys robustness to the learning rate.
        """)

    enum OptimizerChoice: String, ExpressibleByArgument, CaseIterable {
        case rmsprop, adam
    }

    enum Precision: String, ExpressibleByArgument, CaseIterable {
        case float, double
    }

    enum Schedule: String, ExpressibleByArgument, CaseIterable {
        /// The same rates throughout (expRNN).
        case constant
        /// Rates scaled by `½(1 + cos(π t / steps))`, from the full rate to zero.
        case cosine

        /// The factor of the rates at step `t` (1-based) of `steps`.
        func factor(step t: Int, of steps: Int) -> Double {
            switch self {
            case .constant: 1
            case .cosine: 0.5 * (1 + Double.cos(Double.pi * Double(t - 1) / Double(steps)))
            }
        }
    }

    @Option(parsing: .unconditional, help: "Seed of the initialisation and of the data.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Training steps (one batch each).")
    var steps: Int = 600

    @Option(help: "Where to write the SVG plot of the loss (default: demo-output/copy-task[-unconstrained].svg).")
    var output: String?

    @Option(parsing: .unconditional, help: "The delay L: blanks between the symbols and the marker.")
    var delay: Int = 100

    @Option(parsing: .unconditional, help: "Hidden units of the RNN.")
    var hidden: Int = 128

    @Option(parsing: .unconditional, help: "Sequences per batch.")
    var batch: Int = 128

    @Option(parsing: .unconditional, help: "Learning rate of the input kernel, modReLU bias and readout.")
    var learningRate: Double = 1e-3

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Learning rate of the recurrent kernel (default: a tenth of --learning-rate when orthogonal, as expRNN advises; --learning-rate when --unconstrained).",
        discussion: "A plain RNN has no orthogonal parameter group, so by default all its weights share one rate, as the plain-RNN baselines of expRNN and nnRNN do."))
    var recurrentLearningRate: Double?

    @Option(help: "Optimizer: \(OptimizerChoice.allCases.map(\.rawValue).joined(separator: ", ")).")
    var optimizer: OptimizerChoice = .rmsprop

    @Option(help: "Scalar type: \(Precision.allCases.map(\.rawValue).joined(separator: ", ")).")
    var precision: Precision = .float

    @Option(help: ArgumentHelp("Learning-rate schedule: \(Schedule.allCases.map(\.rawValue).joined(separator: ", ")).",
                               discussion: "RMSprop's steps do not shrink with the gradient, so at a near-zero loss a constant rate ends in spikes; cosine decay ends the run calm."))
    var schedule: Schedule = .cosine

    @Option(parsing: .unconditional, help: "Move the orthogonal base to the current point every K steps (dynamic trivialisation; 0: never).")
    var baseUpdateEvery: Int = 0

    @Flag(help: "Train a plain RNN (same architecture and initial values, no constraint) instead.")
    var unconstrained = false

    @Option(parsing: .unconditional, help: "Fresh batches the final held-out evaluation averages over.")
    var evaluationBatches: Int = 4

    @Flag(help: "Stop training once the smoothed training loss is below 10% of the baseline (then evaluate).")
    var stopWhenSolved = false

    @Option(help: "Stop training after this many minutes of wall time (then evaluate and plot).")
    var timeLimit: Double?

    func validate() throws {
        try Check.positive(steps, "--steps")
        try Check.range(delay, 1...100_000, "--delay")
        try Check.range(hidden, 2...4096, "--hidden")
        try Check.range(batch, 1...65_536, "--batch")
        try Check.positive(learningRate, "--learning-rate")
        if let recurrentLearningRate { try Check.positive(recurrentLearningRate, "--recurrent-learning-rate") }
        try Check.range(baseUpdateEvery, 0...Int.max, "--base-update-every")
        if unconstrained && baseUpdateEvery > 0 {
            throw ValidationError("--base-update-every needs the orthogonal model; drop it with --unconstrained.")
        }
        try Check.range(evaluationBatches, 1...1000, "--evaluation-batches")
        if let timeLimit { try Check.positive(timeLimit, "--time-limit") }
        if let output { try Check.svgPath(output) }
        try Check.writable(outputPath)
    }

    func run() throws {
        switch precision {
        case .float: try train(Float.self)
        case .double: try train(Double.self)
        }
    }

    /// The recurrent kernel's rate: as given, else a tenth of the base rate for the orthogonal
    /// kernel and the base rate for a plain one.
    var recurrentRate: Double { recurrentLearningRate ?? (unconstrained ? learningRate : learningRate / 10) }

    var outputPath: String {
        output ?? "demo-output/copy-task\(unconstrained ? "-unconstrained" : "").svg"
    }

    private func train<Scalar: TensorScalar>(_: Scalar.Type) throws {
        let task = CopyTask(delay: delay)
        let model = CopyTaskModel<Scalar>(hiddenSize: hidden, orthogonal: !unconstrained, seed: seed)
        let rates = ["cell.recurrent": recurrentRate]
        let optimizer: any Optimizer
        let setRates: (Double) -> Void
        switch self.optimizer {
        case .rmsprop:
            let rms = RMSprop(for: model, learningRate: learningRate, learningRates: rates)
            optimizer = rms
            setRates = { f in rms.learningRates = LearningRates(base: learningRate * f, byPrefix: rates.mapValues { $0 * f }) }
        case .adam:
            let adam = Adam(for: model, learningRate: learningRate, learningRates: rates)
            optimizer = adam
            setRates = { f in adam.learningRates = LearningRates(base: learningRate * f, byPrefix: rates.mapValues { $0 * f }) }
        }
        let kind = unconstrained ? "plain RNN" : "orthogonal RNN"
        print("copy task: L = \(delay) (sequences of \(task.length) steps), \(kind) with \(hidden) hidden units (modReLU), "
              + "batch \(batch), \(self.optimizer.rawValue) lr \(formatted(learningRate)) "
              + "(recurrent \(formatted(recurrentRate))), \(schedule.rawValue) schedule, \(precision.rawValue), seed \(seed)")
        print("memoryless baseline 10 ln 8 / (L + 20) = \(formatted(task.baseline)); target: below \(formatted(task.baseline / 10))")

        var data = SeededGenerator(seed: seed &+ 0x00c0_ffee)
        var losses: [Double] = []
        losses.reserveCapacity(steps)
        var average = ExponentialAverage(weight: 0.05)
        var recentAccuracy = ExponentialAverage(weight: 0.05)
        let bar = ProgressBar(total: steps, plainEvery: max(steps / 20, 1))
        let start = ContinuousClock.now
        var divergedAt: Int?
        for step in 1...steps {
            let (inputs, labels) = task.batch(size: batch, as: Scalar.self, using: &data)
            var logits: Tensor<Scalar>?
            let (loss, gradients) = try valueWithGradient(of: model) { m in
                let l = m.logits(inputs)
                logits = l
                return crossEntropy(logits: l, labels: labels)
            }
            let value = Double(loss.scalar)
            losses.append(value)
            guard value.isFinite else {
                divergedAt = step
                bar.update(step: step, detail: "loss \(value): diverged")
                break
            }
            setRates(schedule.factor(step: step, of: steps))
            optimizer.update(model, along: gradients)
            if baseUpdateEvery > 0 && step % baseUpdateEvery == 0 {
                try model.cell.$recurrent.updateBase()
            }
            average.add(value)
            recentAccuracy.add(accuracy(logits!.detached(), labels: labels, steps: task.recallSteps))
            let rate = Double(step) / seconds(since: start)
            bar.update(step: step, detail: "smoothed loss \(formatted(average.value)) (baseline \(formatted(task.baseline))) "
                       + "smoothed recall acc \(formatted(100 * recentAccuracy.value, digits: 3))% \(formatted(rate, digits: 3)) steps/s")
            // The average needs about 1 / weight = 20 steps to forget its start.
            if stopWhenSolved && step >= 50 && average.value < task.baseline / 10 {
                print("\nsolved: smoothed training loss \(formatted(average.value)) below 10% of the baseline at step \(step)")
                break
            }
            if let timeLimit, seconds(since: start) > 60 * timeLimit {
                print("\ntime limit: stopped after \(step) steps (\(formatted(timeLimit)) min)")
                break
            }
        }
        let elapsed = seconds(since: start)

        // Held-out evaluation on fresh sequences (a generator the training data never used).
        var heldOut = SeededGenerator(seed: seed &+ 0x7e57)
        var evaluationLoss = 0.0, evaluationAccuracy = 0.0
        for _ in 0..<evaluationBatches {
            let (inputs, labels) = task.batch(size: batch, as: Scalar.self, using: &heldOut)
            let logits = model.logits(inputs)
            evaluationLoss += Double(crossEntropy(logits: logits, labels: labels).scalar)
            evaluationAccuracy += accuracy(logits, labels: labels, steps: task.recallSteps)
        }
        evaluationLoss /= Double(evaluationBatches)
        evaluationAccuracy /= Double(evaluationBatches)

        let recurrent = model.cell.recurrent
        // nil when the matrix holds non-finite entries (a diverged plain RNN): the SVD refuses them.
        let sigma = (try? singularValues(recurrent))?.scalars.map { Double($0) } ?? []
        let completed = losses.count
        let tail = losses.suffix(min(50, completed)).filter(\.isFinite)
        let ratio = evaluationLoss / task.baseline

        print("")
        print("summary (\(kind), L = \(delay))")
        if let divergedAt { print("  diverged:            at step \(divergedAt) (non-finite loss); training stopped") }
        print("  steps:               \(completed) in \(formatted(elapsed, digits: 4)) s (\(formatted(Double(completed) / elapsed, digits: 3)) steps/s)")
        if !tail.isEmpty {
            print("  training loss:       \(formatted(tail.reduce(0, +) / Double(tail.count))) (mean of the last \(tail.count) batches)")
        }
        print("  held-out loss:       \(formatted(evaluationLoss)) over \(evaluationBatches) fresh batches")
        print("  baseline:            \(formatted(task.baseline)) (10 ln 8 / \(task.length))")
        print("  loss / baseline:     \(formatted(100 * ratio, digits: 3))%  \(ratio < 0.1 ? "(below 10%: the task is solved)" : "(not below 10%)")")
        print("  recall accuracy:     \(formatted(100 * evaluationAccuracy, digits: 4))% on the last 10 steps")
        if sigma.isEmpty {
            print("  recurrent σ range:   (the matrix holds non-finite entries)")
        } else {
            print("  recurrent σ range:   [\(formatted(sigma.min()!)), \(formatted(sigma.max()!))]"
                  + (unconstrained ? " (orthogonal would be all 1)" : " (orthogonal: all 1)"))
        }

        var plot = LossPlot(title: "Copying task, L = \(delay): \(kind), hidden \(hidden), batch \(batch)")
        let points = losses.enumerated().map { (x: Double($0.offset + 1), y: $0.element) }
        plot.series.append(.init(name: "batch loss", color: "#9ecae1", width: 1, points: points))
        plot.series.append(.init(name: "median of the last 25 batches", color: "#08519c", width: 2,
                                 points: movingMedian(points, window: 25)))
        plot.references.append(.init(name: "memoryless baseline \(formatted(task.baseline))", y: task.baseline, color: "#d62728"))
        plot.references.append(.init(name: "10% of baseline", y: task.baseline / 10, color: "#ff9896"))
        let path = try writeFile(plot.svg(), to: outputPath)
        print("  plot:                \(path)")
    }
}

/// An exponentially weighted mean, `m ← m + w (x − m)`, starting at the first value.
struct ExponentialAverage {
    let weight: Double
    private(set) var value = Double.nan

    init(weight: Double) { self.weight = weight }

    mutating func add(_ x: Double) {
        value = value.isNaN ? x : value + weight * (x - value)
    }
}

/// The trailing median over `window` points (fewer at the start), skipping non-finite values.
///
/// A median rather than a mean: the loss falls over three decades and the plot's axis is
/// logarithmic, where a trailing mean is dominated by the largest values of its window.
func movingMedian(_ points: [(x: Double, y: Double)], window: Int) -> [(x: Double, y: Double)] {
    precondition(window > 0, "movingMedian: window must be positive, got \(window)")
    let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
    return finite.indices.map { i in
        let values = finite[max(0, i - window + 1)...i].map(\.y).sorted()
        let middle = values.count / 2
        let median = values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
        return (finite[i].x, median)
    }
}
