#ifndef CHARNN_KERNELS_H
#define CHARNN_KERNELS_H

/// Matrix products against a right-hand matrix packed once and read many times: the recurrent weights W_hh, which
/// every step of a window multiplies by a few rows (R x H times H x 4H, R about 28). BLAS repacks its operands on
/// every call and tunes its kernels for many more rows; docs/performance.md has the measurements.
///
/// The packed layout: B [k, n] as ceil(n / 16) column panels, each [k, 16], columns past n zero. Every kernel reads
/// it, whatever its vector width.

/// The floats a packed B [k, n] takes.
long charnn_packed_size(int k, int n);

/// Packs B [k, n] into `packed`: B[kk][j] is b[kk * ldb + j], or with `transposed` b[j * ldb + kk].
void charnn_pack(const float *b, int ldb, int k, int n, int transposed, float *packed);

/// C [m, n] = A [m, k] B, B packed by charnn_pack. Rows have strides lda and ldc. The _avx512 kernel needs
/// AVX-512 F; the _avx2 kernel AVX2 and FMA: the caller checks the CPU.
void charnn_packed_gemm_avx512(int m, int n, int k, const float *a, int lda, const float *packed, float *c, int ldc);
void charnn_packed_gemm_avx2(int m, int n, int k, const float *a, int lda, const float *packed, float *c, int ldc);

#endif
