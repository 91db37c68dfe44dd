import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// One stored property of a `@Layer` class, as traversal sees it.
struct StoredProperty {
    let variable: VariableDeclSyntax
    let binding: PatternBindingSyntax
    let name: String

    /// The stored instance properties a declaration introduces (computed, static and lazy
    /// ones are not stored state of the instance).
    static func all(in variable: VariableDeclSyntax) -> [StoredProperty] {
        let skipped: Set<Keyword> = [.static, .class, .lazy]
        guard !variable.modifiers.contains(where: {
            if case .keyword(let k) = $0.name.tokenKind { return skipped.contains(k) }
            return false
        }) else { return [] }
        return variable.bindings.compactMap { binding in
            guard let identifier = binding.pattern.as(IdentifierPatternSyntax.self) else { return nil }
            if let accessors = binding.accessorBlock {
                // Only observers keep a property stored.
                guard case .accessors(let list) = accessors.accessors,
                      list.allSatisfy({ [.keyword(.willSet), .keyword(.didSet)].contains($0.accessorSpecifier.tokenKind) })
                else { return nil }
            }
            return StoredProperty(variable: variable, binding: binding, name: identifier.identifier.trimmedDescription)
        }
    }

    /// The attribute named `name` on the declaration, if any, with or without generic
    /// arguments (`@OnManifold<Double>` is named `OnManifold`).
    func attribute(_ name: String) -> AttributeSyntax? {
        for element in variable.attributes {
            guard let attribute = element.as(AttributeSyntax.self) else { continue }
            let written = attribute.attributeName.as(IdentifierTypeSyntax.self)?.name.text
                ?? attribute.attributeName.trimmedDescription
            if written == name { return attribute }
        }
        return nil
    }

    /// The tensor wrapper the property is declared with (``AnyConstrained`` is the erased
    /// `Constrained`).
    var tensorWrapper: AttributeSyntax? {
        attribute("Constrained") ?? attribute("AnyConstrained") ?? attribute("Parameter") ?? attribute("Buffer")
            ?? attribute("OnManifold")
    }

    /// The property's type as written, without optionals' sugar removed.
    var type: TypeSyntax? { binding.typeAnnotation?.type }

    /// Whether the property's declared type rules out a layer (a plain value, a tensor
    /// constant). Without a type annotation it may hold one.
    var mayHoldLayer: Bool {
        guard tensorWrapper == nil, attribute("LayerIgnored") == nil else { return false }
        guard let type else { return true }
        return !Self.isPlainValue(type)
    }

    private static let plainNames: Set<String> = [
        "Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8", "UInt16", "UInt32", "UInt64",
        "Float", "Double", "Bool", "String", "Character", "Tensor", "Scalar", "Shape",
    ]

    /// A type traversal skips by its spelling: a scalar, a string, a tensor constant, or an
    /// optional, array or tuple-free collection of those.
    static func isPlainValue(_ type: TypeSyntax) -> Bool {
        if let optional = type.as(OptionalTypeSyntax.self) { return isPlainValue(optional.wrappedType) }
        if let optional = type.as(ImplicitlyUnwrappedOptionalTypeSyntax.self) { return isPlainValue(optional.wrappedType) }
        if let array = type.as(ArrayTypeSyntax.self) { return isPlainValue(array.element) }
        if let dictionary = type.as(DictionaryTypeSyntax.self) {
            return isPlainValue(dictionary.key) && isPlainValue(dictionary.value)
        }
        if let identifier = type.as(IdentifierTypeSyntax.self) {
            return plainNames.contains(identifier.name.text)
        }
        if let member = type.as(MemberTypeSyntax.self) {
            return member.baseType.trimmedDescription == "Swift" && plainNames.contains(member.name.text)
        }
        return false
    }

