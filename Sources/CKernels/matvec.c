#include "charnn_kernels.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

enum { PANEL = 16 };

// MARK: Conversions, shared by the packers and by model files

uint16_t charnn_bf16_from_float(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    // A NaN keeps its sign and stays a (quiet) NaN; rounding its payload could turn it into infinity.
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40);
    // Round to nearest, ties to even: add just under half a bf16 unit, plus the low kept bit.
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

float charnn_float_from_bf16(uint16_t value) {
    uint32_t bits = (uint32_t)value << 16;
    float result;
    memcpy(&result, &bits, sizeof result);
    return result;
}

float charnn_i8_scale(const float *row, int count) {
    float largest = 0;
    for (int j = 0; j < count; j++) largest = fmaxf(largest, fabsf(row[j]));
    return largest / 127;
}

int8_t charnn_i8_from_float(float value, float scale) {
    if (!(scale > 0)) return 0;  // an all-zero row (or a scale that is not a positive number)
    float q = nearbyintf(value / scale);
    if (!(q >= -127)) return -127;  // also a NaN value, whose row has no meaningful scale anyway
    return q > 127 ? 127 : (int8_t)q;
}

// MARK: Packing

long charnn_panel_count(int n) { return (n + PANEL - 1) / PANEL; }

void charnn_pack_rows(int type, const float *w, int ldw, int n, int k, const float *scales, void *packed) {
    long panels = charnn_panel_count(n);
    for (long p = 0; p < panels; p++) {
        for (int kk = 0; kk < k; kk++) {
            for (int lane = 0; lane < PANEL; lane++) {
                long j = p * PANEL + lane;
                size_t at = ((size_t)p * k + kk) * PANEL + lane;
                float value = j < n ? w[(size_t)j * ldw + kk] : 0;
                switch (type) {
                case CHARNN_WEIGHTS_F32: ((float *)packed)[at] = value; break;
                case CHARNN_WEIGHTS_BF16: ((uint16_t *)packed)[at] = charnn_bf16_from_float(value); break;
                default: ((int8_t *)packed)[at] = j < n ? charnn_i8_from_float(value, scales[j]) : 0; break;
                }
            }
        }
    }
}

// MARK: The reference: plain C

// One weight of the packed matrix, as a float (an int8 weight without its row's scale).
static inline float packed_weight(int type, const void *packed, size_t at) {
    switch (type) {
    case CHARNN_WEIGHTS_F32: return ((const float *)packed)[at];
    case CHARNN_WEIGHTS_BF16: return charnn_float_from_bf16(((const uint16_t *)packed)[at]);
    default: return ((const int8_t *)packed)[at];
    }
}

// Inlined with a constant TYPE (below), so that the weight type is chosen at compile time and the lane loop is one
// vector loop for whatever the target has (SSE2 on baseline x86-64, NEON on AArch64).
__attribute__((always_inline)) static inline void reference(int type, int m, int n, int k, const float *x, int ldx,
                                                            const void *packed, const float *scales, float *y, int ldy) {
    for (int r = 0; r < m; r++) {
        for (long p = 0; p < charnn_panel_count(n); p++) {
            // acc[lane] = Σ_kk x[r][kk] W[p*16 + lane][kk], a 16-wide loop a compiler vectorises for any target.
            float acc[PANEL] = {0};
            for (int kk = 0; kk < k; kk++) {
                float xv = x[(size_t)r * ldx + kk];
                for (int lane = 0; lane < PANEL; lane++)
                    acc[lane] += xv * packed_weight(type, packed, ((size_t)p * k + kk) * PANEL + lane);
            }
            for (int lane = 0; lane < PANEL && p * PANEL + lane < n; lane++) {
                long j = p * PANEL + lane;
                y[(size_t)r * ldy + j] += (type == CHARNN_WEIGHTS_I8 ? scales[j] : 1) * acc[lane];
            }
        }
    }
}

