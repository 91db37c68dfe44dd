precedencegroup ParametrizationCompositionPrecedence {
    associativity: left
    higherThan: AssignmentPrecedence
}

/// Composes two parametrizations: `a >>> b` maps `x` to `b(a(x))`.
infix operator >>> : ParametrizationCompositionPrecedence

/// Two parametrizations applied one after the other: `forward(x) = second(first(x))`.
///
/// The right inverse runs them in reverse order, `first⁻¹(second⁻¹(y))`, so assigning a
/// value satisfying `second`'s constraint finds an original for the whole chain. If either
/// has no right inverse, neither has the composition.
///
/// Compositions nest and flatten: in `a >>> b >>> c` the parts are numbered 0, 1, 2, and
/// their state is named `w.0.…`, `w.1.…`, `w.2.…`, as in PyTorch's `ParametrizationList`.
///
/// ```swift
/// @Constrained(Skew() >>> CayleyMap()) var q: Tensor<Double>   // orthogonal
/// ```
public struct Composed<First: Parametrization, Second: Parametrization>: Parametrization
where First.Scalar == Second.Scalar {
    /// The scalar type both parts share.
    public typealias Scalar = First.Scalar

    /// The parametrization applied first (to the original).
    public var first: First
    /// The parametrization applied to `first`'s output.
    public var second: Second

    /// Composes `first` then `second`.
    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    /// `second(first(x))`.
    public mutating func forward(_ x: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try second.forward(try first.forward(x))
    }

    /// `first⁻¹(second⁻¹(y))`.
    public mutating func rightInverse(_ y: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try first.rightInverse(try second.rightInverse(y))
    }

    /// Registers `second` on `shape` and `first` on the shape of `second`'s original
    /// (``Parametrization/originalShape(forValueShape:)``): the same shape for the maps that keep
    /// it, a packed shape after ``LowRank`` and the other factored sets.
    public mutating func register(shape: [Int]) throws {
        try second.register(shape: shape)
        try first.register(shape: try second.originalShape(forValueShape: shape))
    }

    /// `first`'s original shape for `second`'s original shape for `shape`.
    public func originalShape(forValueShape shape: [Int]) throws -> [Int] {
        try first.originalShape(forValueShape: try second.originalShape(forValueShape: shape))
    }

    /// Sets the mode of both parts.
    public mutating func setTraining(_ isTraining: Bool) {
        first.setTraining(isTraining)
        second.setTraining(isTraining)
    }

    /// A hash of both parts' versions, `mix(mix(first) + second)` with SplitMix64's
    /// finaliser `mix` (a bijection of `UInt64`); `0` when both are `0`.
    ///
    /// Not their sum: the protocol promises only that a counter *changes*, and a sum stays
    /// the same when one part's counter rises as the other's falls. For a fixed `first`, a
    /// change of `second` always changes the hash (`mix` is a bijection); a change of both
    /// keeps it only if the two values line up exactly, a chance of about 2⁻⁶⁴.
    public var stateVersion: UInt64 {
        let a = first.stateVersion, b = second.stateVersion
        guard a != 0 || b != 0 else { return 0 }
        return Self.mix(Self.mix(a) &+ b)
    }

    /// SplitMix64's finaliser: a bijection of `UInt64` that spreads every input bit.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// A parametrization made of parts, numbered for naming their state (`w.0.…`, `w.1.…`).
protocol ComposedParametrization {
    /// The parts, flattened (a composition of compositions lists the leaves in order).
    var parts: [any Parametrization] { get }
}

extension Composed: ComposedParametrization {
    var parts: [any Parametrization] {
        ParametrizationReflection.parts(of: first) + ParametrizationReflection.parts(of: second)
    }
}

extension Composed {
    /// Reports the flattened parts, numbered `0`, `1`, … (`a >>> b >>> c` has three).
    public func traverse(with visitor: TraversalVisitor) throws {
        for (index, part) in parts.enumerated() { try visitor.visitPart(part, named: "\(index)") }
    }
}

/// `b(a(x))`: `a` then `b`. Named twin: ``Parametrization/followed(by:)``.
public func >>> <A: Parametrization, B: Parametrization>(a: A, b: B) -> Composed<A, B>
where A.Scalar == B.Scalar {
    Composed(a, b)
}

extension Parametrization {
    /// This parametrization, then `next`: the same as `self >>> next`.
    ///
    /// ```swift
    /// @Constrained(Skew().followed(by: CayleyMap())) var q: Tensor<Double>
    /// ```
    public func followed<Next: Parametrization>(by next: Next) -> Composed<Self, Next>
    where Next.Scalar == Scalar {
        Composed(self, next)
    }
}

/// The identity parametrization: `forward(x) = x`, its own right inverse.
///
/// A property whose parametrization was removed behaves like this.
public struct Identity<Scalar: TensorScalar>: Parametrization {
    /// Creates the identity.
    public init() {}
    /// `x`.
    public func forward(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x }
    /// `y`.
    public func rightInverse(_ y: Tensor<Scalar>) -> Tensor<Scalar> { y }
}
