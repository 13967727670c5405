/// The state of one stream for step-by-step inference (batch 1): h and c of every layer, the last logits, and the
/// scratch a step needs. Made once per stream; `LanguageModel.step` updates it in place without allocating.
/// Copying one state into another (`copy(from:)`) is how a predictor keeps earlier states to undo a keystroke.
public final class InferenceState {
    /// The configuration of the model it belongs to.
    public let config: ModelConfig
    let storage: FloatBuffer
    /// [L, H]
    let h: Matrix
    /// [L, H]
    let c: Matrix
    /// [4H] scratch for one layer's gates.
    let gates: UnsafeMutablePointer<Float>
    /// [E] scratch for layer 0's input, when it does not read the token table (`InferenceWeights`).
    let input: UnsafeMutablePointer<Float>
    /// [V] the logits after the last step.
    let logitValues: UnsafeMutablePointer<Float>

    /// The zero state for a model with `config`, with zero logits.
    public init(config: ModelConfig) {
        self.config = config
        let (l, hidden, v) = (config.layers, config.hiddenSize, config.vocabularySize)
        var carver = BufferCarver(count: 2 * l * hidden + 4 * hidden + config.embeddingSize + v)
        h = carver.take(l, hidden)
        c = carver.take(l, hidden)
        gates = carver.take(1, 4 * hidden).base
        input = carver.take(1, config.embeddingSize).base
        logitValues = carver.take(1, v).base
        storage = carver.buffer
    }

    /// The logits [V] after the last step: unnormalised log-probabilities of the next token.
    public var logits: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: logitValues, count: config.vocabularySize) }

    /// The hidden state [L*H], layer by layer.
    public var hidden: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: h.base, count: h.count) }

    /// The cell state [L*H], layer by layer.
    public var cell: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: c.base, count: c.count) }

    /// Back to the zero state, as before any input.
    public func reset() { storage.zero() }

    /// Becomes an exact copy of `other`, a state of a model with the same configuration.
    public func copy(from other: InferenceState) {
        precondition(other.config == config, "InferenceState copy between different model configurations")
        storage.copy(from: other.storage)
    }
}

extension LanguageModel {
    /// A fresh zero state for step-by-step inference with this model.
    public func makeInferenceState() -> InferenceState { InferenceState(config: config) }

    /// Feeds one token to a stream: updates its h and c in place and leaves the next token's logits in
    /// `state.logits`. No allocation; the same arithmetic as `forward` with batch 1 and no dropout, on the packed
    /// weights (`InferenceWeights`, made on the model's first step from its parameters as they are then).
    public func step(token: Int32, state: InferenceState) throws(ModelError) {
        try step(token: token, state: state, weights: inferenceWeights)
    }

    /// `step(token:state:)` with the weights packed for a given kernel: the tests run every kernel this way.
    func step(token: Int32, state: InferenceState, weights: InferenceWeights) throws(ModelError) {
        guard state.config == config else { throw .shapeMismatch("inference state belongs to another model configuration") }
        try checkToken(token)
        withUnsafePointer(to: token) { token in
            weights.advance(model: self, rows: 1, tokens: token, h: state.h.base, c: state.c.base, stateStride: state.h.count,
                            gates: state.gates, input: state.input, logits: state.logitValues)
        }
    }

    /// Throws unless `token` is an id of this model's vocabulary.
    func checkToken(_ token: Int32) throws(ModelError) {
        guard token >= 0 && Int(token) < config.vocabularySize else {
            throw .tokenOutOfRange(id: token, vocabularySize: config.vocabularySize)
        }
    }
}
