/// PyTorch's `orthogonal` names its trivialisation buffer `base`, as we do:
/// `parametrizations.weight.original` and `parametrizations.weight.0.base` (the latter only
/// with `use_trivialization=True`, our `usesTrivialization`). The maps need no names: the
/// original's free entries mean the same in both for each map.
extension Orthogonal: PyTorchCheckpointNaming {}
