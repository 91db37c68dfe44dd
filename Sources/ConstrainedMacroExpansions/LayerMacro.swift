import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxBuilder
import SwiftSyntaxMacros

/// `@Layer` on a final class: the `Layer` conformance, a stored mode and traversal cache
/// (`layerState`), and `traverse(with:)` written from the stored properties.
///
/// For each stored property, in declaration order:
/// - `@Constrained`, `@Parameter`, `@Buffer`: `try visitor.visit(self._w, named: "w")`;
/// - a property of a plain value type (`Int`, `Double`, `String`, `Bool`, …, a `Tensor`
///   constant): nothing;
/// - anything else (a layer, an optional layer, an array or `[String: …]` of layers):
///   `try visitor.visit(self.head, named: "head")`, whose overload the compiler picks from the
///   property's type (a type it does not know is classified at run time);
/// - `@LayerIgnored`: nothing; `@LayerKey("k")`: named `k` instead.
///
/// The name is the property's, without a leading underscore, as the reflection walk names it.
/// `var` properties that may hold a layer get an observer (`@LayerObserved`) that tells cached
/// traversals a layer was replaced.
public struct LayerMacro: MemberMacro, ExtensionMacro, MemberAttributeMacro {
    public static func expansion(
        of node: AttributeSyntax, providingMembersOf declaration: some DeclGroupSyntax,
        conformingTo protocols: [TypeSyntax], in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        guard checkFinalClass(declaration, in: context) else { return [] }
        var calls: [String] = []
        for member in declaration.memberBlock.members {
            guard let variable = member.decl.as(VariableDeclSyntax.self) else { continue }
            for property in StoredProperty.all(in: variable) {
                if let call = property.traversalCall(in: context) { calls.append(call) }
            }
        }
        let body = calls.map { "    " + $0 + "\n" }.joined()
        return [
            """
            /// The layer's mode and cached traversal.
            public let layerState = LayerState()
            """,
            """
            /// The layer's tensors and nested layers, as declared.
            public func traverse(with visitor: TraversalVisitor) throws {
            \(raw: body)}
            """,
        ]
    }

    public static func expansion(
        of node: AttributeSyntax, attachedTo declaration: some DeclGroupSyntax,
        providingExtensionsOf type: some TypeSyntaxProtocol, conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [ExtensionDeclSyntax] {
        guard declaration.is(ClassDeclSyntax.self), !protocols.isEmpty else { return [] }
        return [try ExtensionDeclSyntax("extension \(type.trimmed): Layer {}")]
    }

    public static func expansion(
        of node: AttributeSyntax, attachedTo declaration: some DeclGroupSyntax,
        providingAttributesFor member: some DeclSyntaxProtocol, in context: some MacroExpansionContext
    ) throws -> [AttributeSyntax] {
        guard declaration.is(ClassDeclSyntax.self),
              let variable = member.as(VariableDeclSyntax.self),
              variable.bindingSpecifier.tokenKind == .keyword(.var),
              variable.bindings.count == 1,
              let property = StoredProperty.all(in: variable).first,
              property.mayHoldLayer, property.binding.accessorBlock == nil
        else { return [] }
        return ["@LayerObserved"]
    }

    /// Reports a declaration that is not a final class; true when it is one.
    static func checkFinalClass(_ declaration: some DeclGroupSyntax, in context: some MacroExpansionContext) -> Bool {
        if let classDecl = declaration.as(ClassDeclSyntax.self) {
            guard !classDecl.modifiers.contains(where: { $0.name.tokenKind == .keyword(.final) }) else { return true }
            let keyword = classDecl.classKeyword
            let replacement: TokenSyntax = .identifier("final class", leadingTrivia: keyword.leadingTrivia,
                                                      trailingTrivia: keyword.trailingTrivia)
            context.diagnose(Diagnostic(
                node: keyword, message: LayerDiagnostic.notFinal,
                fixIt: FixIt(message: LayerFixIt.addFinal, changes: [
                    .replace(oldNode: Syntax(keyword), newNode: Syntax(replacement)),
                ])))
            return false
        }
        if let structDecl = declaration.as(StructDeclSyntax.self) {
            let keyword = structDecl.structKeyword
            let replacement: TokenSyntax = .identifier("final class", leadingTrivia: keyword.leadingTrivia,
                                                      trailingTrivia: keyword.trailingTrivia)
            context.diagnose(Diagnostic(
                node: keyword, message: LayerDiagnostic.structNotAClass,
                fixIt: FixIt(message: LayerFixIt.makeFinalClass, changes: [
                    .replace(oldNode: Syntax(keyword), newNode: Syntax(replacement)),
                ])))
            return false
        }
        let keyword: TokenSyntax? = declaration.as(EnumDeclSyntax.self)?.enumKeyword
            ?? declaration.as(ActorDeclSyntax.self)?.actorKeyword
            ?? declaration.as(ProtocolDeclSyntax.self)?.protocolKeyword
            ?? declaration.as(ExtensionDeclSyntax.self)?.extensionKeyword
        context.diagnose(Diagnostic(node: keyword.map(Syntax.init) ?? Syntax(declaration), message: LayerDiagnostic.notAClass))
        return false
    }
}

/// `@LayerObserved` on a `var` property of a `@Layer` class: `didSet` tells cached
/// traversals that the structure may have changed (a nested layer was replaced).
public struct LayerObservedMacro: AccessorMacro {
    public static func expansion(
        of node: AttributeSyntax, providingAccessorsOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [AccessorDeclSyntax] {
        ["didSet { structureDidChange() }"]
    }
}
