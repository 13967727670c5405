#ifndef CHARNN_KERNELS_H
#define CHARNN_KERNELS_H

#include <stdint.h>

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

/// Batch-1 inference and the few streams of a word-completion search: Y [m, n] += X [m, k] W^T for a weight matrix
/// W [n, k] read once per product, in fp32, bf16 or int8 with one fp32 scale per row of W, accumulating in fp32.
/// These products are bound by reading W, so they read it in the packed layout above (W^T as B, column panels of
/// 16), in which one row of a panel holds 16 consecutive outputs' weights for one input: every load feeds 16
/// fused multiply-adds per row of X, and the few rows of X share each load.

/// The element types of packed weights.
enum {
    CHARNN_WEIGHTS_F32 = 0,
    /// The top 16 bits of a float32, rounded to nearest even.
    CHARNN_WEIGHTS_BF16 = 1,
    /// round(w / s), clamped to ±127, where s = max |w| / 127 over w's row of W.
    CHARNN_WEIGHTS_I8 = 2,
};

/// bf16 of `value`, rounded to nearest even (a NaN stays a NaN).
uint16_t charnn_bf16_from_float(float value);
/// The float32 a bf16 stands for (exact).
float charnn_float_from_bf16(uint16_t value);
/// The int8 scale of a row of `count` weights: max |w| / 127 (0 for an all-zero row).
float charnn_i8_scale(const float *row, int count);
/// round(value / scale) clamped to ±127; 0 when `scale` is not positive.
int8_t charnn_i8_from_float(float value, float scale);

/// The panels a packed matrix of n outputs takes: ceil(n / 16). Its size is that times k * 16 elements.
long charnn_panel_count(int n);

/// Packs W [n, k] (rows ldw apart) into `packed` as elements of `type` (a CHARNN_WEIGHTS_ value); outputs past n
/// are zero. For CHARNN_WEIGHTS_I8, `scales` [n] holds each row's scale (charnn_i8_scale); otherwise it is unused.
void charnn_pack_rows(int type, const float *w, int ldw, int n, int k, const float *scales, void *packed);

/// Y [m, n] += X [m, k] W^T, W packed by charnn_pack_rows as `type`; rows of X and Y are ldx and ldy apart, and
/// nothing outside Y's m x n values is written. `scales` [n]: the int8 row scales (unused for the other types).
/// _c is the plain reference; _avx512 needs AVX-512 F and BW, _avx2 needs AVX2 and FMA: the caller checks the CPU.
void charnn_panel_matmul_c(int type, int m, int n, int k, const float *x, int ldx, const void *packed,
                           const float *scales, float *y, int ldy);
void charnn_panel_matmul_avx512(int type, int m, int n, int k, const float *x, int ldx, const void *packed,
                                const float *scales, float *y, int ldy);
void charnn_panel_matmul_avx2(int type, int m, int n, int k, const float *x, int ldx, const void *packed,
                              const float *scales, float *y, int ldy);

/// Y [m, n] += X [m, k] W^T for a row-major W [n, k] (rows ldw apart), not packed: for a small matrix that changes
/// between products (a user's decoder change, after every learning step), where packing would cost more than it
/// saves. Plain C, vectorised by the compiler; nothing outside Y's m x n values is written.
void charnn_rows_matmul(int m, int n, int k, const float *x, int ldx, const float *w, int ldw, float *y, int ldy);

/// The sum of `count` floats, read as fast as each extension can: what `charnn bench` times to measure how fast
/// a core reads a working set the size of a model's weights.
float charnn_read_sum_c(const float *values, long count);
float charnn_read_sum_avx512(const float *values, long count);
float charnn_read_sum_avx2(const float *values, long count);

/// Training products in bf16 (`--precision bf16`): C [m, n] (+)= A [m, k] B [k, n] with both operands rounded to
/// bf16 and fp32 accumulation, on AVX512_BF16's vdpbf16ps, which multiplies two pairs of bf16 and adds both
/// products to an fp32 lane. So the operands are packed as pairs along k: one 32-bit word holds (x[2q], x[2q+1]),
/// the low half first, and k is padded to even with a zero.
///
/// Packed A: row i's pair q at a[i * a_row + q * a_pair]. charnn_bf16_pack_a writes a_row = pairs, a_pair = 1 for
/// A as stored, and a_row = 1, a_pair = m for A = a^T (so that both read the stored matrix row by row).
/// Packed B: ceil(n / 16) column panels, each [pairs, 16] words, columns past n zero.
/// Every function here needs AVX-512 F, BW and AVX512_BF16: the caller checks the CPU.

