import CKernels

/// A weight matrix W [N, K] packed once for many products Y [m, N] += X [m, K] W^T with a `MatVecKernel`: batch-1
/// inference (m = 1) and the few streams a completion search advances together. Stored in a `WeightPrecision`, in
/// the column-panel layout of `PackedMatrix` (W^T in panels of 16 outputs, charnn_kernels.h), which lets every
/// weight loaded serve 16 outputs of each of the m rows.
///
/// Memory: ceil(N / 16) * 16 * K weights of the precision's width, plus N fp32 scales for int8.
final class PackedWeights: @unchecked Sendable {
    /// N: outputs, the rows of W.
    let n: Int
    /// K: inputs, the columns of W.
    let k: Int
    let precision: WeightPrecision
    let kernel: MatVecKernel
    /// [ceil(N/16), K, 16] elements of `precision`.
    private let panels: UnsafeMutableRawPointer
    /// [N] the int8 row scales s_j; empty for the other precisions.
    private let scales: [Float]

    /// Packs `w` [N, K], reduced to `precision` (int8 scales computed from `w`'s rows: for a matrix that is already
    /// int8-reduced, the same scales and values it was reduced with, up to rounding of the scale).
    init(_ w: Matrix, precision: WeightPrecision, kernel: MatVecKernel) {
        (n, k, self.precision, self.kernel) = (w.rows, w.cols, precision, kernel)
        let elements = Int(charnn_panel_count(Int32(n))) * 16 * k
        panels = UnsafeMutableRawPointer.allocate(byteCount: max(elements * precision.byteWidth, 1), alignment: 64)
        scales = precision == .int8 ? (0..<w.rows).map { charnn_i8_scale(w.row($0), Int32(w.cols)) } : []
        scales.withUnsafeBufferPointer { scales in
            charnn_pack_rows(precision.kernelType, w.base, Int32(w.cols), Int32(n), Int32(k), scales.baseAddress, panels)
        }
    }

    deinit { panels.deallocate() }

    /// The bytes a product reads from the weights (the panels, and the scales).
    var byteCount: Int { Int(charnn_panel_count(Int32(n))) * 16 * k * precision.byteWidth + scales.count * 4 }

    /// Y [m, N] += X [m, K] W^T, where row r of X starts at x + r * ldx and row r of Y at y + r * ldy.
    func multiplyAdd(rows m: Int, _ x: UnsafePointer<Float>, ldx: Int, into y: UnsafeMutablePointer<Float>, ldy: Int) {
        precondition(m >= 0 && ldx >= k && ldy >= n, "packed product of \(m) rows: ldx \(ldx) for K = \(k), ldy \(ldy) for N = \(n)")
        let (type, rows, outputs, inputs) = (precision.kernelType, Int32(m), Int32(n), Int32(k))
        scales.withUnsafeBufferPointer { scales in
            let s = scales.baseAddress
            switch kernel {
            case .avx512: charnn_panel_matmul_avx512(type, rows, outputs, inputs, x, Int32(ldx), panels, s, y, Int32(ldy))
            case .avx2: charnn_panel_matmul_avx2(type, rows, outputs, inputs, x, Int32(ldx), panels, s, y, Int32(ldy))
            case .portable: charnn_panel_matmul_c(type, rows, outputs, inputs, x, Int32(ldx), panels, s, y, Int32(ldy))
            }
        }
    }
}
