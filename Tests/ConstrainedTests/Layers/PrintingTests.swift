import Testing
@testable import Constrained

/// `print(model)`, `print($w)` and the parametrizations' descriptions.
@Suite("Printing")
struct PrintingTests {
    final class Cell: Layer {
        @Constrained(Skew<Double>() >>> MatrixExp<Double>()) var recurrent = Tensor<Double>.zeros([3, 3])
        @Parameter var bias = Tensor<Double>.zeros([3])
        @Buffer var steps = Tensor<Double>([0])
    }

    final class Model: Layer {
        let cell = Cell()
        let head = Linear<Double>(3, 2, weight: SpectralNorm<Double>(), seed: 1)
        let width = 3
    }

    @Test func aModelPrintsAsAnIndentedTree() {
        let model = Model()
        _ = model.cell.recurrent
        model.head.isTraining = false
        #expect("\(model)" == """
            Model (training)
              cell: Cell
                recurrent: Constrained<Skew >>> MatrixExp> [3, 3] Double (cached, 1 evaluation, 0 hits)
                bias: Parameter [3] Double
                steps: Buffer [1] Double
              head: Linear<Double> (evaluation)
                weight: Constrained<SpectralNorm(dim: 0, powerIterations: 1)> [2, 3] Double (not cached, 0 evaluations, 0 hits), state: 0.u [2], 0.v [3]
                bias: Parameter [2] Double
            """)
    }

    @Test func aPropertyPrintsItsParametrizationShapeAndCache() {
        let cell = Cell()
        _ = cell.recurrent
        _ = cell.recurrent
        #expect("\(cell.$recurrent)" == "Constrained<Skew >>> MatrixExp> [3, 3] Double (cached, 1 evaluation, 1 hit)")
        try? cell.$recurrent.removeParametrization()
        #expect("\(cell.$recurrent)" == "Parameter [3, 3] Double")
    }

    @Test func parametrizationsDescribeTheirSettings() {
        #expect("\(SpectralNorm<Double>(dim: 1, powerIterations: 3))" == "SpectralNorm(dim: 1, powerIterations: 3)")
        #expect("\(WeightNorm<Float>(dim: nil))" == "WeightNorm(dim: nil)")
        #expect("\(Orthogonal<Double>(map: .cayley))" == "Orthogonal(map: cayley)")
        #expect("\(Orthogonal<Double>(map: .householder, usesTrivialization: false))" == "Orthogonal(map: householder, usesTrivialization: false)")
        #expect("\(Positive<Double>())" == "Positive(softplus)")
        #expect("\(Skew<Double>() >>> CayleyMap<Double>() >>> AnyParametrization<Double>(Symmetric<Double>()))"
                == "Skew >>> CayleyMap >>> Symmetric")
        #expect("\(PositiveDefinite<Double>())" == "PositiveDefinite(map: cholesky, jitter: 1e-05)")
    }

    @Test func anUntraversableModelPrintsTheError() {
        final class Bad: Layer {
            let pair = (Cell(), Cell())
        }
        let text = "\(Bad())"
        #expect(text.hasPrefix("Bad (training)\n  traverse of Bad to \"pair\""))
    }
}
