#ifndef CHARNN_TILE_AVX512_H
#define CHARNN_TILE_AVX512_H

// The register tile that every fp32 AVX-512 product against packed panels computes (packed_gemm.c, lstm_step.c):
// MR rows of A [*, k] (rows lda apart) times NP column panels of a packed B (panel_stride floats apart), into
// acc[MR][NP]. Per k: NP loads of B, MR broadcasts of A and MR x NP fused multiply-adds. Inlined with constant MR
// (at most 6) and NP (at most 4), so that the accumulators stay in registers: 6 x 4 of them, the 4 panels of B and
// a broadcast take 29 of the 32.

#include <immintrin.h>
#include <stddef.h>

__attribute__((target("avx512f"), always_inline)) static inline void
product_tile_avx512(int MR, int NP, int k, const float *a, int lda, const float *b, size_t panel_stride, __m512 acc[6][4]) {
    for (int r = 0; r < MR; r++)
        for (int p = 0; p < NP; p++) acc[r][p] = _mm512_setzero_ps();
    for (int kk = 0; kk < k; kk++) {
        __m512 bv[4];
        for (int p = 0; p < NP; p++) bv[p] = _mm512_load_ps(b + p * panel_stride + (size_t)kk * 16);
        for (int r = 0; r < MR; r++) {
            __m512 av = _mm512_set1_ps(a[(size_t)r * lda + kk]);
            for (int p = 0; p < NP; p++) acc[r][p] = _mm512_fmadd_ps(av, bv[p], acc[r][p]);
        }
    }
}

#endif
