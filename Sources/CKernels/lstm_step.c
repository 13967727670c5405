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

// The fused kernels split a step's B rows into as few tiles as hold at most `most` rows each, their sizes within one
// of each other: 25 rows (half of B = 50, on each of two cores) run as five tiles of 5 on AVX-512, where tiles of 4
// would leave one of 1 or pad to 28. Tile t of `tiles` over m rows has m / tiles rows, one more for the first
// m % tiles tiles.
static inline int tile_count(int m, int most) { return (m + most - 1) / most; }
static inline int tile_rows(int m, int tiles, int t) { return m / tiles + (t < m % tiles); }

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


// One unit block (its four gates' panels) for MR rows from row0.
AVX512 void forward_tile(int MR, int k, const float *a, int lda, const float *b, size_t panel_stride, int row0, int unit,
                         __mmask16 valid, const charnn_cell_forward_rows *rows) {
    __m512 acc[6][4];
    product_tile_avx512(MR, 4, k, a, lda, b, panel_stride, acc);
    for (int r = 0; r < MR; r++) cell_forward16(rows, row0 + r, unit, valid, acc[r][0], acc[r][1], acc[r][2], acc[r][3]);
}

__attribute__((target("avx512f"))) void charnn_lstm_forward_step_avx512(const float *h_prev, const float *gate_panels,
                                                                       const charnn_cell_forward_rows *rows) {
    int m = rows->batch, hidden = rows->hidden, k = hidden, lda = hidden, tiles = tile_count(m, 6);
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
    int m = rows->batch, hidden = rows->hidden, k = 4 * hidden, lda = 4 * hidden, tiles = tile_count(m, 6);
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

// MARK: AVX2 and FMA: the same steps, 8 lanes at a time
//
// 16 registers: tiles of up to 8 accumulators (rows by columns of 8 units), besides the columns' loads and a broadcast.

#define AVX2 __attribute__((target("avx2,fma"), always_inline)) static inline

AVX2 __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_set1_ps(89), x);
    x = _mm256_max_ps(_mm256_set1_ps(-104), x);
    const __m256 shifter = _mm256_set1_ps(0x1.8p23f);
    __m256 shifted = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), shifter);
    __m256 n = _mm256_sub_ps(shifted, shifter);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    __m256 exp_r = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1));
    __m256i k = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_castps_si256(shifter));
    __m256i k1 = _mm256_srai_epi32(k, 1), k2 = _mm256_sub_epi32(k, k1);
    const __m256i bias = _mm256_set1_epi32(127);
    __m256 two_k1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k1, bias), 23));
    __m256 two_k2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k2, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(exp_r, two_k1), two_k2);
}

AVX2 __m256 abs8(__m256 x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }

AVX2 __m256 sigmoid8(__m256 x) {
    __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), abs8(x)));
    __m256 s = _mm256_div_ps(_mm256_set1_ps(1), _mm256_add_ps(_mm256_set1_ps(1), e));
    return _mm256_blendv_ps(s, _mm256_mul_ps(e, s), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ));
}

AVX2 __m256 tanh8(__m256 x) {
    __m256 a = abs8(x), z = _mm256_mul_ps(x, x);
    __m256 p = _mm256_set1_ps(-5.70498872745e-3f);
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(2.06390887954e-2f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-5.37397155531e-2f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.33314422036e-1f));
    p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-3.33332819422e-1f));
    __m256 near_zero = _mm256_fmadd_ps(_mm256_mul_ps(p, z), x, x);
    __m256 t = exp8(_mm256_mul_ps(_mm256_set1_ps(-2), a));
    __m256 away = _mm256_div_ps(_mm256_sub_ps(_mm256_set1_ps(1), t), _mm256_add_ps(_mm256_set1_ps(1), t));
    away = _mm256_or_ps(away, _mm256_and_ps(x, _mm256_set1_ps(-0.0f)));
    return _mm256_blendv_ps(away, near_zero, _mm256_cmp_ps(a, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
}

// The first `valid` (1 to 8) lanes at p; a partial vector reads and writes only its lanes.
AVX2 __m256i lanes8(int valid) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
AVX2 __m256 load8(const float *p, int valid) { return valid >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, lanes8(valid)); }
AVX2 void store8(float *p, __m256 v, int valid) {
    if (valid >= 8) _mm256_storeu_ps(p, v);
    else _mm256_maskstore_ps(p, lanes8(valid), v);
}

