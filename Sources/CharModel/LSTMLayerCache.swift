/// What one LSTM layer's forward keeps for its backward, and the backward's carries: allocated once per (B, S, H).
///
/// The h and c blocks hold S+1 steps, block 0 being the initial state, so that h_prev for every step is one
/// contiguous [S*B, H] matrix and dW_hh is a single sgemm.
final class LSTMLayerCache {
    let batchSize: Int
    let steps: Int
    private let storage: FloatBuffer
    /// [S*B, 4H]: activated gates i, f, g, o after forward; da after backward.
    let gates: Matrix
    /// [(S+1)*B, H]: h_{-1}, h_0, ..., h_{S-1}.
    let h: Matrix
    /// [(S+1)*B, H]: c_{-1}, c_0, ..., c_{S-1}.
    let c: Matrix
    /// [S*B, H]: tanh(c_t).
    let tanhC: Matrix
    /// [B, H]: the recurrent gradient carried backward; the initial state's dh after backward.
    let dhNext: Matrix
    /// [B, H]: the cell gradient carried backward; the initial state's dc after backward.
    let dcNext: Matrix

    init(batchSize: Int, steps: Int, hiddenSize: Int) {
        self.batchSize = batchSize
        self.steps = steps
        let n = steps * batchSize
        let sizes = [n * 4 * hiddenSize, (n + batchSize) * hiddenSize, (n + batchSize) * hiddenSize,
                     n * hiddenSize, batchSize * hiddenSize, batchSize * hiddenSize]
        var carver = BufferCarver(count: sizes.reduce(0, +))
        gates = carver.take(n, 4 * hiddenSize)
        h = carver.take(n + batchSize, hiddenSize)
        c = carver.take(n + batchSize, hiddenSize)
        tanhC = carver.take(n, hiddenSize)
        dhNext = carver.take(batchSize, hiddenSize)
        dcNext = carver.take(batchSize, hiddenSize)
        storage = carver.buffer
    }

    /// h_{S-1} [B, H], the state carried to the next window.
    var finalH: Matrix { h.rows(steps * batchSize..<(steps + 1) * batchSize) }
    /// c_{S-1} [B, H].
    var finalC: Matrix { c.rows(steps * batchSize..<(steps + 1) * batchSize) }
    /// h_0 ... h_{S-1} [S*B, H], the layer's output.
    var output: Matrix { h.rows(batchSize..<(steps + 1) * batchSize) }
}
