@_exported import Constrained

/// Makes a final class a ``Constrained/Layer`` whose traversal is written at compile time.
///
/// ```swift
/// import ConstrainedLayerMacros
///
/// @Layer
/// final class Cell {
///     @Constrained(Skew() >>> MatrixExp()) var recurrent = Tensor<Double>.eye(8)
///     @Parameter var bias = Tensor<Double>.zeros([8])
///     let head = Linear<Double>(8, 2)
///     var blocks: [Linear<Double>] = []
///     let width = 8                                  // not a tensor: skipped
///     @LayerIgnored var scratch: (Int, Int) = (0, 0) // not traversed
///     @LayerKey("out") let output = Linear<Double>(2, 2)
/// }
/// ```
///
/// The macro adds the `Layer` conformance, a stored mode and traversal cache
/// (`layerState`), and `traverse(with:)`, which reports `@Constrained`, `@Parameter` and
/// `@Buffer` properties, nested and optional layers, arrays and `[String: …]` dictionaries of
/// layers under the names reflection gives them (so checkpoints do not change when a layer
/// adopts the macro). `var` properties that may hold layers are observed, so replacing a
/// layer invalidates the model's cached traversal.
///
/// It reports, on the offending token: a struct, enum or non-final class (with a fix-it to
/// `final class`); a tensor wrapper on a `let` (fix-it: `var`) or on a non-`Tensor` type; a
/// stored tuple, a dictionary not keyed by `String`, an array of optionals (fix-it:
/// `@LayerIgnored`).
@attached(member, names: named(layerState), named(traverse))
@attached(extension, conformances: Layer)
@attached(memberAttribute)
public macro Layer() = #externalMacro(module: "ConstrainedMacros", type: "LayerMacro")

/// Excludes a stored property of a `@Layer` class from traversal: its tensors are not trained,
/// saved or loaded.
@attached(peer)
public macro LayerIgnored() = #externalMacro(module: "ConstrainedMacros", type: "LayerIgnoredMacro")

/// Gives a stored property of a `@Layer` class another name in traversal, gradients and
/// checkpoints (as MLX's `@ModuleInfo(key:)`).
///
/// ```swift
/// @LayerKey("w_q") let query = Linear<Double>(8, 8)   // "w_q.weight", "w_q.bias"
/// ```
@attached(peer)
public macro LayerKey(_ key: String) = #externalMacro(module: "ConstrainedMacros", type: "LayerKeyMacro")

/// Added by `@Layer` to its `var` properties that may hold layers: `didSet` calls
/// `structureDidChange()`, so cached traversals see a replaced layer.
@attached(accessor, names: named(didSet))
public macro LayerObserved() = #externalMacro(module: "ConstrainedMacros", type: "LayerObservedMacro")
