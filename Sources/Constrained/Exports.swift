// Constrained: parameters that always satisfy their constraint.
//
// `import Constrained` is all a user writes: it re-exports LinAlg.
//
// Folders mirror the architecture:
// - Core/          the mechanism: `Parametrization`, `>>>`, `@Constrained`, `@Parameter`,
//                  `@Buffer`, the cache (read `Core/Constrained+Cache.swift` for its rules).
// - Layers/        `Layer` and its traversal (dotted names), train/eval mode.
// - Training/      `NamedTensors`, `valueWithGradient(of:_:)`.
// - Optimizers/    SGD, Adam, RMSprop, bound to a model, with per-parameter learning rates.
// - Checkpoints/   save/load of every trainable tensor and state buffer (safetensors).
// - Parametrizations/ the catalogue (Skew, CayleyMap, Orthogonal, SpectralNorm, ...).
@_exported import LinAlg
