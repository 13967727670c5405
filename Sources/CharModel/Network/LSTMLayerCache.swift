import CKernels

/// What one LSTM layer's forward keeps for its backward, and the backward's carries: allocated once per (B, S, H).
///
/// The h and c blocks hold S+1 steps, block 0 being the initial state, so that h_prev for every step is one
/// contiguous [S*B, H] matrix and dW_hh is a single sgemm.
///
/// The per-step products that run apart from the cell run on R = B rounded up to a multiple of
/// `recurrentRowMultiple` rows: the B rows of a step and the first R-B rows after them, whose results land in rows
/// nobody reads. `h` and `gateBuffer` carry R-B spare rows at their end so that the last step's product stays inside
/// them (`h` needs them only when B < 3). The fused step (`fusesCell`) runs on the B rows alone, in tiles it sizes
/// to them.
///
/// One buffer, `gateBuffer`, holds three things in turn, each replacing the one before, a step's rows at a time.
/// Each has a name, to be read only while it holds what the name says:
///
///     projections  [S*B, 4H]  x W_ih^T + b_ih + b_hh of a dense input   forward, until step t's cells read its rows
///     gates        [S*B, 4H]  the activated gates i, f, g, o            from forward's step t to backward's step t
///     da           [S*B, 4H]  the loss gradient of the pre-activations  from backward's step t to the next forward
final class LSTMLayerCache {
    let batchSize: Int
    let steps: Int
    /// R: the rows each unfused per-step product runs on, and the product for the initial state's dh.
    let paddedBatchSize: Int
    private let storage: FloatBuffer
    /// [S*B + R-B, 4H]: the storage of `projections`, `gates` and `da`, and the spare rows of the per-step products
    /// da_t W_hh (`daStepRows`). Read it by the name of the phase.
    let gateBuffer: Matrix
    /// [(S+1)*B + R-B, H]: h_{-1}, h_0, ..., h_{S-1}.
    let h: Matrix
    /// [(S+1)*B, H]: c_{-1}, c_0, ..., c_{S-1}.
    let c: Matrix
    /// [S*B, H]: tanh(c_t).
    let tanhC: Matrix
    /// [R, 4H]: one step's recurrent product h_{t-1} W_hh^T; no rows when `fusesCell`, whose product stays in registers.
    let recurrent: Matrix
    /// [R, H]: the recurrent gradient carried backward in rows 0..<B (the initial state's dh after backward); rows
    /// B..<R take the padded rows' products and are never read.
    let dhNext: Matrix
    /// [B, H]: the cell gradient carried backward; the initial state's dc after backward.
    let dcNext: Matrix
    /// How forward's per-step products read W_hh^T, packed by forward once per window.
    let forwardWeights: ForwardWeights
    /// W_hh [4H, H], packed by backward for its per-step products da_t W_hh.
    let packedWHH: PackedMatrix
    /// [4H, H] with weight drop, else no rows: W_hh ⊙ mask, the recurrent weights of this window, which forward
    /// computes and packs and backward packs again.
    let droppedWHH: Matrix
    /// [4H, H] with weight drop, else no rows: the window's gradient of W_hh ⊙ mask, which backward multiplies by the
    /// mask into dW_hh.
    let dDroppedWHH: Matrix
    /// The window's other products, in the workspace's precision (one object per workspace, shared by its layers).
    let products: MatrixProducts

    /// charnn's product kernels (`charnn_packed_gemm_*`) compute in tiles of 4 rows, and OpenBLAS's x86 sgemm kernels
    /// (which run these products on CPUs without AVX2) finish rows four at a time and handle the 1 to 3 left over
    /// slowly.
    static let recurrentRowMultiple = 4

