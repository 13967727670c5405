import CKernels

/// A right-hand matrix B [K, N] kept packed for many products C = A B with one `StepKernel`: W_hh^T for the
/// forward steps and W_hh for the backward ones. Packing costs one pass over B, against one repack per product in
/// BLAS. Memory: 4 * ceil(N / 16) * 16 * K bytes in fp32, half that in bf16 (whose products also pack A's few rows,
/// into ceil(K / 2) words per row).
final class PackedMatrix {
    /// K.
    let k: Int
    /// N.
    let n: Int
    let kernel: StepKernel
    let precision: TrainingPrecision
    /// fp32: [ceil(N/16), K, 16], B in column panels of 16 (see charnn_kernels.h); empty for `.blas` and in bf16.
    private let panels: FloatBuffer
    /// bf16: B's panels of pairs, and A's rows packed per product.
    private var pairPanels = WordBuffer()
    private var pairRows = WordBuffer()
    /// For `.blas`: B as given to `pack`, and whether it is B^T.
    private var source: (matrix: Matrix, transposed: Bool)?

    /// A packed B [k, n] for products in `precision`: in bf16 on charnn's bf16 kernels (`kernel` unused), in fp32
    /// on `kernel`.
    init(k: Int, n: Int, kernel: StepKernel, precision: TrainingPrecision) {
        self.k = k
        self.n = n
        self.kernel = kernel
        self.precision = precision
        let fp32Panels = precision == .fp32 && kernel != .blas
        panels = FloatBuffer(count: fp32Panels ? Int(charnn_packed_size(Int32(k), Int32(n))) : 0)
        if precision == .bf16 { _ = pairPanels.reserve(charnn_bf16_packed_b_size(Int32(k), Int32(n))) }
    }

    /// fp32 panels, as `pack` left them: what the fused backward step reads (`charnn_lstm_backward_step_avx512`).
    var packedPanels: UnsafePointer<Float> {
        precondition(precision == .fp32 && kernel != .blas, "only fp32 kernels pack panels")
        return UnsafePointer(panels.base)
    }

    /// Packs B = `b` [K, N], or B = `b`^T when `transposed` (`b` [N, K]). With `.blas`, `b` must stay valid and
    /// unchanged until the last `multiply`.
    func pack(_ b: Matrix, transposed: Bool) {
        precondition((transposed ? (b.cols, b.rows) : (b.rows, b.cols)) == (k, n),
                     "pack [\(b.rows),\(b.cols)]\(transposed ? "^T" : "") as [\(k),\(n)]")
        if precision == .bf16 {
            charnn_bf16_pack_b(transposed ? 1 : 0, Int32(k), Int32(n), b.base, Int32(b.cols), pairPanels.base)
        } else if kernel == .blas {
            source = (b, transposed)
        } else {
            charnn_pack(b.base, Int32(b.cols), Int32(k), Int32(n), transposed ? 1 : 0, panels.base)
        }
    }

    /// C [M, N] = A [M, K] B, for the B last packed.
    func multiply(_ a: Matrix, into c: Matrix) {
        precondition(a.cols == k && c.rows == a.rows && c.cols == n, "packed product [\(a.rows),\(a.cols)] x [\(k),\(n)] into [\(c.rows),\(c.cols)]")
        let (m, lda, ldc) = (Int32(a.rows), Int32(a.cols), Int32(c.cols))
        if precision == .bf16 {
            let pairs = charnn_bf16_pair_count(Int32(k))
            let rows = pairRows.reserve(a.rows * pairs)
            charnn_bf16_pack_a(0, m, Int32(k), a.base, lda, rows)
            charnn_bf16_gemm(m, Int32(n), Int32(k), rows, pairs, 1, pairPanels.base, 0, c.base, ldc)
            return
        }
        switch kernel {
        case .avx512: charnn_packed_gemm_avx512(m, Int32(n), Int32(k), a.base, lda, panels.base, c.base, ldc)
        case .avx2: charnn_packed_gemm_avx2(m, Int32(n), Int32(k), a.base, lda, panels.base, c.base, ldc)
        case .blas:
            guard let source else { preconditionFailure("multiply before pack") }
            Matrix.gemm(a, source.matrix, transposeB: source.transposed, into: c)
        }
    }
}
