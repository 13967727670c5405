import CKernels

/// A change to the decoder that belongs to one user, kept apart from the shared, read-only model: the logits of
/// a step become
///
///     z = (W_dec + ΔW) h_L + (b_dec + Δb)
///
/// where h_L [H] is the top layer's hidden state. `learn` takes one gradient step of the cross-entropy on recent
/// positions with respect to ΔW [V, H] and Δb [V] alone, which is dynamic evaluation restricted to the decoder.
///
/// Memory: (V H + V) floats, plus V + `capacity` floats of scratch.
public final class DecoderDelta {
    /// The model configuration it fits.
    public let config: ModelConfig
    /// [V*H + V]: ΔW row by row, then Δb.
    public let values: FloatBuffer
    /// [V, H]
    let weight: Matrix
    /// [V]
    let bias: UnsafeMutablePointer<Float>
    /// The most positions one `learn` call takes.
    public let capacity: Int
    /// [capacity] scratch: each position's log-sum-exp.
    private let lse: FloatBuffer
    /// [V] scratch: Σ_t dz_t.
    private let biasGradient: FloatBuffer

    /// A zero change (the shared model unchanged) that can learn from up to `capacity` positions at a time.
    public init(config: ModelConfig, capacity: Int) {
        self.config = config
        let (v, hidden) = (config.vocabularySize, config.hiddenSize)
        values = FloatBuffer(count: v * hidden + v)
        weight = Matrix(values.base, rows: v, cols: hidden)
        bias = values.base + v * hidden
        self.capacity = capacity
        lse = FloatBuffer(count: capacity)
        biasGradient = FloatBuffer(count: v)
    }

    /// Adds ΔW h + Δb to the logits of m streams, for their top layer's hidden states: row r of `hidden` [m, H]
    /// (rows `stride` apart) and of `logits` [m, V] (rows `ldLogits` apart). ΔW changes after every `learn`, so it is
    /// read as it is, row by row (`charnn_rows_matmul`), not packed.
    func add(rows m: Int, hidden: UnsafePointer<Float>, stride: Int, to logits: UnsafeMutablePointer<Float>, ldLogits: Int) {
        let (v, h) = (config.vocabularySize, config.hiddenSize)
        for r in 0..<m {
            for j in 0..<v { logits[r * ldLogits + j] += bias[j] }
        }
        charnn_rows_matmul(Int32(m), Int32(v), Int32(h), hidden, Int32(stride), weight.base, Int32(h), logits, Int32(ldLogits))
    }

    /// One step of gradient descent on the mean cross-entropy of the positions in `logits`; returns that loss.
    ///
    ///     dz_t = (softmax(z_t) - onehot(y_t)) / n       ΔW -= rate Σ_t dz_t h_tᵀ       Δb -= rate Σ_t dz_t
    ///
    /// after shrinking the change by `decay` (ΔW, Δb *= 1 - decay), which keeps it near the shared model.
    /// hidden: [n, H] the top layer's state before each position; logits: [n, V] the logits it gave (with this
    /// change applied), replaced by dz; targets: [n] the grapheme that followed.
    @discardableResult
    public func learn(hidden: Matrix, logits: Matrix, targets: UnsafePointer<Int32>, rate: Float, decay: Float) -> Float {
        let (v, n) = (config.vocabularySize, logits.rows)
        precondition(hidden.rows == n && hidden.cols == config.hiddenSize && logits.cols == v && n <= capacity,
                     "DecoderDelta.learn shapes: hidden [\(hidden.rows), \(hidden.cols)], logits [\(n), \(logits.cols)], capacity \(capacity)")
        guard n > 0 else { return 0 }
        let loss = SoftmaxCrossEntropy.forward(logits: logits, targets: targets, lse: lse.base)
        SoftmaxCrossEntropy.backward(logits: logits, targets: targets, lse: lse.base)
        let keep = 1 - decay
        // ΔW = keep ΔW - rate dzᵀ H: [V, n] x [n, H].
        Matrix.gemm(logits, transposeA: true, hidden, into: weight, alpha: -rate, beta: keep)
        for j in 0..<v { bias[j] *= keep }
        logits.addColumnSums(into: biasGradient.base)
        for j in 0..<v {
            bias[j] -= rate * biasGradient.base[j]
            biasGradient.base[j] = 0
        }
        return loss
    }
}

extension LanguageModel {
    /// `step(token:state:)` with `delta` added to the decoder.
    public func step(token: Int32, state: InferenceState, delta: DecoderDelta?) throws(ModelError) {
        try step(token: token, state: state)
        if let delta { try addDelta(delta, to: state) }
    }

    /// Recomputes `state.logits` from its top hidden state, with `delta` added: after the delta has learned, the
    /// logits of a state stepped before are stale.
    public func refreshLogits(of state: InferenceState, delta: DecoderDelta?) throws(ModelError) {
        guard state.config == config else { throw .shapeMismatch("inference state belongs to another model configuration") }
        inferenceWeights.decode(model: self, rows: 1, top: state.h.row(config.layers - 1), stride: state.h.count,
                                logits: state.logitValues, ldLogits: config.vocabularySize)
        if let delta { try addDelta(delta, to: state) }
    }

    private func addDelta(_ delta: DecoderDelta, to state: InferenceState) throws(ModelError) {
        guard delta.config == config else { throw .shapeMismatch("decoder delta belongs to another model configuration") }
        delta.add(rows: 1, hidden: state.h.row(config.layers - 1), stride: state.h.count, to: state.logitValues,
                  ldLogits: config.vocabularySize)
    }
}
