import SwiftDiagnostics
import SwiftSyntax

/// The messages of `@Layer`: what is wrong, and what to write instead.
enum LayerDiagnostic: String, DiagnosticMessage {
    case notAClass
    case structNotAClass
    case notFinal
    case wrapperOnLet
    case wrapperOnNonTensor
    case tuple
    case nonStringDictionary
    case optionalElements
    case badKey

    var message: String {
        switch self {
        case .notAClass:
            return "@Layer applies to a final class: a layer has identity, its tensors are updated in place"
        case .structNotAClass:
            return "@Layer applies to a final class, not a struct: a layer has identity, its tensors are updated in place"
        case .notFinal:
            return "@Layer applies to a final class: a subclass's properties would be missing from the generated traversal"
        case .wrapperOnLet:
            return "a tensor property wrapper needs 'var': the wrapper's value is assigned through it"
        case .wrapperOnNonTensor:
            return "@Constrained, @Parameter, @Buffer and @OnManifold wrap a Tensor<Scalar>"
        case .tuple:
            return "traversal cannot walk a tuple: store its layers or tensors in separate properties, or mark the property @LayerIgnored"
        case .nonStringDictionary:
            return "traversal names the layers of a dictionary by its String keys: use [String: Layer], or mark the property @LayerIgnored"
        case .optionalElements:
            return "traversal cannot walk an array of optionals: use an array of layers, or mark the property @LayerIgnored"
        case .badKey:
            return "@LayerKey takes one string literal, the property's name in traversal and checkpoints"
        }
    }

    var diagnosticID: MessageID { MessageID(domain: "ConstrainedMacros", id: rawValue) }

    var severity: DiagnosticSeverity { .error }
}

/// The fix-its of `@Layer`.
struct LayerFixIt: FixItMessage {
    let message: String
    var fixItID: MessageID { MessageID(domain: "ConstrainedMacros", id: message) }

    static let addFinal = LayerFixIt(message: "add 'final'")
    static let makeFinalClass = LayerFixIt(message: "make it a 'final class'")
    static let useVar = LayerFixIt(message: "replace 'let' with 'var'")
    static let ignore = LayerFixIt(message: "mark the property @LayerIgnored")
}
