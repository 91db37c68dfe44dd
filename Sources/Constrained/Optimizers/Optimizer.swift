/// Updates a model's trainable tensors in place along their gradients.
///
/// An optimizer is bound to one model when it is created and keeps its per-parameter state
/// (momentum, moment estimates) under the parameters' dotted names. `update(_:along:)`
/// changes each trainable tensor in place, which increments its version: every
/// `@Constrained` cache computed from it becomes stale by itself, and the next read
/// evaluates the parametrization once.
///
/// ```swift
/// let optimizer = Adam(for: model, learningRate: 1e-3,
///                      learningRates: ["cell.recurrent": 1e-4])   // a group with its own rate
/// for batch in batches {
///     let (loss, gradients) = try valueWithGradient(of: model) { m in m.loss(batch) }
///     optimizer.update(model, along: gradients)
/// }
/// ```
///
/// The built-in optimizers also adopt ``CheckpointableOptimizer``: their state is saved and
/// loaded with the model (`model.save(to: url, optimizer: adam)`), so a resumed run continues
/// exactly as the interrupted one.
public protocol Optimizer: AnyObject {
    /// Takes one step: updates every trainable tensor of `model` that has a gradient in
    /// `gradients` (tensors without one are left alone).
    ///
    /// - Precondition: `model` is the model the optimizer was created for, and each gradient
    ///   has its tensor's shape.
    func update<Model: Layer, Scalar>(_ model: Model, along gradients: NamedTensors<Scalar>)
}

/// A learning rate per parameter group: a base rate, and rates for name prefixes.
///
/// A prefix matches a name equal to it or continuing it after a dot: `"cell.recurrent"`
/// matches `cell.recurrent.original` and `cell.recurrent.0.g`, not `cell.recurrent2.original`.
/// The longest matching prefix wins; names no prefix matches use ``base``.
public struct LearningRates: Sendable, Equatable {
    /// The rate of parameters no prefix matches.
    public var base: Double
    /// Rates by name prefix.
    public var byPrefix: [String: Double]

    /// A base rate and rates for name prefixes.
    public init(base: Double, byPrefix: [String: Double] = [:]) {
        self.base = base
        self.byPrefix = byPrefix
    }

    /// The rate of the parameter named `name`.
    public func rate(for name: String) -> Double {
        var best: (length: Int, rate: Double)?
        for (prefix, rate) in byPrefix where name == prefix || name.hasPrefix(prefix + ".") {
            if best == nil || prefix.count > best!.length { best = (prefix.count, rate) }
        }
        return best?.rate ?? base
    }
}

/// The parameters an optimizer updates and its per-parameter state, shared by the three
/// optimizers.
struct OptimizerBinding {
    let modelID: ObjectIdentifier
    let modelType: String
    /// Per-parameter state by name (type depends on the optimizer and the scalar type).
    var state: [String: Any] = [:]

    init(_ model: some Layer) {
        modelID = ObjectIdentifier(model)
        modelType = String(describing: type(of: model))
    }

    /// Every trainable tensor of `model` with a gradient, in traversal order, with that
    /// gradient.
    func parameters<Model: Layer, Scalar>(
        of model: Model, along gradients: NamedTensors<Scalar>, optimizer: String
    ) -> [(name: String, slot: any TypedTensorSlot<Scalar>, gradient: Tensor<Scalar>)] {
        precondition(ObjectIdentifier(model) == modelID,
                     "\(optimizer).update: this optimizer was created for another \(modelType); create one per model")
        var result: [(name: String, slot: any TypedTensorSlot<Scalar>, gradient: Tensor<Scalar>)] = []
        for named in model.traversalOrTrap().slots where named.slot.role == .trainable {
            guard let gradient = gradients[named.name],
                  let slot = named.slot as? any TypedTensorSlot<Scalar> else { continue }
            result.append((named.name, slot, gradient))
        }
        return result
    }
}

/// The per-parameter state an optimizer keeps: up to three tensors of the parameter's shape
/// and a step count.
///
/// Separate stored properties, not an array: a kernel writes several of them at once, and
/// Swift's exclusivity rules allow simultaneous access to distinct stored properties of a
/// class but not to two elements of one array property.
final class ParameterState<Scalar: TensorScalar> {
    var first: Tensor<Scalar>
    var second: Tensor<Scalar>
    var third: Tensor<Scalar>
    let shape: [Int]
    var step = 0

    init(count: Int, shape: [Int]) {
        self.shape = shape
        first = Tensor.zeros(count > 0 ? shape : [0])
        second = Tensor.zeros(count > 1 ? shape : [0])
        third = Tensor.zeros(count > 2 ? shape : [0])
    }
}

extension OptimizerBinding {
    /// The state of parameter `name` with `count` buffers shaped like `shape`, created (zeros)
    /// on first use and re-created if the parameter's shape or scalar type changed.
    mutating func parameterState<Scalar>(_ name: String, count: Int, shape: [Int]) -> ParameterState<Scalar> {
        if let existing = state[name] as? ParameterState<Scalar>,
           existing.shape == shape {
            return existing
        }
        let created = ParameterState<Scalar>(count: count, shape: shape)
        state[name] = created
        return created
    }
}

/// Checks that a gradient fits its parameter.
@inline(__always)
func checkGradient<Scalar>(_ gradient: Tensor<Scalar>, for parameter: Tensor<Scalar>, named name: String, in optimizer: String) {
    precondition(gradient.shape == parameter.shape,
                 "\(optimizer).update: the gradient of \(name) has shape \(gradient.shape), the parameter \(parameter.shape)")
}
