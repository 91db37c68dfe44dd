/// A parametrization of any concrete type: the type-erased form of `any Parametrization<S>`.
///
/// An existential does not conform to its own protocol, so generic code such as ``Composed``
/// cannot take `any Parametrization<S>` directly; this wrapper can. It forwards everything to
/// the wrapped value, and traversal names its state as the wrapped value's (it adds no name).
///
/// ```swift
/// let chosen: any Parametrization<Double> = useCayley ? CayleyMap() : MatrixExp()
/// @Constrained(Skew() >>> AnyParametrization(chosen)) var q: Tensor<Double>
/// ```
public struct AnyParametrization<Scalar: TensorScalar>: Parametrization {
    /// The wrapped parametrization.
    public var base: any Parametrization<Scalar>

    /// Wraps `base` (unwrapping it first if it is itself an `AnyParametrization`).
    public init(_ base: any Parametrization<Scalar>) {
        self.base = (base as? AnyParametrization<Scalar>)?.base ?? base
    }

    /// `base.forward(x)`.
    public mutating func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> { try base.forward(x) }

    /// `base.rightInverse(y)`.
    public mutating func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> { try base.rightInverse(y) }

    /// `base.register(shape:)`.
    public mutating func register(shape: [Int]) throws { try base.register(shape: shape) }

    /// `base.originalShape(forValueShape:)`.
    public func originalShape(forValueShape shape: [Int]) throws -> [Int] {
        try base.originalShape(forValueShape: shape)
    }

    /// Sets `base`'s mode.
    public mutating func setTraining(_ isTraining: Bool) { base.setTraining(isTraining) }

    /// `base.stateVersion`.
    public var stateVersion: UInt64 { base.stateVersion }
}

extension AnyParametrization: ComposedParametrization {
    var parts: [any Parametrization] { ParametrizationReflection.parts(of: base) }
}

extension AnyParametrization {
    /// Reports `base`'s tensors under `base`'s names: the wrapper adds no name.
    public func traverse(with visitor: TraversalVisitor) throws { try base.traverse(with: visitor) }

    /// `base`'s description.
    public var description: String { base.description }
}
