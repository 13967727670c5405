/// A `LanguageModel`'s weights packed for step-by-step inference (`PackedWeights`), in the model's
/// `WeightPrecision`, with the `MatVecKernel` that reads them. Made once per model, on its first step, and only
/// read afterwards, so one copy serves every stream on every thread.
///
/// A step of m streams (1, or the few a completion search advances together), for layer k with input x^k and
/// state h^k, c^k of each stream:
///
///     a^k = b_ih^k + b_hh^k + W_ih^k x^k + W_hh^k h^k      [4H]   two products into one gate buffer
///     h^k, c^k = cell(a^k, c^k)                                   (`LSTMLayer.step`)
///     z = b_dec + W_dec h^{L-1}                            [V]
///
/// Layer 0's first two terms depend on the token alone; when the table of them for every token, P [V, 4H], is at
/// most twice the size of W_ih^0 (V <= 2E), the step reads one row of P instead of W_ih^0 (as training's
/// `TokenTable` does). The products are separate rather than one over [W_ih | W_hh] so that each matrix keeps the
/// int8 scales its file stores; the second pass over a^k reads 4H floats from L1, nothing beside the weights.
final class InferenceWeights: @unchecked Sendable {
    /// One LSTM layer's packed weights.
    struct Layer {
        /// W_ih [4H, In]; nil for layer 0 when it reads the token table.
        let input: PackedWeights?
        /// W_hh [4H, H].
        let recurrent: PackedWeights
        /// [4H] b_ih + b_hh.
        let bias: FloatBuffer
    }

    /// P [V, 4H]: row v = W_ih^0 embedding[v] + b_ih^0 + b_hh^0, in fp32 from the model's (reduced) parameters.
    let tokenTable: FloatBuffer?
    let layers: [Layer]
    /// W_dec [V, H].
    let decoder: PackedWeights

    /// `model`'s weights as they are now, stored in `precision` and read with `kernel`.
    init(model: LanguageModel, precision: WeightPrecision, kernel: MatVecKernel) {
        let config = model.config
        let (v, e, h4) = (config.vocabularySize, config.embeddingSize, 4 * config.hiddenSize)
        if v <= 2 * e {
            let table = FloatBuffer(count: v * h4)
            let first = model.layers[0]
            TokenTable(table.matrix(rows: v, cols: h4))
                .forward(embedding: model.embedding, weightIH: first.weightIH, biasIH: first.biasIH, biasHH: first.biasHH,
                         products: MatrixProducts(precision: .fp32))
            tokenTable = table
        } else {
            tokenTable = nil
        }
        layers = model.layers.enumerated().map { k, layer in
            let bias = FloatBuffer(count: h4)
            fillBias(bias.matrix(rows: 1, cols: h4), biasIH: layer.biasIH, biasHH: layer.biasHH)
            let readsTable = k == 0 && v <= 2 * e
            return Layer(input: readsTable ? nil : PackedWeights(layer.weightIH, precision: precision, kernel: kernel),
                         recurrent: PackedWeights(layer.weightHH, precision: precision, kernel: kernel), bias: bias)
        }
        decoder = PackedWeights(model.decoderWeight, precision: precision, kernel: kernel)
    }

    /// The weight bytes one step reads: every packed matrix, and a row of the token table when there is one. Divided
    /// by how fast a core reads that many bytes, it is the floor of a step's time.
    var bytesPerStep: Int {
        layers.reduce(decoder.byteCount) { $0 + ($1.input?.byteCount ?? 0) + $1.recurrent.byteCount }
            + (tokenTable == nil ? 0 : layers[0].bias.count * 4)
    }

    /// Advances m streams by one token each, in place. Stream r's state is at rows r of the arguments below, each
    /// holding [L, H] (its layers' h or c, layer by layer) `stateStride` floats apart.
    ///
    ///     tokens [m], in range; h, c [m, stateStride]: updated
    ///     gates [m, 4H], input [m, E]: scratch;  logits [m, V]: overwritten with the next token's logits
    func advance(
        model: LanguageModel, rows m: Int, tokens: UnsafePointer<Int32>, h: UnsafeMutablePointer<Float>,
        c: UnsafeMutablePointer<Float>, stateStride: Int, gates: UnsafeMutablePointer<Float>,
        input: UnsafeMutablePointer<Float>, logits: UnsafeMutablePointer<Float>
    ) {
        let config = model.config
        let (hidden, e, v, h4) = (config.hiddenSize, config.embeddingSize, config.vocabularySize, 4 * config.hiddenSize)
        for (k, layer) in layers.enumerated() {
            if k == 0, let tokenTable {
                for r in 0..<m { (gates + r * h4).update(from: tokenTable.base + Int(tokens[r]) * h4, count: h4) }
            } else {
                for r in 0..<m { (gates + r * h4).update(from: layer.bias.base, count: h4) }
            }
            if k == 0 {
                if let embedded = layer.input {
                    for r in 0..<m { (input + r * e).update(from: model.embedding.row(Int(tokens[r])), count: e) }
                    embedded.multiplyAdd(rows: m, input, ldx: e, into: gates, ldy: h4)
                }
            } else {
                layer.input!.multiplyAdd(rows: m, h + (k - 1) * hidden, ldx: stateStride, into: gates, ldy: h4)
            }
            layer.recurrent.multiplyAdd(rows: m, h + k * hidden, ldx: stateStride, into: gates, ldy: h4)
            for r in 0..<m {
                model.layers[k].step(gates: gates + r * h4, c: c + r * stateStride + k * hidden, h: h + r * stateStride + k * hidden)
            }
        }
        decode(model: model, rows: m, top: h + (config.layers - 1) * hidden, stride: stateStride, logits: logits, ldLogits: v)
    }

    /// logits [m, V] (rows `ldLogits` apart) = b_dec + W_dec h for the top layer's h of m streams (`stride` apart).
    func decode(model: LanguageModel, rows m: Int, top: UnsafePointer<Float>, stride: Int, logits: UnsafeMutablePointer<Float>, ldLogits: Int) {
        let v = model.config.vocabularySize
        for r in 0..<m { (logits + r * ldLogits).update(from: model.decoderBias, count: v) }
        decoder.multiplyAdd(rows: m, top, ldx: stride, into: logits, ldy: ldLogits)
    }
}
