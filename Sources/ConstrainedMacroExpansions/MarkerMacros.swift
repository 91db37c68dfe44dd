import SwiftSyntax
import SwiftSyntaxMacros

/// `@LayerIgnored`: traversal skips the property. Expands to nothing; `@Layer` reads it.
public struct LayerIgnoredMacro: PeerMacro {
    public static func expansion(
        of node: AttributeSyntax, providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] { [] }
}

/// `@LayerKey("name")`: traversal names the property `name`. Expands to nothing; `@Layer`
/// reads it.
public struct LayerKeyMacro: PeerMacro {
    public static func expansion(
        of node: AttributeSyntax, providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] { [] }
}
