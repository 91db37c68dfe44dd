// OpenBLAS's CBLAS interface and the LAPACKE C interface to LAPACK.
#include <cblas.h>
#include <lapacke.h>
