import ConstrainedMacroExpansions
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacros
import SwiftSyntaxMacrosGenericTestSupport
import Testing

/// The macros as the compiler plugin provides them.
let layerMacros: [String: MacroSpec] = [
    "Layer": MacroSpec(type: LayerMacro.self, conformances: ["Layer"]),
    "LayerIgnored": MacroSpec(type: LayerIgnoredMacro.self),
    "LayerKey": MacroSpec(type: LayerKeyMacro.self),
    "LayerObserved": MacroSpec(type: LayerObservedMacro.self),
]

/// Checks the expansion of `source` (and its diagnostics, and the source after applying
/// every fix-it), recording a Swift Testing issue for each mismatch. The XCTest-based
/// `assertMacroExpansion` would pass silently inside `@Test`.
func expectExpansion(
    _ source: String, expandedSource: String, diagnostics: [DiagnosticSpec] = [],
    fixedSource: String? = nil,
    fileID: StaticString = #fileID, filePath: StaticString = #filePath,
    line: UInt = #line, column: UInt = #column
) {
    assertMacroExpansion(
        source, expandedSource: expandedSource, diagnostics: diagnostics, macroSpecs: layerMacros,
        fixedSource: fixedSource,
        failureHandler: { failure in
            Issue.record(
                Comment(rawValue: failure.message),
                sourceLocation: SourceLocation(
                    fileID: String(describing: failure.location.fileID),
                    filePath: String(describing: failure.location.filePath),
                    line: Int(failure.location.line), column: Int(failure.location.column)))
        },
        fileID: fileID, filePath: filePath, line: line, column: column)
}
