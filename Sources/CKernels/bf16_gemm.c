#include "charnn_kernels.h"

#include <stddef.h>

enum { PANEL = 16 };

long charnn_bf16_pair_count(int k) { return (k + 1) / 2; }

long charnn_bf16_packed_b_size(int k, int n) { return (long)((n + PANEL - 1) / PANEL) * charnn_bf16_pair_count(k) * PANEL; }

// The pair (lo, hi) as one 32-bit word, lo in the low half: the order vdpbf16ps multiplies in.
static inline uint32_t bf16_pair(float lo, float hi) {
    return (uint32_t)charnn_bf16_from_float(lo) | (uint32_t)charnn_bf16_from_float(hi) << 16;
}

#if defined(__x86_64__)
#include <immintrin.h>

#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))

// 16 pairs (x[j], y[j]) from two rows of 16 floats.
BF16_TARGET static inline __m512i pairs_of_rows(__m512 x, __m512 y) {
    __m512i lo = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(x));
    __m512i hi = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(y));
    return _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16));
}

// 16 pairs (v[2j], v[2j+1]) from 32 consecutive floats.
BF16_TARGET static inline __m512i pairs_in_row(const float *v) {
    return (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(v + 16), _mm512_loadu_ps(v));
}

BF16_TARGET void charnn_bf16_pack_a(int transposed, int m, int k, const float *a, int lda, uint32_t *packed) {
    long pairs = charnn_bf16_pair_count(k);
    if (!transposed) {
        // Row i's pairs are contiguous in A: 32 floats become 16 pairs in one conversion.
        for (int i = 0; i < m; i++) {
            const float *row = a + (size_t)i * lda;
            uint32_t *out = packed + (size_t)i * pairs;
            long q = 0;
            for (; 2 * q + 32 <= k; q += 16) _mm512_storeu_si512(out + q, pairs_in_row(row + 2 * q));
            for (; q < pairs; q++) out[q] = bf16_pair(row[2 * q], 2 * q + 1 < k ? row[2 * q + 1] : 0);
        }
        return;
    }
    // A^T's pair q of row i is (a[2q][i], a[2q+1][i]): two rows of the stored matrix, read 16 columns at a time.
    for (long q = 0; q < pairs; q++) {
        const float *x = a + (size_t)(2 * q) * lda, *y = 2 * q + 1 < k ? x + lda : NULL;
        uint32_t *out = packed + (size_t)q * m;
        int i = 0;
        for (; i + 16 <= m; i += 16)
            _mm512_storeu_si512(out + i, pairs_of_rows(_mm512_loadu_ps(x + i), y ? _mm512_loadu_ps(y + i) : _mm512_setzero_ps()));
        for (; i < m; i++) out[i] = bf16_pair(x[i], y ? y[i] : 0);
    }
}

BF16_TARGET void charnn_bf16_pack_b(int transposed, int k, int n, const float *b, int ldb, uint32_t *packed) {
    long pairs = charnn_bf16_pair_count(k), panels = (n + PANEL - 1) / PANEL;
    for (long p = 0; p < panels; p++) {
        int columns = n - p * PANEL < PANEL ? n - (int)p * PANEL : PANEL;
        __mmask16 valid = (__mmask16)((1u << columns) - 1);
        uint32_t *panel = packed + (size_t)p * pairs * PANEL;
        if (!transposed) {
            // Pair q of column j is (b[2q][j], b[2q+1][j]): two rows, 16 columns at a time.
            for (long q = 0; q < pairs; q++) {
                const float *x = b + (size_t)(2 * q) * ldb + p * PANEL;
                __m512 xv = _mm512_maskz_loadu_ps(valid, x);
                __m512 yv = 2 * q + 1 < k ? _mm512_maskz_loadu_ps(valid, x + ldb) : _mm512_setzero_ps();
                _mm512_store_si512(panel + q * PANEL, pairs_of_rows(xv, yv));
            }
            continue;
        }
        // B = b^T: column j is row j of b, its pairs contiguous there; 16 of them land 16 words apart in the panel.
        const __m512i lanes = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                                 _mm512_set1_epi32(PANEL));
        for (int jj = 0; jj < PANEL; jj++) {
            uint32_t *out = panel + jj;
            if (jj >= columns) {
                for (long q = 0; q < pairs; q++) out[q * PANEL] = 0;
                continue;
            }
            const float *row = b + (size_t)(p * PANEL + jj) * ldb;
            long q = 0;
            for (; 2 * q + 32 <= k; q += 16) _mm512_i32scatter_epi32(out + q * PANEL, lanes, pairs_in_row(row + 2 * q), 4);
            for (; q < pairs; q++) out[q * PANEL] = bf16_pair(row[2 * q], 2 * q + 1 < k ? row[2 * q + 1] : 0);
        }
    }
}

