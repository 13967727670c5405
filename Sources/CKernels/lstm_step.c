#include "charnn_kernels.h"

#include <stddef.h>

enum { PANEL = 16 };

long charnn_gate_panels_size(int hidden) { return (long)4 * ((hidden + PANEL - 1) / PANEL) * hidden * PANEL; }

void charnn_pack_gate_panels(const float *w_hh, int hidden, float *packed) {
    int blocks = (hidden + PANEL - 1) / PANEL;
    for (int q = 0; q < blocks; q++) {
        for (int gate = 0; gate < 4; gate++) {
            float *panel = packed + (size_t)(4 * q + gate) * hidden * PANEL;
            for (int kk = 0; kk < hidden; kk++) {
                for (int lane = 0; lane < PANEL; lane++) {
                    int unit = q * PANEL + lane;
                    // W_hh^T [H, 4H]: column gate * H + unit is row gate * H + unit of W_hh.
                    panel[(size_t)kk * PANEL + lane] = unit < hidden ? w_hh[(size_t)(gate * hidden + unit) * hidden + kk] : 0;
                }
            }
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

#include "tile_avx512.h"

#define AVX512 __attribute__((target("avx512f"), always_inline)) static inline

// MARK: exp, sigmoid and tanh, 16 lanes: VectorMath.swift's approximations (its comments give the reasoning).

AVX512 __m512 exp16(__m512 x) {
    // min/max return their second operand when one is NaN, so a NaN passes through.
    x = _mm512_min_ps(_mm512_set1_ps(89), x);
    x = _mm512_max_ps(_mm512_set1_ps(-104), x);
    const __m512 shifter = _mm512_set1_ps(0x1.8p23f);
    __m512 shifted = _mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504088896341f), shifter);
    __m512 n = _mm512_sub_ps(shifted, shifter);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    __m512 exp_r = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1));
    __m512i k = _mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_castps_si512(shifter));
    __m512i k1 = _mm512_srai_epi32(k, 1), k2 = _mm512_sub_epi32(k, k1);
    const __m512i bias = _mm512_set1_epi32(127);
    __m512 two_k1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(k1, bias), 23));
    __m512 two_k2 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(k2, bias), 23));
    return _mm512_mul_ps(_mm512_mul_ps(exp_r, two_k1), two_k2);
}

AVX512 __m512 abs16(__m512 x) { return _mm512_castsi512_ps(_mm512_andnot_si512(_mm512_set1_epi32((int)0x80000000u), _mm512_castps_si512(x))); }

AVX512 __m512 sigmoid16(__m512 x) {
    __m512 e = exp16(_mm512_sub_ps(_mm512_setzero_ps(), abs16(x)));
    __m512 s = _mm512_div_ps(_mm512_set1_ps(1), _mm512_add_ps(_mm512_set1_ps(1), e));
    return _mm512_mask_mul_ps(s, _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), e, s);
}

AVX512 __m512 tanh16(__m512 x) {
    __m512 a = abs16(x), z = _mm512_mul_ps(x, x);
    __m512 p = _mm512_set1_ps(-5.70498872745e-3f);
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(2.06390887954e-2f));
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-5.37397155531e-2f));
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(1.33314422036e-1f));
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-3.33332819422e-1f));
    __m512 near_zero = _mm512_fmadd_ps(_mm512_mul_ps(p, z), x, x);
    __m512 t = exp16(_mm512_mul_ps(_mm512_set1_ps(-2), a));
    __m512 away = _mm512_div_ps(_mm512_sub_ps(_mm512_set1_ps(1), t), _mm512_add_ps(_mm512_set1_ps(1), t));
    __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u));
    away = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(away), sign));
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, _mm512_set1_ps(0.625f), _CMP_LT_OQ), away, near_zero);
}

// MARK: The cell on 16 units of one row (LSTMLayer.swift has the equations)