// cell_forward16 on the 8 units from `unit`, `valid` of them inside H.
AVX2 void cell_forward8(const charnn_cell_forward_rows *rows, int b, int unit, int valid, __m256 ri, __m256 rf, __m256 rg,
                        __m256 ro) {
    int hidden = rows->hidden;
    const float *x = rows->projections + (size_t)(rows->indices ? rows->indices[b] : b) * 4 * hidden + unit;
    float *gates = rows->gates + (size_t)b * 4 * hidden + unit;
    size_t at = (size_t)b * hidden + unit;
    __m256 i = sigmoid8(_mm256_add_ps(ri, load8(x, valid)));
    __m256 f = sigmoid8(_mm256_add_ps(rf, load8(x + hidden, valid)));
    __m256 g = tanh8(_mm256_add_ps(rg, load8(x + 2 * hidden, valid)));
    __m256 o = sigmoid8(_mm256_add_ps(ro, load8(x + 3 * hidden, valid)));
    store8(gates, i, valid);
    store8(gates + hidden, f, valid);
    store8(gates + 2 * hidden, g, valid);
    store8(gates + 3 * hidden, o, valid);
    __m256 c = _mm256_fmadd_ps(f, load8(rows->c_prev + at, valid), _mm256_mul_ps(i, g));
    __m256 tc = tanh8(c);
    store8(rows->c + at, c, valid);
    store8(rows->tanh_c + at, tc, valid);
    store8(rows->h + at, _mm256_mul_ps(o, tc), valid);
}

// cell_backward16 on the 8 units from `unit`, `valid` of them inside H.
AVX2 void cell_backward8(const charnn_cell_backward_rows *rows, int b, int unit, int valid, __m256 dh_next) {
    int hidden = rows->hidden;
    float *gates = rows->gates + (size_t)b * 4 * hidden + unit;
    size_t at = (size_t)b * hidden + unit;
    __m256 i = load8(gates, valid), f = load8(gates + hidden, valid);
    __m256 g = load8(gates + 2 * hidden, valid), o = load8(gates + 3 * hidden, valid);
    __m256 tc = load8(rows->tanh_c + at, valid);
    __m256 one = _mm256_set1_ps(1);
    __m256 dh = _mm256_add_ps(load8(rows->dh_above + at, valid), dh_next);
    __m256 d_o = _mm256_mul_ps(dh, tc);
    __m256 dc = _mm256_fmadd_ps(_mm256_mul_ps(dh, o), _mm256_fnmadd_ps(tc, tc, one), load8(rows->dc_next + at, valid));
    __m256 di = _mm256_mul_ps(dc, g), df = _mm256_mul_ps(dc, load8(rows->c_prev + at, valid));
    __m256 dg = _mm256_mul_ps(dc, i);
    store8(rows->dc_next + at, _mm256_mul_ps(dc, f), valid);
    store8(gates, _mm256_mul_ps(_mm256_mul_ps(di, i), _mm256_sub_ps(one, i)), valid);
    store8(gates + hidden, _mm256_mul_ps(_mm256_mul_ps(df, f), _mm256_sub_ps(one, f)), valid);
    store8(gates + 2 * hidden, _mm256_mul_ps(dg, _mm256_fnmadd_ps(g, g, one)), valid);
    store8(gates + 3 * hidden, _mm256_mul_ps(_mm256_mul_ps(d_o, o), _mm256_sub_ps(one, o)), valid);
}

