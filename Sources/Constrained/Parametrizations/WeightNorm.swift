/// Weight normalisation: `forward(v) = g · v / ‖v‖`, with the magnitude `g` a trainable tensor
/// of its own, as PyTorch's `torch.nn.utils.parametrizations.weight_norm` (Salimans and
/// Kingma 2016).
///
/// The original is the direction `v`; ``g`` (`w.0.g`, trained like any `@Parameter`) is the
/// magnitude. With `dim: d` the norm is taken over every axis except `d`, once per index
/// along `d` (for a linear weight `[out, in]` and `dim: 0`, one norm per output row), and `g`
/// has the shape of `v` with every axis but `d` set to 1; with `dim: nil` the norm is the
/// whole tensor's and `g` is a scalar (shape `[]`). Gradients reach both `g` and `v`; the
/// gradient with respect to `v` is orthogonal to `v` (`‖v‖` is scale-invariant).
///
/// ```swift
/// final class Model: Layer {
///     @Constrained(WeightNorm()) var weight = Tensor<Double>.randomNormal([4, 3], seed: 1)
/// }
/// // weight.original = v, weight.0.g = the row norms of the initial weight
/// ```
///
/// **Right inverse:** `v = W` and `g = ‖W‖` along `dim` (so the value is `W` again), as
/// PyTorch. `g` is also initialised this way at the first read when the original was set
/// directly.
public struct WeightNorm<Scalar: TensorScalar>: Parametrization {
    /// The axis kept (one norm per index along it); nil for the whole tensor.
    public let dim: Int?
    /// The magnitude: `g · v/‖v‖`.
    @Parameter public var g: Tensor<Scalar>

    /// Weight normalisation along `dim` (default 0, PyTorch's), or over the whole tensor
    /// when `dim` is nil.
    public init(dim: Int? = 0) {
        self.dim = dim
        _g = Parameter()
    }

    /// Accepts any shape for which `dim` is in range (every shape for `dim: nil`).
    ///
    /// - Throws: ``ConstrainedError`` with cause ``ConstrainedError/Cause/invalidArgument(_:)``
    ///   when `dim` is out of range for `shape`.
    public func register(shape: [Int]) throws {
        _ = try Self.norms(Tensor<Scalar>.zeros(shape), dim: dim, operation: "register")
    }

    /// `g · v / ‖v‖`.
    ///
    /// - Throws: ``ConstrainedError`` when `dim` is out of range or `g` does not fit `v`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ v: Tensor<Scalar>) throws -> Tensor<Scalar> {
        let norms = try Self.norms(v, dim: dim)
        if $g.storedValue == nil { g = norms.detached() }
        let magnitude = g
        guard magnitude.shape == norms.shape else {
            throw ConstrainedError("forward", subject: "WeightNorm(dim: \(dim.map(String.init) ?? "nil"))", key: "g", shape: v.shape, cause: .shapeMismatch(expected: norms.shape, found: magnitude.shape))
        }
        return v * (magnitude / norms)
    }

    /// `v = W`, and sets `g = ‖W‖` along `dim`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func rightInverse(_ w: Tensor<Scalar>) throws -> Tensor<Scalar> {
        g = try Self.norms(w, dim: dim).detached()
        return w
    }

    /// The norms of `v` over every axis but `dim` (shape of `v` with 1 elsewhere), or the
    /// whole norm (shape `[]`); differentiable.
    ///
    /// LinAlg's `norm` guards the sum of squares against overflow and underflow.
    static func norms(_ v: Tensor<Scalar>, dim: Int?, operation: String = "forward") throws -> Tensor<Scalar> {
        guard let dim else { return v.norm() }
        let rank = v.rank
        guard dim >= -rank && dim < rank else {
            throw ConstrainedError(operation, subject: "WeightNorm", shape: v.shape, cause: .invalidArgument("dim \(dim) is out of range (expected -\(rank)...\(rank - 1), or nil for the whole tensor)"))
        }
        let d = dim < 0 ? dim + rank : dim
        let others = (0..<rank).filter { $0 != d }
        return others.isEmpty ? abs(v) : v.norm(alongAxes: others, keepingDimensions: true)
    }
}
