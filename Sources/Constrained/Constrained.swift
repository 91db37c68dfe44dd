// Constrained: parameters that always satisfy their constraint.
//
// `import Constrained` is all a user writes: it re-exports LinAlg.
@_exported import LinAlg
