/// A differentiable map from an unconstrained tensor to a constrained one.
///
/// A parametrization turns a free tensor `x` (the *original*, what optimizers update) into a
/// value that satisfies a constraint: `forward(x)` is skew-symmetric, orthogonal, positive,
/// of spectral norm 1, … Because `forward` is written with tensor operations, it is
/// differentiable for free: gradients reach `x` through the gradient tape.
///
/// Adopting the protocol takes a few lines; `Scalar` is inferred from `forward`:
///
/// ```swift
/// struct Square: Parametrization {
///     func forward(_ x: Tensor<Double>) -> Tensor<Double> { x * x }
/// }
/// final class M: Layer {
///     @Constrained(Square()) var w = Tensor<Double>([1, 4, 9])   // stays ≥ 0
/// }
/// ```
///
/// **Right inverse.** `rightInverse(_:)` maps a constrained value `y` back to an original
/// `x` with `forward(x) == y`. It runs at registration (the declaration's initial value is a
/// constrained value: the original becomes `rightInverse(initial)`) and on assignment
/// (`w = y`). It is optional: the default throws a ``ConstrainedError`` whose cause is
/// ``ConstrainedError/Cause/noRightInverse``,
/// which means *there is none*: registration then keeps the initial value itself as the
/// original (as PyTorch does), and assignment throws that error.
///
/// **Errors.** `forward` and `rightInverse` may throw (a Cayley map solves a linear system, an
/// orthogonal right inverse runs QR). A non-throwing implementation satisfies the throwing
/// requirement, so simple parametrizations never write `throws`. Reading a constrained
/// property whose `forward` throws stops the program with the error; `try $w.value()` is
/// the throwing read.
///
/// **State.** Tensors a parametrization owns are declared with property wrappers so that
/// traversal, optimizers, checkpoints and the cache see them, and so that they are updated
/// in place by reference:
/// - `@Parameter var g: Tensor<Scalar>`: trainable (weight norm's magnitude). Reads while
///   a tape records are tracked, so gradients reach it; named `w.0.g`.
/// - `@Buffer var u: Tensor<Scalar>`: state that is not trained (spectral norm's `u`, `v`,
///   the orthogonal `base`); saved in checkpoints; named `w.0.u`.
///
/// The cache keys on the (storage identity, version) of every such tensor, so changing one
/// (including inside `forward`, as a power iteration does) is seen without any bookkeeping.
/// State kept in other stored properties is invisible to the cache; a parametrization that
/// keeps it there reports changes through ``stateVersion``.
///
/// **Value or reference.** A struct or a class may adopt the protocol. The wrapper owns the
/// parametrization: `forward`, `rightInverse` and ``setTraining(_:)`` are `mutating` so a
/// struct can update its plain stored properties; a non-mutating implementation satisfies
/// them too. `@Parameter`/`@Buffer` hold their tensor by reference: copies of a
/// parametrization share those tensors, so register a fresh instance per property: a
/// registration whose instance's tensors another live property already holds throws a
/// ``ConstrainedError`` (cause ``ConstrainedError/Cause/invalidArgument(_:)``) before it runs
/// anything, rather than letting two layers share spectral norm's `u`, `v` silently (a layer
/// initialiser stops with that message). An instance without such tensors may be shared.
///
/// **Mode.** ``setTraining(_:)`` is called when the enclosing layer switches between training
/// and evaluation (`model.isTraining = false`); spectral norm stops its power iteration in
/// evaluation mode. A mode change invalidates the cached value.
public protocol Parametrization<Scalar>: Traversable, CustomStringConvertible {
    /// The scalar type of the tensors this parametrization maps.
    associatedtype Scalar: TensorScalar

    /// The constrained value for the unconstrained `x`.
    ///
    /// Written with tensor operations, it is differentiated by the tape. It is called once
    /// per recomputation of the cache, never on a cache hit.
    mutating func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar>

    /// An unconstrained `x` with `forward(x) == y`, for a `y` satisfying the constraint.
    ///
    /// Runs with recording off. May update state (an orthogonal parametrization moves its
    /// `base`); if it throws, the wrapper restores every `@Parameter`/`@Buffer` of the
    /// parametrization, so a failed assignment changes nothing.
    ///
    /// The default throws ``ConstrainedError/Cause/noRightInverse``: the parametrization has no
    /// right inverse.
    mutating func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar>

    /// Called once when the parametrization is registered on a property whose constrained
    /// value has `shape`, before any `rightInverse` or `forward`.
    ///
    /// A parametrization checks here that it can map tensors of that shape (a square matrix, a
    /// rank that fits) and creates state whose shape depends on it (a low-rank factor), so that
    /// a mistake is reported at registration rather than at the first read. Default: nothing.
    ///
    /// - Throws: ``ConstrainedError`` naming the parametrization and what is wrong with `shape`;
    ///   the property is then not created (or, for `parametrize(with:)`, left unchanged).
    mutating func register(shape: [Int]) throws

    /// The shape of the original whose value has `shape`.
    ///
    /// The value's own shape for a map that keeps the shape (the default); a packed original's
    /// for the sets that store factors (``LowRank``'s `(…, m + k + 1, r)`). Depends only on
    /// `shape` and the parametrization's settings, not on its registration. A composition uses
    /// it to register its first part on what the second takes, and `$w.setOriginal(_:valueShape:)`
    /// to check a packed original.
    ///
    /// - Throws: ``ConstrainedError`` when the parametrization cannot have values of `shape`.
    func originalShape(forValueShape shape: [Int]) throws -> [Int]

    /// Switches between training (`true`) and evaluation (`false`) behaviour. Default: nothing.
    mutating func setTraining(_ isTraining: Bool)

    /// A counter that changes whenever state not held in `@Parameter`/`@Buffer` changes in a
    /// way that changes `forward`. Default: `0` (no such state).
    var stateVersion: UInt64 { get }
}

extension Parametrization {
    /// Throws ``ConstrainedError/Cause/noRightInverse``: by default a parametrization has no
    /// right inverse.
    public func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        throw ConstrainedError("rightInverse", subject: String(describing: Self.self), shape: y.shape,
                               cause: .noRightInverse)
    }

    /// Accepts every shape and creates no state.
    public func register(shape: [Int]) throws {}

    /// `shape`: by default the original has the value's shape.
    public func originalShape(forValueShape shape: [Int]) throws -> [Int] { shape }

    /// Does nothing: by default a parametrization behaves the same in training and evaluation.
    public func setTraining(_ isTraining: Bool) {}

    /// `0`: by default all state lives in `@Parameter`/`@Buffer` tensors, which the cache
    /// watches itself.
    public var stateVersion: UInt64 { 0 }
}
