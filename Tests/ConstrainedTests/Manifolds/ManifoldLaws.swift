import Testing
@testable import Constrained

/// One property of a manifold, held by a layer so that optimizers and assignment see it.
final class ManifoldHolder: Layer {
    @AnyConstrained var w: Tensor<Double>
    init<M: Manifold>(_ manifold: M, initial: Tensor<Double>) where M.Scalar == Double {
        _w = Constrained(wrappedValue: initial, manifold)
    }
}

/// The laws every set of the catalogue satisfies, checked at one shape and seed; each failure
/// is recorded with the set's description, the shape and the seed.
///
/// - forward lands in the set; `sample` is in the set;
/// - `forward(rightInverse(y)) ≈ y` for a sampled `y`;
/// - `projection` lands in the set and is idempotent;
/// - the forward map passes `gradientCheck`;
/// - after `steps` Adam steps on a random linear loss the value is still in the set;
/// - assigning a point off the set throws `.notInImage` naming the set, and keeps the value.
enum ManifoldLaws {
    /// The deviation of `y` from `set`, NaN when it cannot be measured.
    static func deviation<M: Manifold>(_ set: M, _ y: Tensor<M.Scalar>) -> M.Scalar {
        (try? set.deviation(of: y)) ?? .nan
    }

    static func check<M: Manifold>(_ make: () -> M, shape: [Int], seed: UInt64, steps: Int = 500,
                                   originalScale: Double = 0.5, roundTripTolerance: Double = 1e-12,
                                   offSet: ((Tensor<Double>) -> Tensor<Double>)? = nil)
    throws where M.Scalar == Double {
        let context = "\(make()) \(shape) seed \(seed)"
        var g = SeededGenerator(seed: seed)
        let set = make()

        // Sample, and the right inverse's round trip.
        let y = try set.sample(shape: shape, using: &g)
        #expect(set.contains(y), "\(context): sample off the set by \(deviation(set, y))")
        var p = make()
        try p.register(shape: shape)
        let x0 = try p.rightInverse(y)
        let back = try p.forward(x0)
        #expect(maxAbsoluteDifference(back, y) <= roundTripTolerance, "\(context): forward(rightInverse(y)) is \(maxAbsoluteDifference(back, y)) from y")

        // Forward of a random original.
        let x = x0 + Tensor<Double>.randomNormal(x0.shape, using: &g) * originalScale
        let value = try p.forward(x)
        #expect(set.contains(value), "\(context): forward off the set by \(deviation(set, value))")

        // Projection.
        let z = y + Tensor<Double>.randomNormal(shape, using: &g) * 0.1
        let projected = try set.projection(z)
        #expect(set.contains(projected), "\(context): projection off the set by \(deviation(set, projected))")
        #expect(maxAbsoluteDifference(try set.projection(projected), projected) <= 1e-12, "\(context): projection not idempotent")

        // Gradients.
        let result = try gradientCheck(at: [x]) { xs in try p.forward(xs[0]) }
        #expect(result.passed, "\(context): \(result)")

        // Training keeps the value on the set.
        let holder = ManifoldHolder(make(), initial: y)
        let c = Tensor<Double>.randomNormal(shape, using: &g)
        let adam = Adam(for: holder, learningRate: 1e-2)
        for _ in 0..<steps {
            let (_, gradients) = try valueWithGradient(of: holder) { h in (h.w * c).sum() }
            adam.update(holder, along: gradients)
        }
        #expect(set.contains(holder.w), "\(context): after \(steps) Adam steps off the set by \(deviation(set, holder.w))")

        // A point off the set is refused, and the value kept.
        let before = holder.w
        let off = offSet?(before) ?? before * 1.5
        do {
            try holder.$w.assign(off)
            Issue.record("\(context): assigning a point off the set did not throw")
        } catch let error as ConstrainedError {
            guard case .notInImage = error.cause else {
                Issue.record("\(context): expected notInImage, got \(error)")
                return
            }
            #expect(error.description.contains(String(describing: make()).prefix(while: { $0 != "(" })), "\(context): \(error)")
        }
        #expect(holder.w == before, "\(context): a refused assignment changed the value")
        // Projecting is explicit.
        try holder.$w.assign(off, projecting: true)
        #expect(set.contains(holder.w), "\(context): a projected assignment is off the set")
    }
}
