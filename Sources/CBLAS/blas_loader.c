#include "charnn_blas.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// CBLAS's enumerations, fixed by the reference CBLAS header that every implementation follows.
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef char *(*string_fn)(void);
typedef int (*get_threads_fn)(void);
typedef void (*set_threads_fn)(int);

static void *library;
static sgemm_fn sgemm;
static sgemv_fn sgemv;
static string_fn corename;
static get_threads_fn get_threads;
static set_threads_fn set_threads;

// Debian and Ubuntu install the runtime as libopenblas.so.0; other systems may have only the development link.
static const char *const names[] = {"libopenblas.so.0", "libopenblas.so", "libopenblas.0.dylib", "libopenblas.dylib"};

int charnn_blas_open(const char *coretype, char *error, size_t error_size) {
    if (library) {
        snprintf(error, error_size, "OpenBLAS is already loaded; close it first");
        return -1;
    }
    // What the environment held, to put back once OpenBLAS has read the core type.
    const char *held = getenv("OPENBLAS_CORETYPE");
    char *previous = held ? strdup(held) : NULL;
    if (coretype) setenv("OPENBLAS_CORETYPE", coretype, 1);
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !library; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        // The first name's failure is the one worth reporting; dlerror's text does not outlive the next call.
        if (!library && i == 0) snprintf(error, error_size, "%s", dlerror());
    }
    // The choice is made in the load's constructor; the process's environment goes back to what it was.
    if (coretype) {
        if (previous) setenv("OPENBLAS_CORETYPE", previous, 1);
        else unsetenv("OPENBLAS_CORETYPE");
    }
    free(previous);
    if (!library) return -1;
    sgemm = (sgemm_fn)dlsym(library, "cblas_sgemm");
    sgemv = (sgemv_fn)dlsym(library, "cblas_sgemv");
    corename = (string_fn)dlsym(library, "openblas_get_corename");
    get_threads = (get_threads_fn)dlsym(library, "openblas_get_num_threads");
    set_threads = (set_threads_fn)dlsym(library, "openblas_set_num_threads");
    if (!sgemm || !sgemv || !corename || !get_threads || !set_threads) {
        snprintf(error, error_size, "the library found has no OpenBLAS/CBLAS entry points");
        charnn_blas_close();
        return -1;
    }
    return 0;
}

void charnn_blas_close(void) {
    if (library) dlclose(library);
    library = NULL;
    sgemm = NULL;
    sgemv = NULL;
    corename = NULL;
    get_threads = NULL;
    set_threads = NULL;
}

const char *charnn_blas_corename(void) { return corename(); }
int charnn_blas_threads(void) { return get_threads(); }
void charnn_blas_set_threads(int count) { set_threads(count); }

void charnn_sgemm(int transpose_a, int transpose_b, int m, int n, int k, float alpha, const float *a, int lda,
                  const float *b, int ldb, float beta, float *c, int ldc) {
    sgemm(ROW_MAJOR, transpose_a ? TRANS : NO_TRANS, transpose_b ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb,
          beta, c, ldc);
}

void charnn_sgemv(int m, int n, float alpha, const float *a, int lda, const float *x, float beta, float *y) {
    sgemv(ROW_MAJOR, NO_TRANS, m, n, alpha, a, lda, x, 1, beta, y, 1);
}
