import CKernels

/// The LSTM's per-step recurrent product fused with its cell (`Sources/CKernels/lstm_step.c`): the cell runs on each
/// tile of the product while the tile is in registers, so the product is never stored. It exists for the AVX-512 and
/// AVX2 step kernels in fp32; with BLAS and in bf16, `LSTMLayer` runs the product, then the cell (the reference).
enum FusedStep {
    case avx512, avx2

    /// The fused step of products on `kernel` in `precision`, if it has one.
    init?(kernel: StepKernel, precision: TrainingPrecision) {
        guard precision == .fp32 else { return nil }
        switch kernel {
        case .avx512: self = .avx512
        case .avx2: self = .avx2
        case .blas: return nil
        }
    }

    /// Forward step t: h_prev [B, H] (rows H apart) times W_hh^T packed by `charnn_pack_gate_panels`, then the cell
    /// for the B rows that `rows` describes.
    func forward(hPrev: UnsafePointer<Float>, gatePanels: UnsafePointer<Float>, rows: inout charnn_cell_forward_rows) {
        switch self {
        case .avx512: charnn_lstm_forward_step_avx512(hPrev, gatePanels, &rows)
        case .avx2: charnn_lstm_forward_step_avx2(hPrev, gatePanels, &rows)
        }
    }

    /// Backward step t: dh_next = da_{t+1} [B, 4H] (rows 4H apart) times W_hh packed by `charnn_pack`, then the cell's
    /// backward for the B rows that `rows` describes.
    func backward(daNext: UnsafePointer<Float>, weightPanels: UnsafePointer<Float>, rows: inout charnn_cell_backward_rows) {
        switch self {
        case .avx512: charnn_lstm_backward_step_avx512(daNext, weightPanels, &rows)
        case .avx2: charnn_lstm_backward_step_avx2(daNext, weightPanels, &rows)
        }
    }
}
