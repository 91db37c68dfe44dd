import ConstrainedMacroExpansions
import SwiftCompilerPlugin
import SwiftSyntax
import SwiftSyntaxMacros

/// The compiler plugin: the macros behind `@Layer` and its property markers.
///
/// The compiler finds a macro by `<plugin module>.<type>`, so the types it names live here and
/// forward to `ConstrainedMacroExpansions`, where the tests reach them without depending on
/// a macro target.
@main
struct ConstrainedMacrosPlugin: CompilerPlugin {
    let providingMacros: [Macro.Type] = [
        LayerMacro.self,
        LayerIgnoredMacro.self,
        LayerKeyMacro.self,
        LayerObservedMacro.self,
    ]
}

/// `@Layer`: see `ConstrainedMacroExpansions.LayerMacro`.
public enum LayerMacro: MemberMacro, ExtensionMacro, MemberAttributeMacro {
    typealias Implementation = ConstrainedMacroExpansions.LayerMacro

    public static func expansion(
        of node: AttributeSyntax, providingMembersOf declaration: some DeclGroupSyntax,
        conformingTo protocols: [TypeSyntax], in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        try Implementation.expansion(of: node, providingMembersOf: declaration, conformingTo: protocols, in: context)
    }

    public static func expansion(
        of node: AttributeSyntax, attachedTo declaration: some DeclGroupSyntax,
        providingExtensionsOf type: some TypeSyntaxProtocol, conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [ExtensionDeclSyntax] {
        try Implementation.expansion(of: node, attachedTo: declaration, providingExtensionsOf: type,
                                     conformingTo: protocols, in: context)
    }

    public static func expansion(
        of node: AttributeSyntax, attachedTo declaration: some DeclGroupSyntax,
        providingAttributesFor member: some DeclSyntaxProtocol, in context: some MacroExpansionContext
    ) throws -> [AttributeSyntax] {
        try Implementation.expansion(of: node, attachedTo: declaration, providingAttributesFor: member, in: context)
    }
}

/// `@LayerObserved`: see `ConstrainedMacroExpansions.LayerObservedMacro`.
public enum LayerObservedMacro: AccessorMacro {
    public static func expansion(
        of node: AttributeSyntax, providingAccessorsOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [AccessorDeclSyntax] {
        try ConstrainedMacroExpansions.LayerObservedMacro.expansion(of: node, providingAccessorsOf: declaration, in: context)
    }
}

/// `@LayerIgnored`: a marker `@Layer` reads; expands to nothing.
public enum LayerIgnoredMacro: PeerMacro {
    public static func expansion(
        of node: AttributeSyntax, providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] { [] }
}

/// `@LayerKey("k")`: a marker `@Layer` reads; expands to nothing.
public enum LayerKeyMacro: PeerMacro {
    public static func expansion(
        of node: AttributeSyntax, providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] { [] }
}
