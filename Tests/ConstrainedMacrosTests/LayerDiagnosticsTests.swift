import SwiftSyntaxMacrosGenericTestSupport
import Testing

@Suite("@Layer diagnostics")
struct LayerDiagnosticsTests {
    @Test func aStructIsRefusedWithAFixItToAFinalClass() {
        expectExpansion(
            """
            @Layer
            struct Model {
                @Parameter var bias = Tensor<Double>.zeros([4])
            }
            """,
            expandedSource: """
            struct Model {
                @Parameter var bias = Tensor<Double>.zeros([4])
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@Layer applies to a final class, not a struct: a layer has identity, its tensors are updated in place",
                    line: 2, column: 1, fixIts: [FixItSpec(message: "make it a 'final class'")]),
            ],
            fixedSource: """
            @Layer
            final class Model {
                @Parameter var bias = Tensor<Double>.zeros([4])
            }
            """)
    }

    @Test func aNonFinalClassIsRefusedWithAFixItAddingFinal() {
        expectExpansion(
            """
            @Layer
            class Model {
            }
            """,
            expandedSource: """
            class Model {
            }

            extension Model: Layer {
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@Layer applies to a final class: a subclass's properties would be missing from the generated traversal",
                    line: 2, column: 1, fixIts: [FixItSpec(message: "add 'final'")]),
            ],
            fixedSource: """
            @Layer
            final class Model {
            }
            """)
    }

    @Test func anEnumIsRefused() {
        expectExpansion(
            """
            @Layer
            enum Model {
            }
            """,
            expandedSource: """
            enum Model {
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@Layer applies to a final class: a layer has identity, its tensors are updated in place",
                    line: 2, column: 1),
            ])
    }

    @Test func aConstrainedLetIsRefusedWithAFixItToVar() {
        expectExpansion(
            """
            @Layer
            final class Model {
                @Constrained(Skew()) let w = Tensor<Double>.eye(4)
            }
            """,
            expandedSource: """
            final class Model {
                @Constrained(Skew()) let w = Tensor<Double>.eye(4)

                /// The layer's mode and cached traversal.
                public let layerState = LayerState()

                /// The layer's tensors and nested layers, as declared.
                public func traverse(with visitor: TraversalVisitor) throws {
                }
            }

            extension Model: Layer {
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "a tensor property wrapper needs 'var': the wrapper's value is assigned through it",
                    line: 3, column: 26, fixIts: [FixItSpec(message: "replace 'let' with 'var'")]),
            ],
            fixedSource: """
            @Layer
            final class Model {
                @Constrained(Skew()) var w = Tensor<Double>.eye(4)
            }
            """)
    }

    @Test func aConstrainedNonTensorIsRefused() {
        expectExpansion(
            """
            @Layer
            final class Model {
                @Constrained(Positive()) var w: [Double]
            }
            """,
            expandedSource: """
            final class Model {
                @Constrained(Positive()) var w: [Double]

                /// The layer's mode and cached traversal.
                public let layerState = LayerState()

                /// The layer's tensors and nested layers, as declared.
                public func traverse(with visitor: TraversalVisitor) throws {
                }
            }

            extension Model: Layer {
            }
            """,
            diagnostics: [
                DiagnosticSpec(message: "@Constrained, @Parameter, @Buffer and @OnManifold wrap a Tensor<Scalar>", line: 3, column: 37),
            ])
    }

    @Test(arguments: [
        ("(Linear<Double>, Linear<Double>)",
         "traversal cannot walk a tuple: store its layers or tensors in separate properties, or mark the property @LayerIgnored"),
        ("[Int: Linear<Double>]",
         "traversal names the layers of a dictionary by its String keys: use [String: Layer], or mark the property @LayerIgnored"),
        ("[Linear<Double>?]",
         "traversal cannot walk an array of optionals: use an array of layers, or mark the property @LayerIgnored"),
    ])
    func anUntraversableTypeIsRefusedWithAFixItToIgnoreIt(type: String, message: String) {
        expectExpansion(
            """
            @Layer
            final class Model {
                let pair: \(type)
            }
            """,
            expandedSource: """
            final class Model {
                let pair: \(type)

                /// The layer's mode and cached traversal.
                public let layerState = LayerState()

                /// The layer's tensors and nested layers, as declared.
                public func traverse(with visitor: TraversalVisitor) throws {
                }
            }

            extension Model: Layer {
            }
            """,
            diagnostics: [
                DiagnosticSpec(message: message, line: 3, column: 15,
                               fixIts: [FixItSpec(message: "mark the property @LayerIgnored")]),
            ],
            fixedSource: """
            @Layer
            final class Model {
                @LayerIgnored let pair: \(type)
            }
            """)
    }

    @Test func aKeyMustBeAStringLiteral() {
        expectExpansion(
            """
            @Layer
            final class Model {
                @LayerKey(name) let head = Linear<Double>(2, 2)
            }
            """,
            expandedSource: """
            final class Model {
                let head = Linear<Double>(2, 2)

                /// The layer's mode and cached traversal.
                public let layerState = LayerState()

                /// The layer's tensors and nested layers, as declared.
                public func traverse(with visitor: TraversalVisitor) throws {
                    try visitor.visit(self.head, named: "head")
                }
            }

            extension Model: Layer {
            }
            """,
            diagnostics: [
                DiagnosticSpec(message: "@LayerKey takes one string literal, the property's name in traversal and checkpoints",
                               line: 3, column: 5),
            ])
    }
}
