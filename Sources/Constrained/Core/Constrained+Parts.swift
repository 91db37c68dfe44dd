/// A parametrization made of parts that can be changed in place (a composition, a
/// type-erased wrapper).
protocol MutableParts {
    /// Runs `body` on each leaf part, in order, in place.
    mutating func forEachPart(_ body: (inout any Parametrization) throws -> Void) rethrows
}

/// Runs `body` on each leaf part of `parametrization`, in order, in place (on
/// `parametrization` itself when it is not made of parts).
func forEachLeafPart(of parametrization: inout any Parametrization,
                     _ body: (inout any Parametrization) throws -> Void) rethrows {
    if var container = parametrization as? any MutableParts {
        try container.forEachPart(body)
        parametrization = container as! any Parametrization
    } else {
        try body(&parametrization)
    }
}

extension Composed: MutableParts {
    mutating func forEachPart(_ body: (inout any Parametrization) throws -> Void) rethrows {
        var a: any Parametrization = first
        try forEachLeafPart(of: &a, body)
        first = a as! First
        var b: any Parametrization = second
        try forEachLeafPart(of: &b, body)
        second = b as! Second
    }
}

extension AnyParametrization: MutableParts {
    mutating func forEachPart(_ body: (inout any Parametrization) throws -> Void) rethrows {
        var wrapped: any Parametrization = base
        try forEachLeafPart(of: &wrapped, body)
        base = wrapped as! any Parametrization<Scalar>
    }
}

extension Constrained {
    /// The parts of the parametrization that have type `Part`, in order, compositions and
    /// type-erased wrappers looked through: `$w.parts(ofType: SpectralNorm<Double>.self)`.
    ///
    /// Copies: tensors they hold with `@Parameter`/`@Buffer` are shared with the property.
    public func parts<Part: Parametrization>(ofType type: Part.Type) -> [Part] {
        state.withLock { s in
            guard s.isParametrized else { return [] }
            return ParametrizationReflection.parts(of: s.parametrization).compactMap { part in
                (part as? AnyParametrization<Scalar>)?.base as? Part ?? part as? Part
            }
        }
    }

    /// Runs `body` on every part of type `Part` of the parametrization, in place, compositions
    /// included; then drops the cache and finds the parametrization's tensors again.
    ///
    /// ```swift
    /// try model.$w.modifyParts(ofType: Orthogonal<Double>.self) { orthogonal in ... }
    /// ```
    ///
    /// - Returns: how many parts `body` ran on.
    /// - Throws: ``ConstrainedError`` (`.invalidArgument`) when no part has type `Part` (nothing
    ///   runs then), or what `body` throws (parts it already ran on keep their changes).
    @discardableResult
    public func modifyParts<Part: Parametrization>(ofType type: Part.Type, _ body: (inout Part) throws -> Void) throws -> Int {
        guard !parts(ofType: type).isEmpty else {
            throw state.withLock { Self.noPart("\(Part.self)", operation: "modifyParts", in: $0) }
        }
        return try modifyParametrization { parametrization in
            var count = 0
            var erased: any Parametrization = parametrization
            defer { parametrization = erased as! any Parametrization<Scalar> }
            try forEachLeafPart(of: &erased) { part in
                guard var typed = part as? Part else { return }
                try body(&typed)
                part = typed
                count += 1
            }
            return count
        }
    }

    /// Moves the base of every part adopting ``BaseUpdating`` to the current point and stores
    /// the original that gives the same value in the new charts; the implementation of every
    /// `updateBase()` (typed and erased).
    func updateBaseParts() throws {
        try state.withLock { s in
            guard s.isParametrized,
                  ParametrizationReflection.parts(of: s.parametrization).contains(where: isBaseUpdatingPart) else {
                throw Self.noPart("BaseUpdating", operation: "updateBase", in: s)
            }
            guard var x = s.original?.detached() else {
                throw ConstrainedError("updateBase", subject: "\(s.parametrization)", key: s.key, cause: .noValue)
            }
            let snapshot = s.stateSlots.map { $0.slot.boxedValue() }
            var erased: any Parametrization = s.parametrization
            var leaves: [any Parametrization] = []
            forEachLeafPart(of: &erased) { leaves.append($0) }
            let last = leaves.lastIndex(where: isBaseUpdatingPart)!
            do {
                try withoutRecording {
                    // Each base-updating part gets its input; its new input is pulled back
                    // through the parts before it, in reverse order.
                    var input = x
                    for k in 0...last {
                        if isBaseUpdatingPart(leaves[k]) {
                            let newInput = try Self.updateBase(of: &leaves[k], input: input)
                            var y = newInput
                            for j in stride(from: k - 1, through: 0, by: -1) {
                                y = try Self.apply(&leaves[j], y, inverse: true)
                            }
                            x = y
                            input = newInput
                        }
                        if k < last { input = try Self.apply(&leaves[k], input, inverse: false) }
                    }
                }
            } catch {
                for (named, saved) in zip(s.stateSlots, snapshot) {
                    if let saved { named.slot.setBoxedValue(saved) }
                }
                throw error
            }
            var next = 0
            forEachLeafPart(of: &erased) { part in
                part = leaves[next]
                next += 1
            }
            s.parametrization = erased as! any Parametrization<Scalar>
            s.setOriginal(x.detached())
            s.cache = nil
        }
    }

    private static func updateBase(of part: inout any Parametrization, input: Tensor<Scalar>) throws -> Tensor<Scalar> {
        func update<B: BaseUpdating>(_ b: inout B) throws -> Tensor<Scalar> {
            try b.updateBase(original: input as! Tensor<B.Scalar>) as! Tensor<Scalar>
        }
        guard var b = part as? any BaseUpdating else { preconditionFailure("not a BaseUpdating part") }
        let result = try update(&b)
        part = b
        return result
    }

    /// The forward map or the right inverse of `part` on `x`.
    private static func apply(_ part: inout any Parametrization, _ x: Tensor<Scalar>, inverse: Bool) throws -> Tensor<Scalar> {
        guard var typed = part as? any Parametrization<Scalar> else { preconditionFailure("scalar type mismatch") }
        defer { part = typed }
        return inverse ? try typed.rightInverse(x) : try typed.forward(x)
    }

    /// The error of an operation that needs a part of a type the parametrization lacks.
    private static func noPart(_ type: String, operation: String, in s: State) -> ConstrainedError {
        let what = s.isParametrized ? "\(s.parametrization)" : "an unparametrized property"
        return ConstrainedError(operation, subject: what, key: s.key, shape: s.original?.shape,
                                cause: .invalidArgument("no part of the parametrization is a \(type)"))
    }
}

/// Whether `part` adopts ``BaseUpdating``.
private func isBaseUpdatingPart(_ part: any Parametrization) -> Bool {
    part is any BaseUpdating
}