// ri..ro: the recurrent product's 16 units of each gate. Reads the projection, writes the activated gates over it
// (or to gates), and c, tanh(c), h.
AVX512 void cell_forward16(const charnn_cell_forward_rows *rows, int b, int unit, __mmask16 valid, __m512 ri, __m512 rf,
                           __m512 rg, __m512 ro) {
    int hidden = rows->hidden;
    const float *x = rows->projections + (size_t)(rows->indices ? rows->indices[b] : b) * 4 * hidden + unit;
    float *gates = rows->gates + (size_t)b * 4 * hidden + unit;
    size_t at = (size_t)b * hidden + unit;
    __m512 i = sigmoid16(_mm512_add_ps(ri, _mm512_maskz_loadu_ps(valid, x)));
    __m512 f = sigmoid16(_mm512_add_ps(rf, _mm512_maskz_loadu_ps(valid, x + hidden)));
    __m512 g = tanh16(_mm512_add_ps(rg, _mm512_maskz_loadu_ps(valid, x + 2 * hidden)));
    __m512 o = sigmoid16(_mm512_add_ps(ro, _mm512_maskz_loadu_ps(valid, x + 3 * hidden)));
    _mm512_mask_storeu_ps(gates, valid, i);
    _mm512_mask_storeu_ps(gates + hidden, valid, f);
    _mm512_mask_storeu_ps(gates + 2 * hidden, valid, g);
    _mm512_mask_storeu_ps(gates + 3 * hidden, valid, o);
    __m512 c = _mm512_fmadd_ps(f, _mm512_maskz_loadu_ps(valid, rows->c_prev + at), _mm512_mul_ps(i, g));
    __m512 tc = tanh16(c);
    _mm512_mask_storeu_ps(rows->c + at, valid, c);
    _mm512_mask_storeu_ps(rows->tanh_c + at, valid, tc);
    _mm512_mask_storeu_ps(rows->h + at, valid, _mm512_mul_ps(o, tc));
}

// dh_next: the recurrent product's 16 units. Turns the row's gates into da and dc_next into the carry to t-1.
AVX512 void cell_backward16(const charnn_cell_backward_rows *rows, int b, int unit, __mmask16 valid, __m512 dh_next) {
    int hidden = rows->hidden;
    float *gates = rows->gates + (size_t)b * 4 * hidden + unit;
    size_t at = (size_t)b * hidden + unit;
    __m512 i = _mm512_maskz_loadu_ps(valid, gates), f = _mm512_maskz_loadu_ps(valid, gates + hidden);
    __m512 g = _mm512_maskz_loadu_ps(valid, gates + 2 * hidden), o = _mm512_maskz_loadu_ps(valid, gates + 3 * hidden);
    __m512 tc = _mm512_maskz_loadu_ps(valid, rows->tanh_c + at);
    __m512 one = _mm512_set1_ps(1);
    __m512 dh = _mm512_add_ps(_mm512_maskz_loadu_ps(valid, rows->dh_above + at), dh_next);
    __m512 d_o = _mm512_mul_ps(dh, tc);
    __m512 dc = _mm512_fmadd_ps(_mm512_mul_ps(dh, o), _mm512_fnmadd_ps(tc, tc, one), _mm512_maskz_loadu_ps(valid, rows->dc_next + at));
    __m512 di = _mm512_mul_ps(dc, g), df = _mm512_mul_ps(dc, _mm512_maskz_loadu_ps(valid, rows->c_prev + at));
    __m512 dg = _mm512_mul_ps(dc, i);
    _mm512_mask_storeu_ps(rows->dc_next + at, valid, _mm512_mul_ps(dc, f));
    _mm512_mask_storeu_ps(gates, valid, _mm512_mul_ps(_mm512_mul_ps(di, i), _mm512_sub_ps(one, i)));
    _mm512_mask_storeu_ps(gates + hidden, valid, _mm512_mul_ps(_mm512_mul_ps(df, f), _mm512_sub_ps(one, f)));
    _mm512_mask_storeu_ps(gates + 2 * hidden, valid, _mm512_mul_ps(dg, _mm512_fnmadd_ps(g, g, one)));
    _mm512_mask_storeu_ps(gates + 3 * hidden, valid, _mm512_mul_ps(_mm512_mul_ps(d_o, o), _mm512_sub_ps(one, o)));
}

// MARK: The fused steps: a tile of the product in registers, then the cell on it

// The rows split into as few tiles as hold at most 6 rows each, their sizes within one of each other: 25 rows (half
// of B = 50, on each of two cores) run as five tiles of 5, where tiles of 4 would leave one of 1 or pad to 28.
// Tile t of `tiles` over m rows has m / tiles rows, one more for the first m % tiles tiles.
enum { MAX_TILE_ROWS = 6 };

static inline int tile_count(int m) { return (m + MAX_TILE_ROWS - 1) / MAX_TILE_ROWS; }
static inline int tile_rows(int m, int tiles, int t) { return m / tiles + (t < m % tiles); }

// One unit block (its four gates' panels) for MR rows from row0.
AVX512 void forward_tile(int MR, int k, const float *a, int lda, const float *b, size_t panel_stride, int row0, int unit,
                         __mmask16 valid, const charnn_cell_forward_rows *rows) {
    __m512 acc[6][4];
    product_tile_avx512(MR, 4, k, a, lda, b, panel_stride, acc);
    for (int r = 0; r < MR; r++) cell_forward16(rows, row0 + r, unit, valid, acc[r][0], acc[r][1], acc[r][2], acc[r][3]);
}

