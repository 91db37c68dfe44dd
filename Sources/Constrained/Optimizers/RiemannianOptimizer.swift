/// An optimizer that moves `@OnManifold` points along their manifold (``RiemannianSGD``,
/// ``RiemannianAdam``) and every other trainable tensor as its Euclidean twin does.
///
/// **Drift control.** A retraction keeps a point on the set to rounding, but rounding
/// accumulates over many steps. Every ``stabilizationPeriod`` steps of a point (nil: never),
/// the point is replaced by ``RiemannianManifold/stabilized(_:)`` (the nearest point of the
/// set) and its momentum by its tangent projection there, as geoopt's `stabilize`.
public protocol RiemannianOptimizer: Optimizer {
    /// Re-project each manifold point every this many of its steps; nil: never.
    var stabilizationPeriod: Int? { get set }

    /// One step, throwing instead of stopping: a failed retraction (a singular `x + u`, a
    /// matrix that is no longer positive definite) throws a ``ConstrainedError`` naming the
    /// property, and then no tensor of the model has changed.
    func step<Model: Layer, Scalar>(_ model: Model, along gradients: NamedTensors<Scalar>) throws
}

extension Optimizer {
    /// Checks that this optimizer can update every trainable tensor of `model`: a stock
    /// (Euclidean) optimizer cannot update an `@OnManifold` property, whose point it would move
    /// off the set (its `update` stops the program there).
    ///
    /// ```swift
    /// try Adam(for: model).validate(model)   // throws for a model with @OnManifold properties
    /// ```
    ///
    /// - Throws: ``ConstrainedError`` (operation `"update"`, the set as subject, the property's
    ///   name as key, cause ``ConstrainedError/Cause/invalidArgument(_:)``).
    public func validate(_ model: some Layer) throws {
        guard !(self is any RiemannianOptimizer) else { return }
        for named in try model.traversal().slots {
            guard let slot = named.slot as? any ManifoldSlot else { continue }
            throw ConstrainedError("update", subject: slot.manifoldDescription, key: named.name,
                                   shape: slot.pointShape,
                                   cause: .invalidArgument(OnManifold<Double>.euclideanStepRefusal))
        }
    }
}

/// The state a Riemannian optimizer keeps for one manifold point.
final class ManifoldPointState<Scalar: TensorScalar> {
    /// The momentum (SGD) or first moment (Adam), a tangent vector at the point.
    var moment: Tensor<Scalar>?
    /// Adam's second moment, one value per component (``RiemannianManifold/componentNorms(_:at:)``).
    var secondMoment: Tensor<Scalar>?
    var step = 0
    let shape: [Int]

    init(shape: [Int]) { self.shape = shape }
}

extension OptimizerBinding {
    /// The state of manifold point `name`, created on first use and re-created if its shape changed.
    mutating func manifoldState<Scalar>(_ name: String, shape: [Int]) -> ManifoldPointState<Scalar> {
        if let existing = state[name] as? ManifoldPointState<Scalar>, existing.shape == shape { return existing }
        let created = ManifoldPointState<Scalar>(shape: shape)
        state[name] = created
        return created
    }
}

/// One manifold point's new value and state, computed before anything is written so that a
/// failing step leaves the model unchanged.
struct PendingManifoldStep<Scalar: TensorScalar> {
    let slot: OnManifold<Scalar>
    let point: Tensor<Scalar>
    let moment: Tensor<Scalar>?
    let secondMoment: Tensor<Scalar>?
    let state: ManifoldPointState<Scalar>

    /// Writes the step.
    func commit() {
        slot.modifyPoint { p, _ in p = point }
        state.moment = moment
        state.secondMoment = secondMoment
        state.step += 1
    }
}

extension RiemannianOptimizer {
    /// ``step(_:along:)``, stopping the program with the error if it throws.
    func updateOrTrap<Model: Layer, Scalar>(_ model: Model, along gradients: NamedTensors<Scalar>) {
        do {
            try step(model, along: gradients)
        } catch {
            fatalError("\(type(of: self)).update: \(error). Use `try optimizer.step(model, along: gradients)` to handle the error.")
        }
    }

    /// The point and moment after stabilisation when step `step` (1-based) is due for it.
    func stabilizing<Scalar>(_ point: Tensor<Scalar>, _ moment: Tensor<Scalar>?, step: Int,
                             on manifold: any RiemannianManifold<Scalar>) throws -> (Tensor<Scalar>, Tensor<Scalar>?) {
        guard let period = stabilizationPeriod, period > 0, step % period == 0 else { return (point, moment) }
        let stable = try manifold.stabilized(point)
        return (stable, try moment.map { try manifold.projectToTangent($0, at: stable) })
    }
}

/// Runs a manifold step, adding the property's name to the error it throws.
func namingErrors<R>(_ name: String, _ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as ConstrainedError {
        throw error.with(key: name)
    }
}
