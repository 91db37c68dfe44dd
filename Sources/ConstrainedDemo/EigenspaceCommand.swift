import ArgumentParser
import Constrained

/// `constrained-demo eigenspace`: the leading k-dimensional eigenspace of a 500 × 500 sample
/// covariance, found both ways of keeping a frame orthonormal.
///
/// Maximising the Rayleigh quotient `tr(Fᵀ C F)` over frames `F` (`500 × k`, `FᵀF = I`) gives
/// the span of the top k eigenvectors (Ky Fan); the loss is the gap
/// `Σᵢ≤ₖ λᵢ − tr(Fᵀ C F) ≥ 0`, zero exactly there. Both runs start from the same Haar frame:
/// - **parametrization**: `@Constrained(Orthogonal())` (a tall Householder chart at a base),
///   trained with ``Adam``;
/// - **Riemannian**: `@OnManifold(Orthogonal())` (the point itself), trained with
///   ``RiemannianAdam`` (Riemannian gradient, QR retraction, transported moments).
/// The result is checked against `eigh(C)`: the largest principal angle between the subspaces.
struct EigenspaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eigenspace",
        abstract: "Finds the top-k eigenspace of a 500 × 500 covariance by a parametrization and on the manifold.")

    @Option(help: "Seed of the data and of the initial frame.")
    var seed: UInt64 = 1

    @Option(help: "The dimension n of the covariance.")
    var size: Int = 500

    @Option(help: "The dimension k of the eigenspace.")
    var rank: Int = 4

    @Option(help: "Steps of each optimizer.")
    var steps: Int = 400

    @Option(help: "Adam learning rate of the parametrized frame.")
    var learningRate: Double = 0.003

    @Option(help: "Riemannian Adam learning rate of the frame on the manifold.")
    var riemannianLearningRate: Double = 0.2

    @Option(help: "Where to write the SVG plot of both loss curves.")
    var output: String = "demo-output/eigenspace.svg"

    func validate() throws {
        try Check.range(size, 2...4096, "--size")
        try Check.range(rank, 1...max(size - 1, 1), "--rank", why: "below --size")
        try Check.positive(steps, "--steps")
        try Check.positive(learningRate, "--learning-rate")
        try Check.positive(riemannianLearningRate, "--riemannian-learning-rate")
        try Check.svgPath(output)
    }

    final class Parametrized: Layer {
        @AnyConstrained<Double> var frame: Tensor<Double>
        init(_ start: Tensor<Double>) { _frame = Constrained(wrappedValue: start, Orthogonal<Double>()) }
    }

    final class OnTheManifold: Layer {
        @OnManifold<Double> var frame: Tensor<Double>
        init(_ start: Tensor<Double>) { _frame = OnManifold(wrappedValue: start, Orthogonal<Double>()) }
    }

    func run() throws {
        var g = SeededGenerator(seed: seed)
        // Samples with a decaying spectrum in a random basis: C = XᵀX / m.
        let m = 2 * size
        let scales = Tensor<Double>(shape: [1, size], scalars: (0..<size).map { Double.pow(0.97, Double($0)) })
        let basis = try Orthogonal<Double>().sample(shape: [size, size], using: &g)
        let x = matmul(Tensor<Double>.randomNormal([m, size], using: &g) * scales, transposed: false, basis, transposed: true)
        let covariance = matmul(x, transposed: true, x, transposed: false) * (1 / Double(m))
        let (values, vectors) = try eigh(covariance)
        let top = values.scalars.suffix(rank).reduce(0, +)
        let exact = vectors.slice((size - rank)..<size, alongAxis: 1)
        let start = try Orthogonal<Double>().sample(shape: [size, rank], using: &g)

        print("eigenspace: top \(rank) of a \(size) × \(size) sample covariance (\(m) samples, spectrum 0.97^i in a random basis), "
              + "\(steps) steps each, seed \(seed)")
        print("eigh: λ₁…λ\(rank) = \(values.scalars.suffix(rank).reversed().map { formatted($0) }.joined(separator: ", ")), "
              + "λ\(rank + 1) = \(formatted(values.scalars[size - rank - 1])); optimum tr = \(formatted(top))")

        func gap(_ f: Tensor<Double>) -> Tensor<Double> {
            top - (f * matmul(covariance, f)).sum()
        }

        let parametrized = Parametrized(start)
        let adam = Adam(for: parametrized, learningRate: learningRate)
        var first: [(x: Double, y: Double)] = []
        let clock1 = ContinuousClock.now
        for step in 1...steps {
            let (loss, gradients) = try valueWithGradient(of: parametrized) { gap($0.frame) }
            first.append((Double(step), loss.scalar))
            adam.update(parametrized, along: gradients)
        }
        let time1 = seconds(since: clock1)

        let riemannian = OnTheManifold(start)
        let radam = RiemannianAdam(for: riemannian, learningRate: riemannianLearningRate)
        var second: [(x: Double, y: Double)] = []
        let clock2 = ContinuousClock.now
        for step in 1...steps {
            let (loss, gradients) = try valueWithGradient(of: riemannian) { gap($0.frame) }
            second.append((Double(step), loss.scalar))
            try radam.step(riemannian, along: gradients)
        }
        let time2 = seconds(since: clock2)

        /// sin of the largest principal angle between span(f) and the exact eigenspace.
        func angle(_ f: Tensor<Double>) throws -> Double {
            let cosines = try singularValues(matmul(exact, transposed: true, f, transposed: false)).scalars
            return (1 - min(cosines.min() ?? 0, 1) * min(cosines.min() ?? 0, 1)).squareRoot()
        }
        print("")
        print("summary                     gap Σλ − tr(FᵀCF)   sin(largest angle to eigh)   ‖FᵀF − I‖max   time")
        for (name, f, losses, time) in [("parametrization (Adam)", parametrized.frame, first, time1),
                                        ("Riemannian (RiemannianAdam)", riemannian.frame, second, time2)] {
            let defect = (matmul(f, transposed: true, f, transposed: false) - Tensor<Double>.eye(rank)).scalars.map(abs).max() ?? 0
            print("  \(padded(name, 28)) \(padded(formatted(gap(f).scalar), 19)) \(padded(formatted(try angle(f)), 28)) "
                  + "\(padded(formatted(defect, digits: 2), 14)) \(formatted(time, digits: 3)) s  (final step loss \(formatted(losses.last!.y)))")
        }
        var plot = LossPlot(title: "Top-\(rank) eigenspace of a \(size) × \(size) covariance: parametrization vs Riemannian")
        plot.yLabel = "gap Σλᵢ − tr(FᵀCF)"
        plot.series.append(.init(name: "@Constrained(Orthogonal()) + Adam", color: "#08519c", width: 2, points: first))
        plot.series.append(.init(name: "@OnManifold(Orthogonal()) + RiemannianAdam", color: "#d62728", width: 2, points: second))
        let path = try writeFile(plot.svg(), to: output)
        print("  plot: \(path)")
    }
}
