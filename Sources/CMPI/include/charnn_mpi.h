#ifndef CHARNN_MPI_H
#define CHARNN_MPI_H

#include <stddef.h>

/// Open MPI, loaded at run time rather than linked, so that charnn builds and runs without it and uses it only
/// when `mpirun` started the process.
///
/// The handles MPI_COMM_WORLD, MPI_FLOAT and MPI_SUM are, in Open MPI's ABI (libmpi.so.40, Open MPI 3 to 5), the
/// addresses of the exported objects ompi_mpi_comm_world, ompi_mpi_float and ompi_mpi_op_sum; MPI_IN_PLACE is the
/// address 1. MPICH's handles are integers, so its library is refused by name rather than misused.
///
/// Every call below works on MPI_COMM_WORLD with errors returned, not fatal: a failed collective (a rank died)
/// returns non-zero with MPI's text in `error`, and the caller decides how to stop.

/// Loads libmpi and initialises MPI. Returns 0, or -1 with the reason in `error`.
int charnn_mpi_open(char *error, size_t error_size);

/// This process's rank and the number of ranks (valid after charnn_mpi_open).
int charnn_mpi_rank(void);
int charnn_mpi_size(void);

/// Sums `count` floats of `buffer` over every rank, in place; every rank ends with the same sums.
int charnn_mpi_sum_floats(float *buffer, long count, char *error, size_t error_size);

/// As charnn_mpi_sum_floats, for doubles.
int charnn_mpi_sum_doubles(double *buffer, long count, char *error, size_t error_size);

/// Gathers `count` floats from every rank into `gathered` on rank 0, rank by rank ([size, count]); `gathered` is
/// read only on rank 0 and may be NULL elsewhere.
int charnn_mpi_gather_floats(const float *buffer, long count, float *gathered, char *error, size_t error_size);

/// Finalises MPI at a clean exit.
void charnn_mpi_close(void);

#endif
