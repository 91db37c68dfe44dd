import Constrained

/// Every workload, in the order they run.
///
/// To add a workload, add one line to its suite's file (`LinalgWorkloads.swift`, …) and the
/// same name to the peer scripts in `Scripts/bench/`. To add a suite, write a function like
/// `linalgWorkloads` and list it here.
func allWorkloads(quick: Bool) -> [Workload] {
    let matrixSizes = quick ? [64] : [64, 256, 512]
    let gradientSizes = quick ? [64] : [64, 256]
    let elements = 1_000_000
    var all: [Workload] = []
    for n in matrixSizes {
        all += linalgWorkloads(Float.self, n: n) + linalgWorkloads(Double.self, n: n)
    }
    all += elementwiseWorkloads(Float.self, n: elements) + elementwiseWorkloads(Double.self, n: elements)
    for n in gradientSizes {
        all += autodiffWorkloads(Double.self, n: n)
    }
    all += tapeWorkloads(Float.self) + tapeWorkloads(Double.self)
    all += constrainedWorkloads(quick: quick)
    all += manifoldWorkloads(quick: quick)
    all += riemannianWorkloads(quick: quick)
    return all
}