void charnn_panel_matmul_c(int type, int m, int n, int k, const float *x, int ldx, const void *packed,
                           const float *scales, float *y, int ldy) {
    switch (type) {
    case CHARNN_WEIGHTS_F32: reference(CHARNN_WEIGHTS_F32, m, n, k, x, ldx, packed, scales, y, ldy); break;
    case CHARNN_WEIGHTS_BF16: reference(CHARNN_WEIGHTS_BF16, m, n, k, x, ldx, packed, scales, y, ldy); break;
    default: reference(CHARNN_WEIGHTS_I8, m, n, k, x, ldx, packed, scales, y, ldy); break;
    }
}

// MARK: Row-major weights

void charnn_rows_matmul(int m, int n, int k, const float *x, int ldx, const float *w, int ldw, float *y, int ldy) {
    for (int r = 0; r < m; r++) {
        for (int j = 0; j < n; j++) {
            // 16 partial sums over k, so that the loop is one vector loop without reassociating a single sum.
            float partial[PANEL] = {0};
            int kk = 0;
            for (; kk + PANEL <= k; kk += PANEL)
                for (int lane = 0; lane < PANEL; lane++)
                    partial[lane] += w[(size_t)j * ldw + kk + lane] * x[(size_t)r * ldx + kk + lane];
            float sum = 0;
            for (int lane = 0; lane < PANEL; lane++) sum += partial[lane];
            for (; kk < k; kk++) sum += w[(size_t)j * ldw + kk] * x[(size_t)r * ldx + kk];
            y[(size_t)r * ldy + j] += sum;
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

// Both vector kernels walk Y in tiles of MR rows by NP panels, holding the tile in registers while k runs and
// reading each weight once per tile: the weights are what a step at batch 1 to 4 waits for, so each panel row
// is loaded once and used for every row of the tile. With one row there is nothing else to overlap the fused
// multiply-adds' latency with, so more panels are kept in flight instead (NP up to 8 with AVX-512, 4 with AVX2).
// The tile functions are inlined with constant TYPE, MR and NP, so the accumulators stay in registers and the
// weight type's conversion is chosen at compile time.

// MARK: AVX-512

__attribute__((target("avx512f,avx512bw"), always_inline)) static inline __m512
load16(int type, const void *packed, size_t at) {
    switch (type) {
    case CHARNN_WEIGHTS_F32: return _mm512_loadu_ps((const float *)packed + at);
    case CHARNN_WEIGHTS_BF16:
        // bf16 is the top half of a float: widen to 32 bits and shift into place.
        return _mm512_castsi512_ps(
            _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)((const uint16_t *)packed + at))), 16));
    default: return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)((const int8_t *)packed + at))));
    }
}

__attribute__((target("avx512f,avx512bw"), always_inline)) static inline void
tile512(int TYPE, int MR, int NP, int k, const float *x, int ldx, const void *packed, size_t panel_stride,
        const float *scales, float *y, int ldy, int columns) {
    __m512 acc[4][8];
    for (int r = 0; r < MR; r++)
        for (int p = 0; p < NP; p++) acc[r][p] = _mm512_setzero_ps();
    for (int kk = 0; kk < k; kk++) {
        __m512 w[8];
        for (int p = 0; p < NP; p++) w[p] = load16(TYPE, packed, p * panel_stride + (size_t)kk * PANEL);
        for (int r = 0; r < MR; r++) {
            __m512 xv = _mm512_set1_ps(x[(size_t)r * ldx + kk]);
            for (int p = 0; p < NP; p++) acc[r][p] = _mm512_fmadd_ps(xv, w[p], acc[r][p]);
        }
    }
    for (int r = 0; r < MR; r++) {
        for (int p = 0; p < NP; p++) {
            int left = columns - p * PANEL;
            __mmask16 mask = left >= PANEL ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
            __m512 sum = acc[r][p];
            if (TYPE == CHARNN_WEIGHTS_I8) sum = _mm512_mul_ps(sum, _mm512_maskz_loadu_ps(mask, scales + p * PANEL));
            float *out = y + (size_t)r * ldy + p * PANEL;
            _mm512_mask_storeu_ps(out, mask, _mm512_add_ps(_mm512_maskz_loadu_ps(mask, out), sum));
        }
    }
}