// acc[r][c] += Σ_kk a[r][kk] column c's 8 floats at kk, for kk in 0..<k, where column c starts at b + offsets[c] and
// steps 16 floats (one row of a panel) per kk.
AVX2 void product_tile_avx2(int MR, int NC, int k, const float *a, int lda, const float *b, const size_t offsets[4],
                            __m256 acc[4][4]) {
    for (int kk = 0; kk < k; kk++) {
        __m256 bv[4];
        for (int c = 0; c < NC; c++) bv[c] = _mm256_load_ps(b + offsets[c] + (size_t)kk * PANEL);
        for (int r = 0; r < MR; r++) {
            __m256 av = _mm256_broadcast_ss(a + (size_t)r * lda + kk);
            for (int c = 0; c < NC; c++) acc[r][c] = _mm256_fmadd_ps(av, bv[c], acc[r][c]);
        }
    }
}

// The forward's tile is MR rows (at most 2) by the four gates of 8 units: per k it reads a line of each gate's panel
// for only 8 MR multiply-adds, so the unit block's panels (4 H 64 bytes) would be read from L2 once per tile at
// twice what L2 delivers. So k runs in blocks of FORWARD_KC, whose 4 x 16 KB of panels stay in L1 while every tile
// and both halves of the block's 16 units use them; a tile's sums wait in `partial` between blocks. Rows run in
// chunks of at most CHUNK_ROWS, `partial`'s height.
enum { FORWARD_KC = 64, CHUNK_ROWS = 48 };

// Rows row0..<row0+MR, the 8 units from `unit`, k in k0..<k0+kc: continues the sums in partial[r] (starting them
// at k0 = 0), and runs the cell on them after the last block.
AVX2 void forward_tile8(int MR, int k0, int kc, int k, const float *h_prev, int lda, const float *b, const size_t offsets[4],
                        __m256 partial[][4], int row0, int unit, const charnn_cell_forward_rows *rows) {
    __m256 acc[4][4];
    for (int r = 0; r < MR; r++)
        for (int c = 0; c < 4; c++) acc[r][c] = k0 == 0 ? _mm256_setzero_ps() : partial[r][c];
    product_tile_avx2(MR, 4, kc, h_prev + (size_t)row0 * lda + k0, lda, b + (size_t)k0 * PANEL, offsets, acc);
    if (k0 + kc < k) {
        for (int r = 0; r < MR; r++)
            for (int c = 0; c < 4; c++) partial[r][c] = acc[r][c];
        return;
    }
    int valid = rows->hidden - unit;
    for (int r = 0; r < MR; r++) cell_forward8(rows, row0 + r, unit, valid, acc[r][0], acc[r][1], acc[r][2], acc[r][3]);
}

__attribute__((target("avx2,fma"))) void charnn_lstm_forward_step_avx2(const float *h_prev, const float *gate_panels,
                                                                     const charnn_cell_forward_rows *rows) {
    int hidden = rows->hidden, k = hidden, lda = hidden;
    size_t panel_stride = (size_t)hidden * PANEL;
    const size_t offsets[4] = {0, panel_stride, 2 * panel_stride, 3 * panel_stride};  // the gates i, f, g, o
    __m256 partial[2][CHUNK_ROWS][4];  // [half of the unit block][row in chunk][gate]
    for (int r0 = 0; r0 < rows->batch; r0 += CHUNK_ROWS) {
        int m = rows->batch - r0 < CHUNK_ROWS ? rows->batch - r0 : CHUNK_ROWS, tiles = tile_count(m, 2);
        for (int q = 0; q * PANEL < hidden; q++) {
            for (int k0 = 0; k0 < k; k0 += FORWARD_KC) {
                int kc = k - k0 < FORWARD_KC ? k - k0 : FORWARD_KC;
                for (int half = 0; half < 2 && q * PANEL + half * 8 < hidden; half++) {
                    int unit = q * PANEL + half * 8;
                    const float *b = gate_panels + (size_t)(4 * q) * panel_stride + half * 8;
                    for (int t = 0, i0 = 0; t < tiles; i0 += tile_rows(m, tiles, t), t++) {
                        if (tile_rows(m, tiles, t) == 1)
                            forward_tile8(1, k0, kc, k, h_prev, lda, b, offsets, partial[half] + i0, r0 + i0, unit, rows);
                        else
                            forward_tile8(2, k0, kc, k, h_prev, lda, b, offsets, partial[half] + i0, r0 + i0, unit, rows);
                    }
                }
            }
        }
    }
}