/// ceil(k / 2): the pairs a row of k values packs into.
long charnn_bf16_pair_count(int k);
/// The words a packed B [k, n] takes.
long charnn_bf16_packed_b_size(int k, int n);
/// Packs A [m, k] (A = a, or a^T when `transposed`; rows of a lda apart) into m * pairs words.
void charnn_bf16_pack_a(int transposed, int m, int k, const float *a, int lda, uint32_t *packed);
/// Packs B [k, n] (B = b, or b^T when `transposed`; rows of b ldb apart) into charnn_bf16_packed_b_size words,
/// 64-byte aligned.
void charnn_bf16_pack_b(int transposed, int k, int n, const float *b, int ldb, uint32_t *packed);
/// C [m, n] = A B, or C += A B with `accumulate`; rows of C ldc apart, nothing outside its m x n values written.
void charnn_bf16_gemm(int m, int n, int k, const uint32_t *a, long a_row, long a_pair, const uint32_t *packed_b,
                      int accumulate, float *c, int ldc);

/// The LSTM's per-step recurrent product fused with its cell (AVX-512 F, fp32): each tile of the product is still in
/// registers when the cell's arithmetic runs on it, so the product is never stored and the cell needs no pass of
/// its own. LSTMLayer.swift has the equations; these compute the same numbers as its product-then-cell path, up to
/// rounding (the order of the sums, and multiply-adds fused where the Swift cell rounds twice).
///
/// Forward, step t: a = h_{t-1} W_hh^T + projection, then i, f, g, o, c_t, tanh(c_t), h_t. A tile must hold the four
/// gates of the same units, so W_hh^T is packed with the gates interleaved: for each block of 16 units, four column
/// panels (i, f, g, o) of the layout above, units past H zero.

/// The floats W_hh^T packed with its gates interleaved takes: 4 ceil(H / 16) panels of H x 16.
long charnn_gate_panels_size(int hidden);
/// Packs W_hh [4H, H] (row-major, gates stacked i, f, g, o) as W_hh^T with its gates interleaved.
void charnn_pack_gate_panels(const float *w_hh, int hidden, float *packed);

/// One step's rows for the fused forward: row b (b < batch) of every matrix, each row-major with rows 4H or H apart.
typedef struct {
    /// B: the rows of the product and the cell.
    int batch;
    /// H.
    int hidden;
    /// Row b's input projection x W_ih^T + b_ih + b_hh [4H] is row (indices ? indices[b] : b) of this.
    const float *projections;
    const int32_t *indices;
    /// [B, 4H]: receives the activated gates i, f, g, o (may be the projections themselves, when indices is NULL).
    float *gates;
    /// [B, H]: c_{t-1}.
    const float *c_prev;
    /// [B, H] each: receive c_t, tanh(c_t) and h_t.
    float *c;
    float *tanh_c;
    float *h;
} charnn_cell_forward_rows;

/// The forward step: h_prev [B, H] (rows H apart) times W_hh^T packed by charnn_pack_gate_panels, then the cell.
void charnn_lstm_forward_step_avx512(const float *h_prev, const float *gate_panels, const charnn_cell_forward_rows *rows);

/// One step's rows for the fused backward, row b (b < batch) of each.
typedef struct {
    int batch;
    int hidden;
    /// [B, H]: the loss gradient of h_t from above.
    const float *dh_above;
    /// [B, 4H]: the step's activated gates on entry, its da on return.
    float *gates;
    /// [B, H] each: c_{t-1} and tanh(c_t).
    const float *c_prev;
    const float *tanh_c;
    /// [B, H]: dc carried from step t+1 on entry, to step t-1 on return.
    float *dc_next;
} charnn_cell_backward_rows;

/// The backward step t: dh_next = da_{t+1} [B, 4H] (rows 4H apart) times W_hh packed by charnn_pack (B = W_hh
/// [4H, H]), then the cell's backward for step t, which adds dh_next to dh_above.
void charnn_lstm_backward_step_avx512(const float *da_next, const float *w_hh_panels, const charnn_cell_backward_rows *rows);

#endif
