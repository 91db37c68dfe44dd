import ConstrainedLayerMacros
import Testing

// The `@Layer` samples of README.md and Docs/GettingStarted.md (and its DocC twin), run, with
// their claims checked. When you change a sample there, change it here.

/// GettingStarted, "Writing a layer with @Layer".
@Layer
final class Tagger {
    @Constrained(Skew() >>> MatrixExp()) var recurrent = Tensor<Double>.eye(4)
    @Parameter var bias = Tensor<Double>.zeros([4])
    let head = Linear<Double>(4, 2, seed: 1)
    var blocks = [Linear<Double>(4, 4, weight: SpectralNorm(), seed: 2)]
    let width = 4                                   // not a tensor: skipped
    @LayerKey("out") let output = Linear<Double>(2, 2, seed: 3)
}

@Suite("Documentation examples of @Layer")
struct LayerDocumentationTests {
    @Test func gettingStartedTaggerNamesAndPrintsItsTree() throws {
        let tagger = Tagger()
        #expect(tagger.parameterNames == [
            "recurrent.original", "bias", "head.weight", "head.bias",
            "blocks.0.weight.original", "blocks.0.bias", "out.weight", "out.bias",
        ])
        _ = tagger.recurrent
        tagger.head.isTraining = false
        #expect("\(tagger)" == """
            Tagger (training)
              recurrent: Constrained<Skew >>> MatrixExp> [4, 4] Double (cached, 1 evaluation, 0 hits)
              bias: Parameter [4] Double
              head: Linear<Double> (evaluation)
                weight: Parameter [2, 4] Double
                bias: Parameter [2] Double
              blocks.0: Linear<Double>
                weight: Constrained<SpectralNorm(dim: 0, powerIterations: 1)> [4, 4] Double (not cached, 0 evaluations, 0 hits), state: 0.u [4], 0.v [4]
                bias: Parameter [4] Double
              out: Linear<Double>
                weight: Parameter [2, 2] Double
                bias: Parameter [2] Double
            """)
    }
}

/// README, "Writing a layer: @Layer".
@Layer
final class ReadmeTagger {
    @Constrained(Skew() >>> MatrixExp()) var recurrent = Tensor<Double>.eye(4)
    @Parameter var bias = Tensor<Double>.zeros([4])
    let head = Linear<Double>(4, 2, seed: 1)
    @LayerIgnored var scratch: (Int, Int) = (0, 0)   // not traversed
}

@Suite("README example of @Layer")
struct ReadmeLayerTests {
    @Test func readmeTaggerPrintsItsTree() {
        #expect("\(ReadmeTagger())" == """
            ReadmeTagger (training)
              recurrent: Constrained<Skew >>> MatrixExp> [4, 4] Double (not cached, 0 evaluations, 0 hits)
              bias: Parameter [4] Double
              head: Linear<Double>
                weight: Parameter [2, 4] Double
                bias: Parameter [2] Double
            """)
    }
}
