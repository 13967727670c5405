#include "charnn_kernels.h"

#include <stddef.h>

enum { PANEL = 16 };

long charnn_packed_size(int k, int n) { return (long)((n + PANEL - 1) / PANEL) * k * PANEL; }

void charnn_pack(const float *b, int ldb, int k, int n, int transposed, float *packed) {
    int panels = (n + PANEL - 1) / PANEL;
    for (int p = 0; p < panels; p++) {
        float *panel = packed + (size_t)p * k * PANEL;
        for (int kk = 0; kk < k; kk++) {
            for (int j = 0; j < PANEL; j++) {
                int col = p * PANEL + j;
                float value = 0;
                if (col < n) value = transposed ? b[(size_t)col * ldb + kk] : b[(size_t)kk * ldb + col];
                panel[(size_t)kk * PANEL + j] = value;
            }
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

#include "tile_avx512.h"

// Each kernel walks C in tiles of MR rows by NP panels, holding the tile in registers while k runs: per k, NP
// loads of B, MR broadcasts of A and MR x NP fused multiply-adds (tile_avx512.h). The tile functions are inlined
// with constant MR and NP (the switch below), so that the accumulators stay in registers.

#define TILE_CASES(TILE)                                                                        \
    switch (mr * 8 + np) {                                                                                     \
    case 1 * 8 + 1: TILE(1, 1); break;                                                                         \
    case 1 * 8 + 2: TILE(1, 2); break;                                                                         \
    case 1 * 8 + 3: TILE(1, 3); break;                                                                         \
    case 1 * 8 + 4: TILE(1, 4); break;                                                                         \
    case 2 * 8 + 1: TILE(2, 1); break;                                                                         \
    case 2 * 8 + 2: TILE(2, 2); break;                                                                         \
    case 2 * 8 + 3: TILE(2, 3); break;                                                                         \
    case 2 * 8 + 4: TILE(2, 4); break;                                                                         \
    case 3 * 8 + 1: TILE(3, 1); break;                                                                         \
    case 3 * 8 + 2: TILE(3, 2); break;                                                                         \
    case 3 * 8 + 3: TILE(3, 3); break;                                                                         \
    case 3 * 8 + 4: TILE(3, 4); break;                                                                         \
    case 4 * 8 + 1: TILE(4, 1); break;                                                                         \
    case 4 * 8 + 2: TILE(4, 2); break;                                                                         \
    case 4 * 8 + 3: TILE(4, 3); break;                                                                         \
    case 4 * 8 + 4: TILE(4, 4); break;                                                                         \
    }

// AVX-512: tiles of up to 4 rows by 4 panels (64 columns), 16 accumulators of the 32 registers.
__attribute__((target("avx512f"), always_inline)) static inline void
tile_avx512(int MR, int NP, int k, const float *a, int lda, const float *b, size_t panel_stride, float *c, int ldc,
            int columns) {
    __m512 acc[6][4];
    product_tile_avx512(MR, NP, k, a, lda, b, panel_stride, acc);
    for (int r = 0; r < MR; r++) {
        for (int p = 0; p < NP; p++) {
            int left = columns - p * PANEL;
            float *out = c + (size_t)r * ldc + p * PANEL;
            if (left >= PANEL) _mm512_storeu_ps(out, acc[r][p]);
            else _mm512_mask_storeu_ps(out, (__mmask16)((1u << left) - 1), acc[r][p]);
        }
    }
}

__attribute__((target("avx512f"))) void charnn_packed_gemm_avx512(int m, int n, int k, const float *a, int lda,
                                                                  const float *packed, float *c, int ldc) {
    size_t panel_stride = (size_t)k * PANEL;
    for (int j0 = 0; j0 < n; j0 += 4 * PANEL) {
        int columns = n - j0 < 4 * PANEL ? n - j0 : 4 * PANEL;
        int np = (columns + PANEL - 1) / PANEL;
        const float *b = packed + (size_t)(j0 / PANEL) * panel_stride;
        for (int i0 = 0; i0 < m; i0 += 4) {
            int mr = m - i0 < 4 ? m - i0 : 4;
            const float *ai = a + (size_t)i0 * lda;
            float *ci = c + (size_t)i0 * ldc + j0;
#define TILE512(MR, NP) tile_avx512(MR, NP, k, ai, lda, b, panel_stride, ci, ldc, columns)
            TILE_CASES(TILE512)
#undef TILE512
        }
    }
}

// AVX2 and FMA: tiles of up to 4 rows by 1 panel (two 8-wide halves), 8 accumulators of the 16 registers.
__attribute__((target("avx2,fma"), always_inline)) static inline void
tile_avx2(int MR, int k, const float *a, int lda, const float *b, float *c, int ldc, int columns) {
    __m256 lo[4], hi[4];
    for (int r = 0; r < MR; r++) lo[r] = hi[r] = _mm256_setzero_ps();
    for (int kk = 0; kk < k; kk++) {
        __m256 b0 = _mm256_load_ps(b + (size_t)kk * PANEL), b1 = _mm256_load_ps(b + (size_t)kk * PANEL + 8);
        for (int r = 0; r < MR; r++) {
            __m256 av = _mm256_broadcast_ss(a + (size_t)r * lda + kk);
            lo[r] = _mm256_fmadd_ps(av, b0, lo[r]);
            hi[r] = _mm256_fmadd_ps(av, b1, hi[r]);
        }
    }
    for (int r = 0; r < MR; r++) {
        float *out = c + (size_t)r * ldc;
        if (columns >= PANEL) {
            _mm256_storeu_ps(out, lo[r]);
            _mm256_storeu_ps(out + 8, hi[r]);
        } else {
            float tile[PANEL];
            _mm256_storeu_ps(tile, lo[r]);
            _mm256_storeu_ps(tile + 8, hi[r]);
            for (int j = 0; j < columns; j++) out[j] = tile[j];
        }
    }
}

__attribute__((target("avx2,fma"))) void charnn_packed_gemm_avx2(int m, int n, int k, const float *a, int lda,
                                                                 const float *packed, float *c, int ldc) {
    size_t panel_stride = (size_t)k * PANEL;
    for (int j0 = 0; j0 < n; j0 += PANEL) {
        int columns = n - j0 < PANEL ? n - j0 : PANEL;
        const float *b = packed + (size_t)(j0 / PANEL) * panel_stride;
        for (int i0 = 0; i0 < m; i0 += 4) {
            int mr = m - i0 < 4 ? m - i0 : 4;
            const float *ai = a + (size_t)i0 * lda;
            float *ci = c + (size_t)i0 * ldc + j0;
            switch (mr) {
            case 1: tile_avx2(1, k, ai, lda, b, ci, ldc, columns); break;
            case 2: tile_avx2(2, k, ai, lda, b, ci, ldc, columns); break;
            case 3: tile_avx2(3, k, ai, lda, b, ci, ldc, columns); break;
            default: tile_avx2(4, k, ai, lda, b, ci, ldc, columns); break;
            }
        }
    }
}

#else
#include <stdlib.h>
// Other architectures run these products on BLAS (StepKernel never chooses these there); the entry points exist
// so that the module links everywhere.
void charnn_packed_gemm_avx512(int m, int n, int k, const float *a, int lda, const float *packed, float *c, int ldc) { abort(); }
void charnn_packed_gemm_avx2(int m, int n, int k, const float *a, int lda, const float *packed, float *c, int ldc) { abort(); }
#endif
