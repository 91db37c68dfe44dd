import SwiftCompilerPlugin
import ConstrainedMacroExpansions
import SwiftSyntaxMacros

/// The compiler plugin: the macros behind `@Layer` and its property markers.
@main
struct ConstrainedMacrosPlugin: CompilerPlugin {
    let providingMacros: [Macro.Type] = [
        LayerMacro.self,
        LayerIgnoredMacro.self,
        LayerKeyMacro.self,
        LayerObservedMacro.self,
    ]
}
