import SwiftSyntaxMacrosGenericTestSupport
import Testing

@Suite("@Layer expansion")
struct LayerExpansionTests {
    @Test func everyKindOfProperty() {
        expectExpansion(
            """
            @Layer
            final class Model {
                @Constrained(Skew() >>> MatrixExp()) var recurrent = Tensor<Double>.eye(4)
                @Parameter var bias = Tensor<Double>.zeros([4])
                @Buffer var running = Tensor<Double>.zeros([4])
                let head = Linear<Double>(4, 2)
                var extra: Linear<Double>?
                var blocks: [Linear<Double>] = []
                let heads: [String: Linear<Double>] = [:]
                let width: Int = 4
                let scale: Double = 1
                @LayerIgnored var scratch: (Int, Int) = (0, 0)
                @LayerKey("out") let output = Linear<Double>(2, 2)
                var computed: Int { width * 2 }
                static let shared = 1
            }
            """,
            expandedSource: """
            final class Model {
                @Constrained(Skew() >>> MatrixExp()) var recurrent = Tensor<Double>.eye(4)
                @Parameter var bias = Tensor<Double>.zeros([4])
                @Buffer var running = Tensor<Double>.zeros([4])
                let head = Linear<Double>(4, 2)
                var extra: Linear<Double>? {
                    didSet {
                        structureDidChange()
                    }
                }
                var blocks: [Linear<Double>] = [] {
                    didSet {
                        structureDidChange()
                    }
                }
                let heads: [String: Linear<Double>] = [:]
                let width: Int = 4
                let scale: Double = 1
                var scratch: (Int, Int) = (0, 0)
                let output = Linear<Double>(2, 2)
                var computed: Int { width * 2 }
                static let shared = 1

                /// The layer's mode and cached traversal.
                public let layerState = LayerState()

                /// The layer's tensors and nested layers, as declared.
                public func traverse(with visitor: TraversalVisitor) throws {
                    try visitor.visit(self._recurrent, named: "recurrent")
                    try visitor.visit(self._bias, named: "bias")
                    try visitor.visit(self._running, named: "running")
                    try visitor.visit(self.head, named: "head")
                    try visitor.visit(self.extra, named: "extra")
                    try visitor.visit(self.blocks, named: "blocks")
                    try visitor.visit(self.heads, named: "heads")
                    try visitor.visit(self.output, named: "out")
                }
            }

            extension Model: Layer {
            }
            """)
    }

    @Test func erasedAndExplicitlyTypedWrappersAreTensorWrappers() {
        expectExpansion(
            """
            @Layer
            final class Model {
                @AnyConstrained var weight: Tensor<Double>
                @OnManifold<Double> var frame: Tensor<Double>
                init() {}
            }
            """,
            expandedSource: """
            final class Model {
                @AnyConstrained var weight: Tensor<Double>
                @OnManifold<Double> var frame: Tensor<Double>
                init() {}

                /// The layer's mode and cached traversal.
                public let layerState = LayerState()

                /// The layer's tensors and nested layers, as declared.
                public func traverse(with visitor: TraversalVisitor) throws {
                    try visitor.visit(self._weight, named: "weight")
                    try visitor.visit(self._frame, named: "frame")
                }
            }

            extension Model: Layer {
            }
            """)
    }
}