    /// The name in traversal: the `@LayerKey` argument, else the property's name without a
    /// leading underscore (as reflection names it).
    func key(in context: some MacroExpansionContext) -> String {
        if let attribute = attribute("LayerKey") {
            if case .argumentList(let arguments) = attribute.arguments, arguments.count == 1,
               let literal = arguments.first?.expression.as(StringLiteralExprSyntax.self),
               literal.segments.count == 1,
               let segment = literal.segments.first?.as(StringSegmentSyntax.self) {
                return segment.content.text
            }
            context.diagnose(Diagnostic(node: attribute, message: LayerDiagnostic.badKey))
        }
        return name.hasPrefix("_") ? String(name.dropFirst()) : name
    }

    /// The statement reporting the property to the visitor, or nil when traversal skips it
    /// (after diagnosing a property it cannot walk).
    func traversalCall(in context: some MacroExpansionContext) -> String? {
        guard attribute("LayerIgnored") == nil else { return nil }
        let key = key(in: context)
        if let wrapper = tensorWrapper {
            var valid = true
            if variable.bindingSpecifier.tokenKind == .keyword(.let) {
                let keyword = variable.bindingSpecifier
                context.diagnose(Diagnostic(
                    node: keyword, message: LayerDiagnostic.wrapperOnLet,
                    fixIt: FixIt(message: LayerFixIt.useVar, changes: [
                        .replace(oldNode: Syntax(keyword), newNode: Syntax(keyword.with(\.tokenKind, .keyword(.var)))),
                    ])))
                valid = false
            }
            if let type, !Self.isTensor(type) {
                context.diagnose(Diagnostic(node: type, message: LayerDiagnostic.wrapperOnNonTensor,
                                            highlights: [Syntax(wrapper)]))
                valid = false
            }
            return valid ? "try visitor.visit(self._\(name), named: \(literal(key)))" : nil
        }
        if let type {
            if Self.isPlainValue(type) { return nil }
            if let problem = Self.untraversable(type) {
                diagnoseUntraversable(problem, at: type, in: context)
                return nil
            }
        }
        return "try visitor.visit(self.\(name), named: \(literal(key)))"
    }

    /// `Tensor<…>` (or `LinAlg.Tensor<…>`).
    static func isTensor(_ type: TypeSyntax) -> Bool {
        if let identifier = type.as(IdentifierTypeSyntax.self) { return identifier.name.text == "Tensor" }
        if let member = type.as(MemberTypeSyntax.self) { return member.name.text == "Tensor" }
        return false
    }

    /// Why traversal cannot walk a property of this spelling, if it cannot.
    static func untraversable(_ type: TypeSyntax) -> LayerDiagnostic? {
        if let optional = type.as(OptionalTypeSyntax.self) { return untraversable(optional.wrappedType) }
        if type.is(TupleTypeSyntax.self) { return .tuple }
        if let dictionary = type.as(DictionaryTypeSyntax.self), dictionary.key.trimmedDescription != "String",
           !isPlainValue(dictionary.value) {
            return .nonStringDictionary
        }
        if let array = type.as(ArrayTypeSyntax.self), array.element.is(OptionalTypeSyntax.self),
           !isPlainValue(array.element) {
            return .optionalElements
        }
        return nil
    }

    private func diagnoseUntraversable(_ problem: LayerDiagnostic, at type: TypeSyntax,
                                       in context: some MacroExpansionContext) {
        let ignored = AttributeSyntax(
            attributeName: IdentifierTypeSyntax(name: .identifier("LayerIgnored")),
            trailingTrivia: .space)
        let trivia = variable.leadingTrivia
        var fixed = variable.with(\.leadingTrivia, [])
        fixed.attributes = AttributeListSyntax([.attribute(ignored)] + Array(fixed.attributes))
        fixed.leadingTrivia = trivia
        context.diagnose(Diagnostic(
            node: type, message: problem,
            fixIt: FixIt(message: LayerFixIt.ignore, changes: [
                .replace(oldNode: Syntax(variable), newNode: Syntax(fixed)),
            ])))
    }

    private func literal(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\\" || character == "\"" { escaped.append("\\") }
            escaped.append(character)
        }
        return "\"" + escaped + "\""
    }
}
