// The Riemannian optimizers' state in checkpoints, so a run on `@OnManifold` points resumes
// exactly: each point's moment (a tangent vector at the point), Adam's second moment (one value
// per component of the set) and its step count, which also times the re-projection
// (`stabilizationPeriod`). Every other tensor's state is that of the Euclidean twin, under the
// same names.

extension RiemannianAdam: CheckpointableOptimizer {
    /// The moments and step counts: `<name>.exp_avg`, `<name>.exp_avg_sq`, `<name>.step`, for
    /// manifold points (the second moment has the shape of the set's component norms, one value
    /// per matrix of a Stiefel batch, say) and for every other tensor (as ``Adam``'s).
    public func stateCheckpoint() -> Checkpoint {
        binding.riemannianStateCheckpoint(bufferNames: Self.bufferNames, optimizer: "RiemannianAdam")
    }

    /// Replaces the moments and step counts (see ``CheckpointableOptimizer``).
    public func loadState(_ checkpoint: Checkpoint, for model: some Layer) throws {
        binding.state = try binding.validatedState(checkpoint, for: model, bufferNames: Self.bufferNames,
                                                   manifoldBufferNames: Self.bufferNames, optimizer: "RiemannianAdam")
    }

    static let bufferNames = ["exp_avg", "exp_avg_sq"]
}

extension RiemannianSGD: CheckpointableOptimizer {
    /// The momentum buffers and step counts (`<name>.momentum_buffer`, `<name>.step`). A manifold
    /// point always has its step count (it times the re-projection); a momentum buffer only
    /// with momentum.
    public func stateCheckpoint() -> Checkpoint {
        binding.riemannianStateCheckpoint(bufferNames: ["momentum_buffer"], optimizer: "RiemannianSGD")
    }

    /// Replaces the momentum buffers and step counts (see ``CheckpointableOptimizer``).
    public func loadState(_ checkpoint: Checkpoint, for model: some Layer) throws {
        binding.state = try binding.validatedState(checkpoint, for: model, bufferNames: ["momentum_buffer"],
                                                   manifoldBufferNames: momentum > 0 ? ["momentum_buffer"] : [],
                                                   optimizer: "RiemannianSGD")
    }
}

extension OptimizerBinding {
    /// ``stateCheckpoint(bufferNames:optimizer:)`` plus each manifold point that has taken a
    /// step: its moment and second moment (those it has) and its step count.
    func riemannianStateCheckpoint(bufferNames: [String], optimizer: String) -> Checkpoint {
        var result = stateCheckpoint(bufferNames: bufferNames, optimizer: optimizer)
        for name in state.keys.sorted() {
            if let s = state[name] as? ManifoldPointState<Float> {
                Self.export(s, name, bufferNames, into: &result)
            } else if let s = state[name] as? ManifoldPointState<Double> {
                Self.export(s, name, bufferNames, into: &result)
            }
        }
        return result
    }

    private static func export<S: TensorScalar>(_ s: ManifoldPointState<S>, _ name: String, _ bufferNames: [String],
                                                into result: inout Checkpoint) {
        guard s.step > 0 else { return }   // created by a step that failed: nothing to resume
        for (buffer, value) in zip(bufferNames, [s.moment, s.secondMoment]) {
            if let value { result["\(name).\(buffer)"] = AnyTensor(value) }
        }
        result["\(name).step"] = .encoded(EncodedTensor(int64: [Int64(s.step)], shape: []))
    }
}

extension ManifoldSlot {
    /// This point's optimizer state from `checkpoint`, checked: each of `bufferNames` present
    /// (a moment at the point's shape, then a second moment at the component norms' shape) with
    /// the point's scalar type.
    func restoredState(_ checkpoint: Checkpoint, name: String, bufferNames: [String], step: Int,
                       optimizer: String) throws -> Any {
        if let slot = self as? OnManifold<Float> { return try slot.restoredState(checkpoint, name, bufferNames, step, optimizer) }
        if let slot = self as? OnManifold<Double> { return try slot.restoredState(checkpoint, name, bufferNames, step, optimizer) }
        preconditionFailure("restoredState: an unknown manifold slot \(type(of: self))")
    }
}

extension OnManifold {
    fileprivate func restoredState(_ checkpoint: Checkpoint, _ name: String, _ bufferNames: [String], _ step: Int,
                                   _ optimizer: String) throws -> ManifoldPointState<Scalar> {
        let (point, manifold) = snapshot()
        let restored = ManifoldPointState<Scalar>(shape: point.shape)
        restored.step = step
        for (index, buffer) in bufferNames.enumerated() {
            let key = "\(name).\(buffer)"
            guard let stored = checkpoint[key] else {
                throw ConstrainedError("load", subject: optimizer, key: key, cause: .missingTensor)
            }
            let expected = index == 0
                ? point.shape
                : try withoutRecording { try manifold.componentNorms(Tensor.zeros(point.shape), at: point).shape }
            let expectedType = Scalar.self == Float.self ? "Float" : "Double"
            guard stored.scalarTypeName == expectedType else {
                throw ConstrainedError("load", subject: optimizer, key: key, shape: stored.shape,
                                       cause: .scalarTypeMismatch(expected: expectedType, found: stored.scalarTypeName))
            }
            guard stored.shape == expected, let tensor = stored.tensor(as: Scalar.self) else {
                throw ConstrainedError("load", subject: optimizer, key: key, shape: stored.shape,
                                       cause: .shapeMismatch(expected: expected, found: stored.shape))
            }
            if index == 0 { restored.moment = tensor } else { restored.secondMoment = tensor }
        }
        return restored
    }
}
