import CKernels

/// Runs a window's matrix products in one `TrainingPrecision`: fp32 on BLAS, bf16 on charnn's kernels, which pack
/// both operands as bf16 pairs into scratch that this object keeps (charnn_kernels.h has the layout).
///
/// One per `SequenceWorkspace`, used by one thread at a time. The scratch grows to the largest product on the first
/// window and is reused after that: A [m, k] and B [k, n] take ceil(k/2) * m and ceil(k/2) * ceil(n/16) * 16 words.
final class MatrixProducts {
    let precision: TrainingPrecision
    private var packedA = WordBuffer()
    private var packedB = WordBuffer()

    /// Products in `precision`, which the caller has checked against the CPU (`TrainingPrecision.check`).
    init(precision: TrainingPrecision) {
        self.precision = precision
    }

    /// C = op(A) op(B), or C += op(A) op(B) with `beta` 1, where op transposes when asked. Shapes are checked.
    func gemm(_ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false, into c: Matrix, beta: Float = 0) {
        switch precision {
        case .fp32:
            Matrix.gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: c, beta: beta)
        case .bf16:
            precondition(beta == 0 || beta == 1, "bf16 products overwrite or add to C, beta \(beta)")
            let (m, n, k) = Matrix.productShape(a, transposeA: transposeA, b, transposeB: transposeB, into: c)
            guard m > 0, n > 0 else { return }
            let pairs = charnn_bf16_pair_count(Int32(k))
            let a32 = packedA.reserve(m * pairs)
            let b32 = packedB.reserve(charnn_bf16_packed_b_size(Int32(k), Int32(n)))
            charnn_bf16_pack_a(transposeA ? 1 : 0, Int32(m), Int32(k), a.base, Int32(a.cols), a32)
            charnn_bf16_pack_b(transposeB ? 1 : 0, Int32(k), Int32(n), b.base, Int32(b.cols), b32)
            let (aRow, aPair) = transposeA ? (1, m) : (pairs, 1)
            charnn_bf16_gemm(Int32(m), Int32(n), Int32(k), a32, aRow, aPair, b32, beta == 1 ? 1 : 0, c.base, Int32(c.cols))
        }
    }
}
