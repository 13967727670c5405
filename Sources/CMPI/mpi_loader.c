#include "charnn_mpi.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>

// Open MPI's handles are pointers to its exported objects; these types stand for them.
typedef void *handle;
typedef int (*init_fn)(int *, char ***);
typedef int (*comm_int_fn)(handle, int *);
typedef int (*set_errhandler_fn)(handle, handle);
typedef int (*allreduce_fn)(const void *, void *, int, handle, handle, handle);
typedef int (*gather_fn)(const void *, int, handle, void *, int, handle, int, handle);
typedef int (*finalize_fn)(void);
typedef int (*error_string_fn)(int, char *, int *);

static void *library;
static handle comm_world, float_type, double_type, sum_op;
static allreduce_fn allreduce;
static gather_fn gather;
static finalize_fn finalize;
static error_string_fn error_string;
static int rank, size;

#define IN_PLACE ((void *)1)

// Debian's openmpi-bin brings libmpi.so.40; Homebrew's open-mpi libmpi.40.dylib.
static const char *const names[] = {"libmpi.so.40", "libmpi.so", "libmpi.40.dylib", "/opt/homebrew/lib/libmpi.40.dylib",
                                    "/usr/local/lib/libmpi.40.dylib"};

static int fail(char *error, size_t error_size, const char *what, int code) {
    char text[256] = "";
    int length = 0;
    if (error_string && code != 0) error_string(code, text, &length);
    snprintf(error, error_size, "%s%s%s", what, text[0] ? ": " : "", text);
    return -1;
}

int charnn_mpi_open(char *error, size_t error_size) {
    if (library) return 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !library; i++) {
        // RTLD_GLOBAL: Open MPI loads its transport plugins with dlopen, and they resolve libmpi's symbols globally.
        library = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);
        if (!library && i == 0) snprintf(error, error_size, "%s", dlerror());
    }
    if (!library) return -1;
    comm_world = dlsym(library, "ompi_mpi_comm_world");
    float_type = dlsym(library, "ompi_mpi_float");
    double_type = dlsym(library, "ompi_mpi_double");
    sum_op = dlsym(library, "ompi_mpi_op_sum");
    handle errors_return = dlsym(library, "ompi_mpi_errors_return");
    init_fn init = (init_fn)dlsym(library, "MPI_Init");
    comm_int_fn comm_rank = (comm_int_fn)dlsym(library, "MPI_Comm_rank");
    comm_int_fn comm_size = (comm_int_fn)dlsym(library, "MPI_Comm_size");
    set_errhandler_fn set_errhandler = (set_errhandler_fn)dlsym(library, "MPI_Comm_set_errhandler");
    allreduce = (allreduce_fn)dlsym(library, "MPI_Allreduce");
    gather = (gather_fn)dlsym(library, "MPI_Gather");
    finalize = (finalize_fn)dlsym(library, "MPI_Finalize");
    error_string = (error_string_fn)dlsym(library, "MPI_Error_string");
    if (!comm_world || !float_type || !double_type || !sum_op || !errors_return) {
        snprintf(error, error_size, "the libmpi found is not Open MPI's (charnn needs Open MPI 3 or later)");
        dlclose(library);
        library = NULL;
        return -1;
    }
    if (!init || !comm_rank || !comm_size || !set_errhandler || !allreduce || !gather ||
        !finalize || !error_string) {
        snprintf(error, error_size, "the libmpi found lacks MPI entry points");
        dlclose(library);
        library = NULL;
        return -1;
    }
    int code = init(NULL, NULL);
    if (code != 0) return fail(error, error_size, "MPI_Init failed", code);
    if ((code = set_errhandler(comm_world, errors_return)) != 0 || (code = comm_rank(comm_world, &rank)) != 0 ||
        (code = comm_size(comm_world, &size)) != 0)
        return fail(error, error_size, "MPI set-up failed", code);
    return 0;
}

int charnn_mpi_rank(void) { return rank; }
int charnn_mpi_size(void) { return size; }

// MPI counts are ints: larger buffers go in chunks.
enum { CHUNK = INT_MAX / 2 };

static int sum(void *buffer, long count, handle type, size_t width, char *error, size_t error_size) {
    for (long done = 0; done < count; done += CHUNK) {
        int n = (int)(count - done < CHUNK ? count - done : CHUNK);
        int code = allreduce(IN_PLACE, (char *)buffer + done * width, n, type, sum_op, comm_world);
        if (code != 0) return fail(error, error_size, "MPI_Allreduce failed", code);
    }
    return 0;
}

int charnn_mpi_sum_floats(float *buffer, long count, char *error, size_t error_size) {
    return sum(buffer, count, float_type, sizeof(float), error, error_size);
}

int charnn_mpi_sum_doubles(double *buffer, long count, char *error, size_t error_size) {
    return sum(buffer, count, double_type, sizeof(double), error, error_size);
}

int charnn_mpi_gather_floats(const float *buffer, long count, float *gathered, char *error, size_t error_size) {
    if (count > CHUNK) {
        snprintf(error, error_size, "cannot gather %ld floats in one call", count);
        return -1;
    }
    int code = gather(buffer, (int)count, float_type, gathered, (int)count, float_type, 0, comm_world);
    return code == 0 ? 0 : fail(error, error_size, "MPI_Gather failed", code);
}

void charnn_mpi_close(void) {
    if (library) finalize();
}