#define CASES512(TYPE)                                                                                      \
    switch (mr * 16 + np) {                                                                                   \
    case 1 * 16 + 1: TILE512(TYPE, 1, 1); break;                                                              \
    case 1 * 16 + 2: TILE512(TYPE, 1, 2); break;                                                              \
    case 1 * 16 + 3: TILE512(TYPE, 1, 3); break;                                                              \
    case 1 * 16 + 4: TILE512(TYPE, 1, 4); break;                                                              \
    case 1 * 16 + 5: TILE512(TYPE, 1, 5); break;                                                              \
    case 1 * 16 + 6: TILE512(TYPE, 1, 6); break;                                                              \
    case 1 * 16 + 7: TILE512(TYPE, 1, 7); break;                                                              \
    case 1 * 16 + 8: TILE512(TYPE, 1, 8); break;                                                              \
    case 2 * 16 + 1: TILE512(TYPE, 2, 1); break;                                                              \
    case 2 * 16 + 2: TILE512(TYPE, 2, 2); break;                                                              \
    case 2 * 16 + 3: TILE512(TYPE, 2, 3); break;                                                              \
    case 2 * 16 + 4: TILE512(TYPE, 2, 4); break;                                                              \
    case 3 * 16 + 1: TILE512(TYPE, 3, 1); break;                                                              \
    case 3 * 16 + 2: TILE512(TYPE, 3, 2); break;                                                              \
    case 3 * 16 + 3: TILE512(TYPE, 3, 3); break;                                                              \
    case 3 * 16 + 4: TILE512(TYPE, 3, 4); break;                                                              \
    case 4 * 16 + 1: TILE512(TYPE, 4, 1); break;                                                              \
    case 4 * 16 + 2: TILE512(TYPE, 4, 2); break;                                                              \
    case 4 * 16 + 3: TILE512(TYPE, 4, 3); break;                                                              \
    default: TILE512(TYPE, 4, 4); break;                                                                      \
    }

// The panels are walked in groups of 8 (one row) or 4; within a group, every block of up to 4 rows, so that a
// group read for the first block is still in cache for the next.
__attribute__((target("avx512f,avx512bw"))) void charnn_panel_matmul_avx512(int type, int m, int n, int k, const float *x,
                                                                           int ldx, const void *packed, const float *scales,
                                                                           float *y, int ldy) {
    size_t panel_stride = (size_t)k * PANEL;
    int group = m == 1 ? 8 : 4;
    for (int j0 = 0; j0 < n; j0 += group * PANEL) {
        int columns = n - j0 < group * PANEL ? n - j0 : group * PANEL;
        int np = (columns + PANEL - 1) / PANEL;
        size_t first = (size_t)(j0 / PANEL) * panel_stride;
        const float *s = scales ? scales + j0 : NULL;
        for (int i0 = 0; i0 < m; i0 += 4) {
            int mr = m - i0 < 4 ? m - i0 : 4;
            const float *xi = x + (size_t)i0 * ldx;
            float *yi = y + (size_t)i0 * ldy + j0;
#define TILE512(TYPE, MR, NP) tile512(TYPE, MR, NP, k, xi, ldx, (const char *)packed + first * ELEMENT(TYPE), panel_stride, s, yi, ldy, columns)
#define ELEMENT(TYPE) (TYPE == CHARNN_WEIGHTS_F32 ? 4 : TYPE == CHARNN_WEIGHTS_BF16 ? 2 : 1)
            switch (type) {
            case CHARNN_WEIGHTS_F32: CASES512(CHARNN_WEIGHTS_F32) break;
            case CHARNN_WEIGHTS_BF16: CASES512(CHARNN_WEIGHTS_BF16) break;
            default: CASES512(CHARNN_WEIGHTS_I8) break;
            }
#undef TILE512
        }
    }
}