// The backward's tile is MR rows (at most 4) by one panel's 16 units, as two columns of 8: a line of the panel per k
// for 16 MR multiply-adds, which L2 keeps up with.
AVX2 void backward_tile8(int MR, int NC, int k, const float *a, int lda, const float *b, int row0, int unit0,
                         const charnn_cell_backward_rows *rows) {
    const size_t offsets[4] = {0, 8, 0, 0};
    __m256 acc[4][4];
    for (int r = 0; r < MR; r++)
        for (int c = 0; c < NC; c++) acc[r][c] = _mm256_setzero_ps();
    product_tile_avx2(MR, NC, k, a, lda, b, offsets, acc);
    for (int r = 0; r < MR; r++)
        for (int c = 0; c < NC; c++) cell_backward8(rows, row0 + r, unit0 + 8 * c, rows->hidden - unit0 - 8 * c, acc[r][c]);
}

#define BACKWARD8_CASES(NC)                                                                                             \
    switch (mr) {                                                                                                       \
    case 1: backward_tile8(1, NC, k, a, lda, b, i0, j0, rows); break;                                                   \
    case 2: backward_tile8(2, NC, k, a, lda, b, i0, j0, rows); break;                                                   \
    case 3: backward_tile8(3, NC, k, a, lda, b, i0, j0, rows); break;                                                   \
    default: backward_tile8(4, NC, k, a, lda, b, i0, j0, rows); break;                                                  \
    }

__attribute__((target("avx2,fma"))) void charnn_lstm_backward_step_avx2(const float *da_next, const float *w_hh_panels,
                                                                      const charnn_cell_backward_rows *rows) {
    int m = rows->batch, hidden = rows->hidden, k = 4 * hidden, lda = 4 * hidden, tiles = tile_count(m, 4);
    size_t panel_stride = (size_t)k * PANEL;
    for (int j0 = 0; j0 < hidden; j0 += PANEL) {
        const float *b = w_hh_panels + (size_t)(j0 / PANEL) * panel_stride;
        for (int t = 0, i0 = 0; t < tiles; i0 += tile_rows(m, tiles, t), t++) {
            int mr = tile_rows(m, tiles, t);
            const float *a = da_next + (size_t)i0 * lda;
            if (hidden - j0 > 8) BACKWARD8_CASES(2) else BACKWARD8_CASES(1)
        }
    }
}

#else
#include <stdlib.h>
// Other architectures run the product and the cell apart (LSTMLayerCache never fuses there); the entry points
// exist so that the module links everywhere.
void charnn_lstm_forward_step_avx512(const float *h_prev, const float *gate_panels, const charnn_cell_forward_rows *rows) { abort(); }
void charnn_lstm_backward_step_avx512(const float *da_next, const float *w_hh_panels, const charnn_cell_backward_rows *rows) { abort(); }
void charnn_lstm_forward_step_avx2(const float *h_prev, const float *gate_panels, const charnn_cell_forward_rows *rows) { abort(); }
void charnn_lstm_backward_step_avx2(const float *da_next, const float *w_hh_panels, const charnn_cell_backward_rows *rows) { abort(); }
#endif