// A tile of MR rows by NP panels of C, its accumulators in registers while the pairs run: per pair, NP loads of B,
// MR broadcasts of A's pair and MR x NP vdpbf16ps, each 32 multiply-adds. Inlined with constant MR and NP.
BF16_TARGET __attribute__((always_inline)) static inline void
tile_bf16(int MR, int NP, long pairs, const uint32_t *a, long a_row, long a_pair, const uint32_t *b, size_t panel_stride,
          int accumulate, float *c, int ldc, int columns) {
    __m512 acc[6][4];
    for (int r = 0; r < MR; r++)
        for (int p = 0; p < NP; p++) acc[r][p] = _mm512_setzero_ps();
    for (long q = 0; q < pairs; q++) {
        __m512i bv[4];
        for (int p = 0; p < NP; p++) bv[p] = _mm512_load_si512(b + p * panel_stride + q * PANEL);
        for (int r = 0; r < MR; r++) {
            __m512i av = _mm512_set1_epi32((int)a[r * a_row + q * a_pair]);
            for (int p = 0; p < NP; p++) acc[r][p] = _mm512_dpbf16_ps(acc[r][p], (__m512bh)av, (__m512bh)bv[p]);
        }
    }
    for (int r = 0; r < MR; r++) {
        for (int p = 0; p < NP; p++) {
            int left = columns - p * PANEL;
            __mmask16 mask = left >= PANEL ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
            float *out = c + (size_t)r * ldc + p * PANEL;
            __m512 value = accumulate ? _mm512_add_ps(acc[r][p], _mm512_maskz_loadu_ps(mask, out)) : acc[r][p];
            _mm512_mask_storeu_ps(out, mask, value);
        }
    }
}

#define ROWS_CASES(TILE, NP)                                                                                          \
    switch (mr) {                                                                                                     \
    case 1: TILE(1, NP); break;                                                                                       \
    case 2: TILE(2, NP); break;                                                                                       \
    case 3: TILE(3, NP); break;                                                                                       \
    case 4: TILE(4, NP); break;                                                                                       \
    case 5: TILE(5, NP); break;                                                                                       \
    default: TILE(6, NP); break;                                                                                      \
    }

BF16_TARGET void charnn_bf16_gemm(int m, int n, int k, const uint32_t *a, long a_row, long a_pair,
                                  const uint32_t *packed_b, int accumulate, float *c, int ldc) {
    long pairs = charnn_bf16_pair_count(k);
    size_t panel_stride = (size_t)pairs * PANEL;
    // Column slabs of up to 4 panels outside, so that a slab of B (4 x 16 x pairs words) stays in cache while every
    // row of A passes it.
    for (int j0 = 0; j0 < n; j0 += 4 * PANEL) {
        int columns = n - j0 < 4 * PANEL ? n - j0 : 4 * PANEL;
        int np = (columns + PANEL - 1) / PANEL;
        const uint32_t *b = packed_b + (size_t)(j0 / PANEL) * panel_stride;
        for (int i0 = 0; i0 < m; i0 += 6) {
            int mr = m - i0 < 6 ? m - i0 : 6;
            const uint32_t *ai = a + (size_t)i0 * a_row;
            float *ci = c + (size_t)i0 * ldc + j0;
#define TILE(MR, NP) tile_bf16(MR, NP, pairs, ai, a_row, a_pair, b, panel_stride, accumulate, ci, ldc, columns)
            switch (np) {
            case 1: ROWS_CASES(TILE, 1); break;
            case 2: ROWS_CASES(TILE, 2); break;
            case 3: ROWS_CASES(TILE, 3); break;
            default: ROWS_CASES(TILE, 4); break;
            }
#undef TILE
        }
    }
}

#else
#include <stdlib.h>
// bf16 training needs AVX512_BF16 (TrainingPrecision checks the CPU first); the entry points exist so that the
// module links everywhere.
void charnn_bf16_pack_a(int transposed, int m, int k, const float *a, int lda, uint32_t *packed) { abort(); }
void charnn_bf16_pack_b(int transposed, int k, int n, const float *b, int ldb, uint32_t *packed) { abort(); }
void charnn_bf16_gemm(int m, int n, int k, const uint32_t *a, long a_row, long a_pair, const uint32_t *packed_b,
                      int accumulate, float *c, int ldc) { abort(); }
#endif