// MARK: AVX2 and FMA: each panel is two 8-wide halves

__attribute__((target("avx2,fma"), always_inline)) static inline __m256 load8(int type, const void *packed, size_t at) {
    switch (type) {
    case CHARNN_WEIGHTS_F32: return _mm256_loadu_ps((const float *)packed + at);
    case CHARNN_WEIGHTS_BF16:
        return _mm256_castsi256_ps(
            _mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)((const uint16_t *)packed + at))), 16));
    default: return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)((const int8_t *)packed + at))));
    }
}

__attribute__((target("avx2,fma"), always_inline)) static inline void
tile256(int TYPE, int MR, int NP, int k, const float *x, int ldx, const void *packed, size_t panel_stride,
        const float *scales, float *y, int ldy, int columns) {
    __m256 acc[4][8];
    for (int r = 0; r < MR; r++)
        for (int h = 0; h < 2 * NP; h++) acc[r][h] = _mm256_setzero_ps();
    for (int kk = 0; kk < k; kk++) {
        for (int h = 0; h < 2 * NP; h++) {
            __m256 w = load8(TYPE, packed, (h / 2) * panel_stride + (size_t)kk * PANEL + (h % 2) * 8);
            for (int r = 0; r < MR; r++) acc[r][h] = _mm256_fmadd_ps(_mm256_broadcast_ss(x + (size_t)r * ldx + kk), w, acc[r][h]);
        }
    }
    for (int r = 0; r < MR; r++) {
        for (int h = 0; h < 2 * NP; h++) {
            int left = columns - h * 8;
            if (left <= 0) break;
            float sum[8];
            _mm256_storeu_ps(sum, acc[r][h]);
            float *out = y + (size_t)r * ldy + h * 8;
            for (int lane = 0; lane < 8 && lane < left; lane++)
                out[lane] += (TYPE == CHARNN_WEIGHTS_I8 ? scales[h * 8 + lane] : 1) * sum[lane];
        }
    }
}

#define CASES256(TYPE)                                                                                      \
    switch (mr * 16 + np) {                                                                                   \
    case 1 * 16 + 1: TILE256(TYPE, 1, 1); break;                                                              \
    case 1 * 16 + 2: TILE256(TYPE, 1, 2); break;                                                              \
    case 1 * 16 + 3: TILE256(TYPE, 1, 3); break;                                                              \
    case 1 * 16 + 4: TILE256(TYPE, 1, 4); break;                                                              \
    case 2 * 16 + 1: TILE256(TYPE, 2, 1); break;                                                              \
    case 2 * 16 + 2: TILE256(TYPE, 2, 2); break;                                                              \
    case 3 * 16 + 1: TILE256(TYPE, 3, 1); break;                                                              \
    default: TILE256(TYPE, 4, 1); break;                                                                      \
    }

