import Testing
@testable import CharModel

/// Batch-1 and batched inference steps on every kernel this machine runs (`InferenceWeights`), against the
/// Float64 reference model. fp32: every logit and state value within 1e-5 (relative to the value, absolute below 1).
/// bf16 and int8: the same 1e-5 against the reference run on the reduced weights w' (the function they compute);
/// their distance from the fp32 model is the export's measured loss increase, not a kernel property.
@Suite("Inference steps")
struct InferenceStepTests {
    /// V <= 2E reads layer 0 from the token table; V > 2E reads the embedding through W_ih.
    static let configs = [
        ModelConfig(vocabularySize: 11, embeddingSize: 6, hiddenSize: 9, layers: 1),
        ModelConfig(vocabularySize: 11, embeddingSize: 5, hiddenSize: 9, layers: 2),
        ModelConfig(vocabularySize: 7, embeddingSize: 5, hiddenSize: 20, layers: 3),
        ModelConfig(vocabularySize: 40, embeddingSize: 6, hiddenSize: 17, layers: 2),
    ]
    static let tokens: [Int32] = [1, 4, 0, 6, 3, 3, 2, 5, 1]

    /// A model of `config` with random weights, reduced to `precision`.
    static func model(_ config: ModelConfig, precision: WeightPrecision) throws -> LanguageModel {
        let fp32 = try LanguageModel(config: config, seed: 5)
        return try LanguageModel(config: config, parameters: precision.reducedParameters(fp32.parameters.array, layout: fp32.layout),
                                 precision: precision)
    }

    static func close(_ x: Float, _ y: Double) -> Bool { abs(Double(x) - y) <= 1e-5 * max(1, abs(y)) }

    @Test("a step's logits and state match the Float64 reference on every kernel and precision",
          arguments: MatVecKernel.runnable, WeightPrecision.allCases)
    func stepMatchesReference(kernel: MatVecKernel, precision: WeightPrecision) throws {
        for config in Self.configs {
            let model = try Self.model(config, precision: precision)
            let weights = InferenceWeights(model: model, precision: precision, kernel: kernel)
            #expect((weights.tokenTable != nil) == (config.vocabularySize <= 2 * config.embeddingSize))
            let (l, h) = (config.layers, config.hiddenSize)
            let reference = ReferenceModel(v: config.vocabularySize, e: config.embeddingSize, h: h, layers: l, flat: model.parameters.array)
            let zero = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: h), count: 1), count: l)
            let expected = reference.forward(inputs: [Self.tokens.map(Int.init)], targets: [Self.tokens.map { Int($0) }], h0: zero, c0: zero, masks: nil)
            let state = model.makeInferenceState()
            for (t, token) in Self.tokens.enumerated() {
                try model.step(token: token, state: state, weights: weights)
                for (x, y) in zip(state.logits, expected.logits[0][t]) { #expect(Self.close(x, y), "\(kernel) \(precision) \(config) step \(t)") }
            }
            for k in 0..<l {
                for j in 0..<h {
                    #expect(Self.close(state.hidden[k * h + j], expected.finalH[k][0][j]))
                    #expect(Self.close(state.cell[k * h + j], expected.finalC[k][0][j]))
                }
            }
        }
    }

    @Test("a batched step gives each stream exactly its single-stream step (with a decoder change), past the batch's capacity and a tile of 4",
          arguments: MatVecKernel.runnable, WeightPrecision.allCases)
    func batchedEqualsSingle(kernel: MatVecKernel, precision: WeightPrecision) throws {
        for config in Self.configs {
            let model = try Self.model(config, precision: precision)
            let weights = InferenceWeights(model: model, precision: precision, kernel: kernel)
            // Streams in different states: stream i has read the first i tokens.
            let streams = 7
            let single = (0..<streams).map { _ in model.makeInferenceState() }
            for (i, state) in single.enumerated() {
                for token in Self.tokens.prefix(i) { try model.step(token: token, state: state, weights: weights) }
            }
            let batched = single.map { state in
                let copy = model.makeInferenceState()
                copy.copy(from: state)
                return copy
            }
            // A user's decoder change applies to every stream of the batch.
            let delta = DecoderDelta(config: config, capacity: 1)
            for i in 0..<delta.values.count { delta.values.base[i] = Float(i % 7) * 0.01 - 0.03 }
            let next = (0..<streams).map { Int32($0 % config.vocabularySize) }
            for (state, token) in zip(single, next) {
                try model.step(token: token, state: state, weights: weights)
                delta.add(rows: 1, hidden: state.h.row(config.layers - 1), stride: state.h.count, to: state.logitValues,
                          ldLogits: config.vocabularySize)
            }
            try model.step(tokens: next, states: batched, batch: model.makeInferenceBatch(capacity: 5), delta: delta, weights: weights)
            for (a, b) in zip(single, batched) {
                #expect(Array(a.logits) == Array(b.logits), "\(kernel) \(precision) \(config)")
                #expect(Array(a.hidden) == Array(b.hidden) && Array(a.cell) == Array(b.cell))
            }
        }
    }

    @Test("the batched step refuses mismatched counts, tokens and states of another model")
    func batchedStepErrors() throws {
        let model = try LanguageModel(config: Self.configs[0], seed: 1)
        let other = try LanguageModel(config: Self.configs[1], seed: 1)
        let batch = model.makeInferenceBatch(capacity: 2)
        #expect(throws: ModelError.shapeMismatch("1 tokens for 2 inference states")) {
            try model.step(tokens: [1], states: [model.makeInferenceState(), model.makeInferenceState()], batch: batch, delta: nil)
        }
        #expect(throws: ModelError.tokenOutOfRange(id: 11, vocabularySize: 11)) {
            try model.step(tokens: [11], states: [model.makeInferenceState()], batch: batch, delta: nil)
        }
        #expect(throws: ModelError.shapeMismatch("inference state or batch belongs to another model configuration")) {
            try model.step(tokens: [1], states: [other.makeInferenceState()], batch: batch, delta: nil)
        }
    }

    @Test("the weights a step reads: the packed matrices in their precision and a table row")
    func bytesPerStep() throws {
        // V = 7 <= 2E: layer 0 reads a table row of 4H floats instead of W_ih; 3 panels of 16 cover 4H = 40.
        let config = ModelConfig(vocabularySize: 7, embeddingSize: 5, hiddenSize: 10, layers: 2)
        for precision in WeightPrecision.allCases {
            let model = try Self.model(config, precision: precision)
            let scales = precision == .int8 ? 4 : 0
            let layer0 = 48 * 10 * precision.byteWidth + scales * 40
            let layer1 = 2 * (48 * 10 * precision.byteWidth + scales * 40)
            let decoder = 16 * 10 * precision.byteWidth + scales * 7
            #expect(model.inferenceBytesPerStep == layer0 + layer1 + decoder + 40 * 4, "\(precision)")
        }
    }
}
