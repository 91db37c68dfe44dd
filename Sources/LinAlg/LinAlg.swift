// LinAlg: tensors, kernels on OpenBLAS + LAPACKE, matrix functions and a gradient tape.
//
// Folders mirror the concepts: Scalar/ (the Float/Double protocol with its BLAS/LAPACK entry
// points), Tensor/ (storage, version counters, factories), Kernels/ (elementwise, reductions,
// shape ops, GEMM), Decompositions/ (LAPACK-backed factorisations), MatrixFunctions/
// (matrix exponential), Autodiff/ (the gradient tape and gradient checks).
@_exported import RealModule
