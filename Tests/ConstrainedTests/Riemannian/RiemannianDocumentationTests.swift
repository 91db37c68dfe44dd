import Testing
@testable import Constrained

/// The sample of `Docs/ParametrizationOrRiemannian.md`, run, and the DocC article kept equal.
@Suite("Parametrization or Riemannian? (docs)")
struct RiemannianDocumentationTests {
    final class TwoWays: Layer {
        @Constrained(Orthogonal()) var charted = Tensor<Double>.eye(rows: 6, columns: 2)   // through a map
        @OnManifold(Orthogonal()) var kept = Tensor<Double>.eye(rows: 6, columns: 2)        // the point itself
        @Parameter var bias = Tensor<Double>.zeros([2])
    }

    @Test func thePageSampleUpdatesAllThreeTensorsAndKeepsThePointOnTheSet() throws {
        let model = TwoWays()
        let before = model.allTensors(as: Double.self)
        let optimizer = RiemannianAdam(for: model, learningRate: 1e-2)   // updates all three tensors
        let x = Tensor<Double>.randomNormal([4, 6], seed: 1)
        let (_, gradients) = try valueWithGradient(of: model) { m in
            let y = matmul(x, m.charted) + matmul(x, m.kept) + m.bias
            return (y * y).sum()
        }
        try optimizer.step(model, along: gradients)
        let after = model.allTensors(as: Double.self)
        for name in ["charted.original", "kept", "bias"] { #expect(after[name] != before[name], "\(name)") }
        #expect(Orthogonal<Double>().contains(model.kept))
    }

    @Test func theDocCArticleHasTheSameSamplesAsTheDocsPage() throws {
        let page = try DocumentationExamplesTests.swiftBlocks("Docs/ParametrizationOrRiemannian.md")
        let article = try DocumentationExamplesTests.swiftBlocks("Sources/Constrained/Constrained.docc/ParametrizationOrRiemannian.md")
        #expect(page.count == 1 && article == page)
    }
}
