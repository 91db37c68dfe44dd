/// An optimizer whose per-parameter state (momentum buffers, moment estimates, step counts)
/// can be saved and restored, so that a resumed run continues exactly as the interrupted one.
///
/// The state is a ``Checkpoint`` keyed by the parameters' traversal names and PyTorch's
/// names of the buffers: `w.original.exp_avg`, `w.original.exp_avg_sq` and `w.original.step`
/// for ``Adam``; `momentum_buffer` for ``SGD``; `square_avg`, `momentum_buffer`, `grad_avg`
/// for ``RMSprop``. Step counts are `I64` scalars; the buffers have the parameter's scalar
/// type and shape. Its metadata names the optimizer (`"optimizer": "Adam"`).
///
/// Save it with the model in one file, or on its own:
///
/// ```swift
/// try model.save(to: url, optimizer: adam)          // model and optimizer, one file
/// let model2 = Model(), adam2 = Adam(for: model2)
/// try model2.load(from: url, optimizer: adam2)      // both, all or nothing
/// ```
///
/// Hyperparameters (learning rates, betas) are not state: the optimizer created for the
/// resumed run sets them.
public protocol CheckpointableOptimizer: Optimizer {
    /// Every parameter's state, by name (see the protocol's documentation).
    func stateCheckpoint() -> Checkpoint

    /// Replaces the whole state with `checkpoint`'s, checked against `model`, all or nothing.
    ///
    /// - Throws: ``ConstrainedError`` of operation `load` naming the key, when `model` is not
    ///   the optimizer's model, a key names no trainable tensor of `model` or no buffer of this
    ///   optimizer (state for another model or optimizer), a buffer is missing, or a shape or
    ///   scalar type differs from the parameter's; the state is then unchanged.
    func loadState(_ checkpoint: Checkpoint, for model: some Layer) throws
}

extension OptimizerBinding {
    /// The state as a checkpoint: `<name>.<buffer>` for each of `bufferNames`, `<name>.step`.
    func stateCheckpoint(bufferNames: [String], optimizer: String) -> Checkpoint {
        var result = Checkpoint()
        result.metadata = ["optimizer": optimizer]
        for name in state.keys.sorted() {
            if let s = state[name] as? ParameterState<Float> {
                Self.export(s, name, bufferNames, into: &result)
            } else if let s = state[name] as? ParameterState<Double> {
                Self.export(s, name, bufferNames, into: &result)
            }
        }
        return result
    }

    private static func export<S: TensorScalar>(_ s: ParameterState<S>, _ name: String, _ bufferNames: [String],
                                                into result: inout Checkpoint) {
        let buffers = [s.first, s.second, s.third]
        for (index, buffer) in bufferNames.enumerated() { result["\(name).\(buffer)"] = AnyTensor(buffers[index]) }
        result["\(name).step"] = .encoded(EncodedTensor(int64: [Int64(s.step)], shape: []))
    }

