import CKernels

/// A right-hand matrix B [K, N] kept packed for many products C = A B with one `StepKernel`: W_hh^T for the
/// forward steps and W_hh for the backward ones. Packing costs one pass over B, against one repack per product in
/// BLAS. Memory: 4 * ceil(N / 16) * 16 * K bytes.
final class PackedMatrix {
    /// K.
    let k: Int
    /// N.
    let n: Int
    let kernel: StepKernel
    /// [ceil(N/16), K, 16]: B in column panels of 16 (see charnn_kernels.h); empty for `.blas`.
    private let panels: FloatBuffer
    /// For `.blas`: B as given to `pack`, and whether it is B^T.
    private var source: (matrix: Matrix, transposed: Bool)?

    init(k: Int, n: Int, kernel: StepKernel) {
        self.k = k
        self.n = n
        self.kernel = kernel
        panels = FloatBuffer(count: kernel == .blas ? 0 : Int(charnn_packed_size(Int32(k), Int32(n))))
    }

    /// Packs B = `b` [K, N], or B = `b`^T when `transposed` (`b` [N, K]). With `.blas`, `b` must stay valid and
    /// unchanged until the last `multiply`.
    func pack(_ b: Matrix, transposed: Bool) {
        precondition((transposed ? (b.cols, b.rows) : (b.rows, b.cols)) == (k, n),
                     "pack [\(b.rows),\(b.cols)]\(transposed ? "^T" : "") as [\(k),\(n)]")
        if kernel == .blas {
            source = (b, transposed)
        } else {
            charnn_pack(b.base, Int32(b.cols), Int32(k), Int32(n), transposed ? 1 : 0, panels.base)
        }
    }

    /// C [M, N] = A [M, K] B, for the B last packed.
    func multiply(_ a: Matrix, into c: Matrix) {
        precondition(a.cols == k && c.rows == a.rows && c.cols == n, "packed product [\(a.rows),\(a.cols)] x [\(k),\(n)] into [\(c.rows),\(c.cols)]")
        let (m, lda, ldc) = (Int32(a.rows), Int32(a.cols), Int32(c.cols))
        switch kernel {
        case .avx512: charnn_packed_gemm_avx512(m, Int32(n), Int32(k), a.base, lda, panels.base, c.base, ldc)
        case .avx2: charnn_packed_gemm_avx2(m, Int32(n), Int32(k), a.base, lda, panels.base, c.base, ldc)
        case .blas:
            guard let source else { preconditionFailure("multiply before pack") }
            Matrix.gemm(a, source.matrix, transposeB: source.transposed, into: c)
        }
    }
}
