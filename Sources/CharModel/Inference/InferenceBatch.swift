/// Scratch for stepping several streams together (`LanguageModel.step(tokens:states:batch:delta:)`): up to
/// `capacity` streams' states side by side, so that one product per weight matrix advances them all and each
/// weight is read once for the batch instead of once per stream. Made once, reused for every batch.
///
/// Memory: capacity * (2 L H + 4H + E + V) floats.
public final class InferenceBatch {
    /// The configuration of the model it belongs to.
    public let config: ModelConfig
    /// The most streams one product advances.
    public let capacity: Int
    private let storage: FloatBuffer
    /// [capacity, L*H]: stream r's h, layer by layer, in row r.
    let h: Matrix
    /// [capacity, L*H]: the same for c.
    let c: Matrix
    /// [capacity, 4H] scratch.
    let gates: Matrix
    /// [capacity, E] scratch.
    let input: Matrix
    /// [capacity, V]
    let logits: Matrix
    /// [capacity] the tokens being fed.
    var tokens: [Int32]

    /// Scratch for batches of up to `capacity` streams (at least 1) of a model with `config`.
    public init(config: ModelConfig, capacity: Int) {
        self.config = config
        self.capacity = max(capacity, 1)
        let (lh, h4, e, v) = (config.layers * config.hiddenSize, 4 * config.hiddenSize, config.embeddingSize, config.vocabularySize)
        var carver = BufferCarver(count: self.capacity * (2 * lh + h4 + e + v))
        h = carver.take(self.capacity, lh)
        c = carver.take(self.capacity, lh)
        gates = carver.take(self.capacity, h4)
        input = carver.take(self.capacity, e)
        logits = carver.take(self.capacity, v)
        storage = carver.buffer
        tokens = Array(repeating: 0, count: self.capacity)
    }
}

extension LanguageModel {
    /// Scratch for stepping up to `capacity` streams of this model together.
    public func makeInferenceBatch(capacity: Int) -> InferenceBatch { InferenceBatch(config: config, capacity: capacity) }

    /// Feeds `tokens[r]` to `states[r]` for every r, as `step(token:state:delta:)` does for each, with one product
    /// per weight matrix for up to `batch.capacity` streams at a time. The results are those of the single-stream
    /// steps, bit for bit: each output sums its products in the same order whatever the number of rows.
    public func step(tokens: [Int32], states: [InferenceState], batch: InferenceBatch, delta: DecoderDelta?) throws(ModelError) {
        try step(tokens: tokens, states: states, batch: batch, delta: delta, weights: inferenceWeights)
    }

    /// The batched step with the weights packed for a given kernel: the tests run every kernel this way.
    func step(tokens: [Int32], states: [InferenceState], batch: InferenceBatch, delta: DecoderDelta?,
              weights: InferenceWeights) throws(ModelError) {
        guard tokens.count == states.count else {
            throw .shapeMismatch("\(tokens.count) tokens for \(states.count) inference states")
        }
        guard batch.config == config, states.allSatisfy({ $0.config == config }) else {
            throw .shapeMismatch("inference state or batch belongs to another model configuration")
        }
        if let delta, delta.config != config { throw .shapeMismatch("decoder delta belongs to another model configuration") }
        for token in tokens { try checkToken(token) }
        let (lh, v) = (config.layers * config.hiddenSize, config.vocabularySize)
        for first in stride(from: 0, to: states.count, by: batch.capacity) {
            let part = first..<min(first + batch.capacity, states.count)
            for (r, index) in part.enumerated() {
                batch.tokens[r] = tokens[index]
                batch.h.row(r).update(from: states[index].h.base, count: lh)
                batch.c.row(r).update(from: states[index].c.base, count: lh)
            }
            batch.tokens.withUnsafeBufferPointer { ids in
                weights.advance(model: self, rows: part.count, tokens: ids.baseAddress!, h: batch.h.base, c: batch.c.base,
                                stateStride: lh, gates: batch.gates.base, input: batch.input.base, logits: batch.logits.base)
            }
            delta?.add(rows: part.count, hidden: batch.h.base + (config.layers - 1) * config.hiddenSize, stride: lh,
                       to: batch.logits.base, ldLogits: v)
            for (r, index) in part.enumerated() {
                let state = states[index]
                state.h.base.update(from: batch.h.row(r), count: lh)
                state.c.base.update(from: batch.c.row(r), count: lh)
                state.logitValues.update(from: batch.logits.row(r), count: v)
            }
        }
    }
}