__attribute__((target("avx512f"))) void charnn_lstm_forward_step_avx512(const float *h_prev, const float *gate_panels,
                                                                       const charnn_cell_forward_rows *rows) {
    int m = rows->batch, hidden = rows->hidden, k = hidden, lda = hidden, tiles = tile_count(m);
    size_t panel_stride = (size_t)hidden * PANEL;
    for (int q = 0; q * PANEL < hidden; q++) {
        int unit = q * PANEL, left = hidden - unit;
        __mmask16 valid = left >= PANEL ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
        const float *b = gate_panels + (size_t)(4 * q) * panel_stride;
        for (int t = 0, i0 = 0; t < tiles; i0 += tile_rows(m, tiles, t), t++) {
            const float *a = h_prev + (size_t)i0 * lda;
            switch (tile_rows(m, tiles, t)) {
            case 1: forward_tile(1, k, a, lda, b, panel_stride, i0, unit, valid, rows); break;
            case 2: forward_tile(2, k, a, lda, b, panel_stride, i0, unit, valid, rows); break;
            case 3: forward_tile(3, k, a, lda, b, panel_stride, i0, unit, valid, rows); break;
            case 4: forward_tile(4, k, a, lda, b, panel_stride, i0, unit, valid, rows); break;
            case 5: forward_tile(5, k, a, lda, b, panel_stride, i0, unit, valid, rows); break;
            default: forward_tile(6, k, a, lda, b, panel_stride, i0, unit, valid, rows); break;
            }
        }
    }
}

// NP panels (16 units each, from unit0) for MR rows from row0.
AVX512 void backward_tile(int MR, int NP, int k, const float *a, int lda, const float *b, size_t panel_stride, int row0,
                          int unit0, const charnn_cell_backward_rows *rows) {
    __m512 acc[6][4];
    product_tile_avx512(MR, NP, k, a, lda, b, panel_stride, acc);
    for (int r = 0; r < MR; r++) {
        for (int p = 0; p < NP; p++) {
            int unit = unit0 + p * PANEL, left = rows->hidden - unit;
            __mmask16 valid = left >= PANEL ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
            cell_backward16(rows, row0 + r, unit, valid, acc[r][p]);
        }
    }
}

#define BACKWARD_CASES(NP)                                                                                              \
    switch (mr) {                                                                                                       \
    case 1: backward_tile(1, NP, k, a, lda, b, panel_stride, i0, j0, rows); break;                                      \
    case 2: backward_tile(2, NP, k, a, lda, b, panel_stride, i0, j0, rows); break;                                      \
    case 3: backward_tile(3, NP, k, a, lda, b, panel_stride, i0, j0, rows); break;                                      \
    case 4: backward_tile(4, NP, k, a, lda, b, panel_stride, i0, j0, rows); break;                                      \
    case 5: backward_tile(5, NP, k, a, lda, b, panel_stride, i0, j0, rows); break;                                      \
    default: backward_tile(6, NP, k, a, lda, b, panel_stride, i0, j0, rows); break;                                     \
    }

__attribute__((target("avx512f"))) void charnn_lstm_backward_step_avx512(const float *da_next, const float *w_hh_panels,
                                                                        const charnn_cell_backward_rows *rows) {
    int m = rows->batch, hidden = rows->hidden, k = 4 * hidden, lda = 4 * hidden, tiles = tile_count(m);
    size_t panel_stride = (size_t)k * PANEL;
    for (int j0 = 0; j0 < hidden; j0 += 4 * PANEL) {
        int np = (hidden - j0 < 4 * PANEL ? hidden - j0 + PANEL - 1 : 4 * PANEL) / PANEL;
        const float *b = w_hh_panels + (size_t)(j0 / PANEL) * panel_stride;
        for (int t = 0, i0 = 0; t < tiles; i0 += tile_rows(m, tiles, t), t++) {
            int mr = tile_rows(m, tiles, t);
            const float *a = da_next + (size_t)i0 * lda;
            switch (np) {
            case 1: BACKWARD_CASES(1); break;
            case 2: BACKWARD_CASES(2); break;
            case 3: BACKWARD_CASES(3); break;
            default: BACKWARD_CASES(4); break;
            }
        }
    }
}

#else
#include <stdlib.h>
// Other architectures run the product and the cell apart (LSTMLayerCache never fuses there); the entry points
// exist so that the module links everywhere.
void charnn_lstm_forward_step_avx512(const float *h_prev, const float *gate_panels, const charnn_cell_forward_rows *rows) { abort(); }
void charnn_lstm_backward_step_avx512(const float *da_next, const float *w_hh_panels, const charnn_cell_backward_rows *rows) { abort(); }
#endif