    /// The state `checkpoint` holds for `model`, checked completely (nothing is changed).
    ///
    /// With `manifoldBufferNames` (the Riemannian optimizers), an `@OnManifold` point's state is
    /// read into a ``ManifoldPointState``: those buffers (the moment at the point's shape, then
    /// the second moment at the shape of the set's component norms) and its step count.
    func validatedState(_ checkpoint: Checkpoint, for model: some Layer, bufferNames: [String],
                        manifoldBufferNames: [String]? = nil, optimizer: String) throws -> [String: Any] {
        func fail(_ key: String? = nil, shape: [Int]? = nil, _ cause: ConstrainedError.Cause) -> ConstrainedError {
            ConstrainedError("load", subject: optimizer, key: key, shape: shape, cause: cause)
        }
        guard ObjectIdentifier(model) == modelID else {
            throw fail(nil, .invalidArgument("this \(optimizer) optimizer was created for another \(modelType); load its state through the model it updates"))
        }
        if let saved = checkpoint.metadata["optimizer"], saved != optimizer {
            throw fail(nil, .invalidCheckpoint("the state is a \(saved) optimizer's, not \(optimizer)'s"))
        }
        var parameters: [String: any TensorSlot] = [:]
        for named in try model.traversal().slots where named.slot.role == .trainable { parameters[named.name] = named.slot }
        var suffixes = bufferNames + ["step"]
        for name in manifoldBufferNames ?? [] where !suffixes.contains(name) { suffixes.append(name) }
        var owners: Set<String> = []
        for key in checkpoint.names {
            guard let suffix = suffixes.first(where: { key.hasSuffix("." + $0) }) else {
                throw fail(key, .invalidCheckpoint("\(optimizer) keeps no buffer of that name (its buffers: \(suffixes.joined(separator: ", ")))"))
            }
            guard parameters[String(key.dropLast(suffix.count + 1))] != nil else {
                throw fail(key, .invalidCheckpoint("the model has no trainable tensor \"\(key.dropLast(suffix.count + 1))\": the state is another model's"))
            }
            owners.insert(String(key.dropLast(suffix.count + 1)))
        }
        var result: [String: Any] = [:]
        for name in owners.sorted() {
            let slot = parameters[name]!
            guard let current = slot.boxedValue() else { continue }
            let shape = AnyTensor.shapeOf(current)
            let stepKey = "\(name).step"
            guard let step = checkpoint[stepKey] else { throw fail(stepKey, .missingTensor) }
            guard case .encoded(let encoded) = step, encoded.dtype == .i64, encoded.shape == [],
                  let count = encoded.int64Values()?.first, count >= 0 else {
                throw fail(stepKey, shape: step.shape, .invalidCheckpoint("a step count must be a non-negative I64 scalar, got \(step.dtype.rawValue) of shape \(step.shape)"))
            }
            if let manifoldBufferNames, let point = slot as? any ManifoldSlot {
                result[name] = try point.restoredState(checkpoint, name: name, bufferNames: manifoldBufferNames,
                                                       step: Int(count), optimizer: optimizer)
                continue
            }
            var buffers: [AnyTensor] = []
            for buffer in bufferNames {
                let key = "\(name).\(buffer)"
                guard let stored = checkpoint[key] else { throw fail(key, .missingTensor) }
                let expectedType = slot.scalarType == Float.self ? "Float" : "Double"
                guard stored.scalarTypeName == expectedType else {
                    throw fail(key, shape: stored.shape, .scalarTypeMismatch(expected: expectedType, found: stored.scalarTypeName))
                }
                guard stored.shape == shape else {
                    throw fail(key, shape: stored.shape, .shapeMismatch(expected: shape, found: stored.shape))
                }
                buffers.append(stored)
            }
            if slot.scalarType == Float.self {
                result[name] = Self.restored(Float.self, buffers, shape: shape, step: Int(count))
            } else {
                result[name] = Self.restored(Double.self, buffers, shape: shape, step: Int(count))
            }
        }
        return result
    }

    private static func restored<S: TensorScalar>(_: S.Type, _ buffers: [AnyTensor], shape: [Int], step: Int) -> ParameterState<S> {
        let s = ParameterState<S>(count: 0, shape: shape)
        let tensors = buffers.map { $0.tensor(as: S.self)! }
        if tensors.count > 0 { s.first = tensors[0] }
        if tensors.count > 1 { s.second = tensors[1] }
        if tensors.count > 2 { s.third = tensors[2] }
        s.step = step
        return s
    }
}

extension SGD: CheckpointableOptimizer {
    /// The momentum buffers and step counts (`<name>.momentum_buffer`, `<name>.step`); empty
    /// without momentum.
    public func stateCheckpoint() -> Checkpoint {
        binding.stateCheckpoint(bufferNames: ["momentum_buffer"], optimizer: "SGD")
    }

    /// Replaces the momentum buffers and step counts (see ``CheckpointableOptimizer``).
    public func loadState(_ checkpoint: Checkpoint, for model: some Layer) throws {
        binding.state = try binding.validatedState(checkpoint, for: model, bufferNames: ["momentum_buffer"], optimizer: "SGD")
    }
}

extension Adam: CheckpointableOptimizer {
    /// The moment estimates and step counts (`<name>.exp_avg`, `<name>.exp_avg_sq`, `<name>.step`).
    public func stateCheckpoint() -> Checkpoint {
        binding.stateCheckpoint(bufferNames: ["exp_avg", "exp_avg_sq"], optimizer: "Adam")
    }

    /// Replaces the moment estimates and step counts (see ``CheckpointableOptimizer``).
    public func loadState(_ checkpoint: Checkpoint, for model: some Layer) throws {
        binding.state = try binding.validatedState(checkpoint, for: model, bufferNames: ["exp_avg", "exp_avg_sq"], optimizer: "Adam")
    }
}

extension RMSprop: CheckpointableOptimizer {
    /// The squared-gradient averages, momentum buffers, gradient averages and step counts
    /// (`<name>.square_avg`, `<name>.momentum_buffer`, `<name>.grad_avg`, `<name>.step`).
    public func stateCheckpoint() -> Checkpoint {
        binding.stateCheckpoint(bufferNames: ["square_avg", "momentum_buffer", "grad_avg"], optimizer: "RMSprop")
    }

    /// Replaces the averages, momentum buffers and step counts (see ``CheckpointableOptimizer``).
    public func loadState(_ checkpoint: Checkpoint, for model: some Layer) throws {
        binding.state = try binding.validatedState(checkpoint, for: model,
                                                   bufferNames: ["square_avg", "momentum_buffer", "grad_avg"], optimizer: "RMSprop")
    }
}
