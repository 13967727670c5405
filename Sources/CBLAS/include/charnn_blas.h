#ifndef CHARNN_BLAS_H
#define CHARNN_BLAS_H

#include <stddef.h>

/// OpenBLAS, loaded at run time rather than linked.
///
/// OpenBLAS picks its kernels once, in the constructor that runs when the library is loaded, from
/// OPENBLAS_CORETYPE or else from a table of CPU model numbers that new CPUs are missing from. Loading it here,
/// after the caller has chosen a core type from the CPU's features, is what lets charnn choose. Not thread-safe:
/// the caller serialises open and close, and nothing may call the routines while they run.

/// Loads OpenBLAS with OPENBLAS_CORETYPE set to `coretype` for the duration of the load, after which the variable
/// holds what it held before; NULL leaves the choice to the environment or to OpenBLAS. Setting the variable races
/// with any thread that reads or writes the environment meanwhile. Returns 0, or -1 with the reason in `error` when
/// the library cannot be loaded or is loaded already.
int charnn_blas_open(const char *coretype, char *error, size_t error_size);

/// Unloads OpenBLAS, so that it can be opened again with another core type.
void charnn_blas_close(void);

/// The kernels OpenBLAS runs, in its own spelling ("Cooperlake", "Haswell").
const char *charnn_blas_corename(void);

/// How many threads OpenBLAS may use for one call.
int charnn_blas_threads(void);
void charnn_blas_set_threads(int count);

/// Row-major C = alpha op(A) op(B) + beta C, op transposing when its flag is non-zero; C is m x n, op(A) m x k.
void charnn_sgemm(int transpose_a, int transpose_b, int m, int n, int k, float alpha, const float *a, int lda,
                  const float *b, int ldb, float beta, float *c, int ldc);

/// Row-major y = alpha A x + beta y for A m x n.
void charnn_sgemv(int m, int n, float alpha, const float *a, int lda, const float *x, float beta, float *y);

#endif