    /// A cache whose per-step products run on `kernel` and its other products on `products`, with room for weight
    /// drop's masked W_hh when `dropsWeights`.
    init(batchSize: Int, steps: Int, hiddenSize: Int, kernel: StepKernel, products: MatrixProducts, dropsWeights: Bool) {
        self.batchSize = batchSize
        self.steps = steps
        let multiple = Self.recurrentRowMultiple
        paddedBatchSize = (batchSize + multiple - 1) / multiple * multiple
        let (n, spare) = (steps * batchSize, paddedBatchSize - batchSize)
        let fuses = kernel == .avx512 && products.precision == .fp32
        let recurrentRows = fuses ? 0 : paddedBatchSize
        let weightRows = dropsWeights ? 4 * hiddenSize : 0
        let sizes = [(n + spare) * 4 * hiddenSize, (n + batchSize + spare) * hiddenSize, (n + batchSize) * hiddenSize,
                     n * hiddenSize, recurrentRows * 4 * hiddenSize, paddedBatchSize * hiddenSize, batchSize * hiddenSize,
                     2 * weightRows * hiddenSize]
        var carver = BufferCarver(count: sizes.reduce(0, +))
        gateBuffer = carver.take(n + spare, 4 * hiddenSize)
        h = carver.take(n + batchSize + spare, hiddenSize)
        c = carver.take(n + batchSize, hiddenSize)
        tanhC = carver.take(n, hiddenSize)
        recurrent = carver.take(recurrentRows, 4 * hiddenSize)
        dhNext = carver.take(paddedBatchSize, hiddenSize)
        dcNext = carver.take(batchSize, hiddenSize)
        droppedWHH = carver.take(weightRows, hiddenSize)
        dDroppedWHH = carver.take(weightRows, hiddenSize)
        storage = carver.buffer
        forwardWeights = fuses
            ? .gatePanels(FloatBuffer(count: Int(charnn_gate_panels_size(Int32(hiddenSize)))))
            : .packed(PackedMatrix(k: hiddenSize, n: 4 * hiddenSize, kernel: kernel, precision: products.precision))
        packedWHH = PackedMatrix(k: 4 * hiddenSize, n: hiddenSize, kernel: kernel, precision: products.precision)
        self.products = products
    }

    /// W_hh^T as forward's per-step products read it.
    enum ForwardWeights {
        /// [H, 4H] for `PackedMatrix`'s products h_{t-1} W_hh^T, which the cell then reads.
        case packed(PackedMatrix)
        /// W_hh^T with its gates interleaved [4 ceil(H/16) panels of H x 16], for the product fused with the cell
        /// (`charnn_pack_gate_panels`, `charnn_lstm_forward_step_avx512`): on the AVX-512 step kernel in fp32.
        case gatePanels(FloatBuffer)
    }

    /// Whether each step's product runs fused with the cell, forward and backward (`charnn_lstm_backward_step_avx512`).
    /// Otherwise the product and the cell run one after the other.
    var fusesCell: Bool {
        if case .gatePanels = forwardWeights { true } else { false }
    }

    /// The per-step products' R rows of a sequence matrix, starting at step t's first row.
    func stepRows(_ m: Matrix, step t: Int) -> Matrix { m.rows(t * batchSize..<t * batchSize + paddedBatchSize) }

    /// [S*B, 4H]: a dense input's projections x W_ih^T + b_ih + b_hh, from the start of `LSTMLayer.forward` until
    /// step t's cells replace its rows by `gates`. (With table rows as input the cells read the table instead.)
    var projections: Matrix { gateBuffer.rows(0..<steps * batchSize) }
    /// [S*B, 4H]: the activated gates i, f, g, o, from forward's step t until backward's step t replaces its rows
    /// by `da`.
    var gates: Matrix { gateBuffer.rows(0..<steps * batchSize) }
    /// [S*B, 4H]: da, the loss gradient of the pre-activations a, from backward's step t until the next forward.
    var da: Matrix { gateBuffer.rows(0..<steps * batchSize) }
    /// [R, 4H]: da_t and the R-B rows after it, the rows backward's per-step product da_t W_hh runs on.
    func daStepRows(step t: Int) -> Matrix { stepRows(gateBuffer, step: t) }
    /// h_{-1} ... h_{S-2} [S*B, H]: every step's h_prev.
    var previousH: Matrix { h.rows(0..<steps * batchSize) }
    /// h_{S-1} [B, H], the state carried to the next window.
    var finalH: Matrix { h.rows(steps * batchSize..<(steps + 1) * batchSize) }
    /// c_{S-1} [B, H].
    var finalC: Matrix { c.rows(steps * batchSize..<(steps + 1) * batchSize) }
    /// h_0 ... h_{S-1} [S*B, H], the layer's output.
    var output: Matrix { h.rows(batchSize..<(steps + 1) * batchSize) }
    /// The initial state's dh [B, H] after backward.
    var initialDH: Matrix { dhNext.rows(0..<batchSize) }
}