// Tiles of 1 row by up to 4 panels, 2 by 2, or 3 and 4 by 1: at most 8 of the 16 registers accumulate.
__attribute__((target("avx2,fma"))) void charnn_panel_matmul_avx2(int type, int m, int n, int k, const float *x, int ldx,
                                                                 const void *packed, const float *scales, float *y, int ldy) {
    size_t panel_stride = (size_t)k * PANEL;
    for (int j0 = 0; j0 < n; j0 += 4 * PANEL) {
        int group_columns = n - j0 < 4 * PANEL ? n - j0 : 4 * PANEL;
        for (int i0 = 0; i0 < m; i0 += 4) {
            int mr = m - i0 < 4 ? m - i0 : 4;
            int width = mr == 1 ? 4 : mr == 2 ? 2 : 1;  // panels per tile
            for (int jj = 0; jj < group_columns; jj += width * PANEL) {
                int columns = group_columns - jj < width * PANEL ? group_columns - jj : width * PANEL;
                int np = (columns + PANEL - 1) / PANEL;
                int j = j0 + jj;
                const float *xi = x + (size_t)i0 * ldx;
                float *yi = y + (size_t)i0 * ldy + j;
                const float *s = scales ? scales + j : NULL;
                size_t first = (size_t)(j / PANEL) * panel_stride;
#define TILE256(TYPE, MR, NP) tile256(TYPE, MR, NP, k, xi, ldx, (const char *)packed + first * ELEMENT(TYPE), panel_stride, s, yi, ldy, columns)
                switch (type) {
                case CHARNN_WEIGHTS_F32: CASES256(CHARNN_WEIGHTS_F32) break;
                case CHARNN_WEIGHTS_BF16: CASES256(CHARNN_WEIGHTS_BF16) break;
                default: CASES256(CHARNN_WEIGHTS_I8) break;
                }
#undef TILE256
            }
        }
    }
}

// MARK: Reading speed, for the floor `charnn bench` states

__attribute__((target("avx512f"))) float charnn_read_sum_avx512(const float *values, long count) {
    __m512 a = _mm512_setzero_ps(), b = _mm512_setzero_ps(), c = _mm512_setzero_ps(), d = _mm512_setzero_ps();
    long i = 0;
    for (; i + 64 <= count; i += 64) {
        a = _mm512_add_ps(a, _mm512_loadu_ps(values + i));
        b = _mm512_add_ps(b, _mm512_loadu_ps(values + i + 16));
        c = _mm512_add_ps(c, _mm512_loadu_ps(values + i + 32));
        d = _mm512_add_ps(d, _mm512_loadu_ps(values + i + 48));
    }
    float sum = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a, b), _mm512_add_ps(c, d)));
    for (; i < count; i++) sum += values[i];
    return sum;
}

__attribute__((target("avx2"))) float charnn_read_sum_avx2(const float *values, long count) {
    __m256 a = _mm256_setzero_ps(), b = _mm256_setzero_ps(), c = _mm256_setzero_ps(), d = _mm256_setzero_ps();
    long i = 0;
    for (; i + 32 <= count; i += 32) {
        a = _mm256_add_ps(a, _mm256_loadu_ps(values + i));
        b = _mm256_add_ps(b, _mm256_loadu_ps(values + i + 8));
        c = _mm256_add_ps(c, _mm256_loadu_ps(values + i + 16));
        d = _mm256_add_ps(d, _mm256_loadu_ps(values + i + 24));
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, _mm256_add_ps(_mm256_add_ps(a, b), _mm256_add_ps(c, d)));
    float sum = 0;
    for (int lane = 0; lane < 8; lane++) sum += lanes[lane];
    for (; i < count; i++) sum += values[i];
    return sum;
}

#else
#include <stdlib.h>
// Other architectures run the plain C kernel (MatVecKernel never chooses these there); the entry points exist so
// that the module links everywhere.
void charnn_panel_matmul_avx512(int type, int m, int n, int k, const float *x, int ldx, const void *packed,
                                const float *scales, float *y, int ldy) { abort(); }
void charnn_panel_matmul_avx2(int type, int m, int n, int k, const float *x, int ldx, const void *packed,
                              const float *scales, float *y, int ldy) { abort(); }
float charnn_read_sum_avx512(const float *values, long count) { abort(); }
float charnn_read_sum_avx2(const float *values, long count) { abort(); }
#endif

float charnn_read_sum_c(const float *values, long count) {
    float sum[PANEL] = {0};
    long i = 0;
    for (; i + PANEL <= count; i += PANEL)
        for (int lane = 0; lane < PANEL; lane++) sum[lane] += values[i + lane];
    float total = 0;
    for (int lane = 0; lane < PANEL; lane++) total += sum[lane];
    for (; i < count; i++) total += values[i];
    return total;
}
