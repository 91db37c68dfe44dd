import ArgumentParser

/// `constrained-demo`: three small programs that train models with constrained parameters.
///
/// Build it in release mode (`swift run -c release constrained-demo copy-task`, or `make demo`):
/// debug builds run the generic kernels 30–40× slower.
@main
struct ConstrainedDemo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "constrained-demo",
        abstract: "Trains small models whose parameters satisfy constraints.",
        discussion: """
        copy-task     an orthogonal RNN on the copying-memory task (expRNN's setting)
        spectral-fit  a spectrally normalised linear layer fitted to a target
        positive-fit  a Gaussian process whose variances, length scales and task covariance \
        are constrained positive / positive definite
        eigenspace    the top-k eigenspace of a 500 × 500 covariance, by a parametrization \
        and on the manifold (Riemannian Adam)
        copy-task-manifold  the copy task with the orthogonal kernel on the manifold

        Each writes an SVG plot of its loss curve (--output) and prints where.
        """,
        subcommands: [CopyTaskCommand.self, SpectralFitCommand.self, PositiveFitCommand.self, EigenspaceCommand.self,
                      ManifoldCopyTaskCommand.self])
}
