/// Forward and backward of the whole network over one window (B streams x S steps), with the loss.
///
/// Forward:   tokens [B, S] -> embedded [S*B, E] -> layer 0 ... layer L-1 (dropout masks between; with weight drop,
///            each on its W_hh ⊙ its mask) -> top [S*B, H]
///            (⊙ the output mask, with output dropout) -> logits [S*B, V] = top decoder.weight^T + decoder.bias
///            -> mean cross-entropy against targets.
/// Backward:  dlogits [S*B, V] -> d decoder.weight += dlogits^T top (after its mask), d decoder.bias += Σ dlogits,
///            dtop = dlogits decoder.weight (⊙ the output mask) -> each layer's backward, top down, with dx ⊙ mask
///            handed to the layer below -> d embedding.weight[token] += dx of layer 0.
/// Every product is one sgemm over the window, in the workspace's precision (`MatrixProducts`); only the recurrent
/// products run per step (in `LSTMLayer`).
/// When 2V <= S*B (`SequenceWorkspace.projectsTokens`), embedding and layer 0's input projection are one
/// `TokenTable` instead: forward computes P [V, 4H] and layer 0's cells read row P[token] as their projection
/// (`LSTMLayer.LayerInput.tableRows`); backward hands layer 0's da to the table, which adds d W_ih and
/// d embedding.weight. The same numbers with a quarter fewer flops at L = 2, E = H.

extension LanguageModel {
    /// Runs the window `inputs` [B, S] (stream-major: stream b's tokens at b*S ..< (b+1)*S) from `state`, which it
    /// replaces by the state after the window. With `targets` (same layout) it returns the mean cross-entropy loss
    /// in nats per token and prepares `backward`; without, it returns 0 and only fills `workspace.logits`. With
    /// `dropout`, the masks multiply each layer's output before the layer above (or the decoder) reads it (training).
    @discardableResult
    public func forward(
        inputs: [Int32], targets: [Int32]?, state: inout LSTMState, workspace ws: SequenceWorkspace, dropout: DropoutMasks? = nil
    ) throws(ModelError) -> Float {
        let (batch, steps) = (ws.batchSize, ws.steps)
        let n = batch * steps
        guard ws.config == config else { throw .shapeMismatch("workspace was made for another model configuration") }
        try checkWindow(inputs: inputs, targets: targets, state: state, dropout: dropout, batch: batch, steps: steps)
        try toTimeMajor(inputs, into: &ws.inputs, batch: batch, steps: steps)
        ws.hasTargets = targets != nil
        if let targets { try toTimeMajor(targets, into: &ws.targets, batch: batch, steps: steps) }

        if !ws.projectsTokens {
            for r in 0..<n { ws.embedded.row(r).update(from: embedding.row(Int(ws.inputs[r])), count: config.embeddingSize) }
        }

        ws.dropout = dropout

        var x = ws.embedded
        let perLayer = state.layerCount
        for (k, layer) in layers.enumerated() {
            let (cache, weightMask) = (ws.caches[k], ws.dropout?.mask(onRecurrentWeightsOf: k))
            state.h.withUnsafeBufferPointer { cache.h.base.update(from: $0.baseAddress! + k * perLayer, count: perLayer) }
            state.c.withUnsafeBufferPointer { cache.c.base.update(from: $0.baseAddress! + k * perLayer, count: perLayer) }
            if k == 0 && ws.projectsTokens {
                ws.tokenTable.forward(embedding: embedding, weightIH: layer.weightIH, biasIH: layer.biasIH, biasHH: layer.biasHH,
                                        products: ws.products)
                ws.inputs.withUnsafeBufferPointer {
                    layer.forward(.tableRows(ws.tokenTable.projections, indices: $0.baseAddress!), cache: cache, weightDrop: weightMask)
                }
            } else {
                layer.forward(.dense(x), cache: cache, weightDrop: weightMask)
            }
            state.h.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: k * perLayer).update(from: cache.finalH.base, count: perLayer) }
            state.c.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: k * perLayer).update(from: cache.finalC.base, count: perLayer) }
            x = cache.output
            if let mask = ws.dropout?.mask(afterLayer: k) {
                Matrix.multiply(x, mask, into: ws.dropped[k])
                x = ws.dropped[k]
            }
        }

        for r in 0..<n { ws.logits.row(r).update(from: decoderBias, count: config.vocabularySize) }
        ws.products.gemm(x, decoderWeight, transposeB: true, into: ws.logits, beta: 1)
        guard ws.hasTargets else { return 0 }
        return ws.targets.withUnsafeBufferPointer {
            SoftmaxCrossEntropy.forward(logits: ws.logits, targets: $0.baseAddress!, lse: ws.logSumExp)
        }
    }

    /// Backpropagates the loss of the last `forward` (which had targets) through the window, adding every
    /// parameter's gradient to `gradients` and leaving the initial state's in `workspace.initialStateGradient`.
    /// Overwrites the workspace's logits with their gradient.
    public func backward(workspace ws: SequenceWorkspace) throws(ModelError) {
        guard ws.hasTargets else { throw .shapeMismatch("backward needs a forward with targets first") }
        let n = ws.batchSize * ws.steps
        let (e, h) = (config.embeddingSize, config.hiddenSize)
        ws.targets.withUnsafeBufferPointer {
            SoftmaxCrossEntropy.backward(logits: ws.logits, targets: $0.baseAddress!, lse: ws.logSumExp)
        }
        let top = topInput(ws, layer: layers.count)
        ws.products.gemm(ws.logits, transposeA: true, top, into: dDecoderWeight, beta: 1)
        ws.logits.addColumnSums(into: dDecoderBias)

        var (above, below) = ws.gradientBuffers
        var dh = above.matrix(rows: n, cols: h)
        ws.products.gemm(ws.logits, decoderWeight, into: dh)
        if let mask = ws.dropout?.mask(afterLayer: layers.count - 1) { Matrix.multiply(dh, mask, into: dh) }
        for k in stride(from: layers.count - 1, through: 1, by: -1) {
            let dx = below.matrix(rows: n, cols: h)
            layers[k].backward(.dense(topInput(ws, layer: k)), dh: dh, cache: ws.caches[k],
                               weightDrop: ws.dropout?.mask(onRecurrentWeightsOf: k), dx: dx)
            ws.setInitialStateGradient(layer: k, dh: ws.caches[k].initialDH, dc: ws.caches[k].dcNext)
            if let mask = ws.dropout?.mask(afterLayer: k - 1) { Matrix.multiply(dx, mask, into: dx) }
            dh = dx
            swap(&above, &below)
        }
        if ws.projectsTokens {
            let (layer, cache) = (layers[0], ws.caches[0])
            ws.inputs.withUnsafeBufferPointer {
                let tokens = $0.baseAddress!
                layer.backward(.tableRows(ws.tokenTable.projections, indices: tokens), dh: dh, cache: cache,
                               weightDrop: ws.dropout?.mask(onRecurrentWeightsOf: 0), dx: nil)
                ws.tokenTable.backward(da: cache.da, tokens: tokens, embedding: embedding, weightIH: layer.weightIH,
                                       dWeightIH: layer.dWeightIH, dEmbedding: dEmbedding, products: ws.products)
            }
        } else {
            let dEmbedded = below.matrix(rows: n, cols: e)  // [S*B, E]: the gathered embeddings' gradient
            layers[0].backward(.dense(ws.embedded), dh: dh, cache: ws.caches[0], weightDrop: ws.dropout?.mask(onRecurrentWeightsOf: 0),
                               dx: dEmbedded)
            ws.inputs.withUnsafeBufferPointer { dEmbedding.addRows(of: dEmbedded, at: $0.baseAddress!) }
        }
        ws.setInitialStateGradient(layer: 0, dh: ws.caches[0].initialDH, dc: ws.caches[0].dcNext)
    }

    /// The input of layer `k` >= 1 in the last forward (layer L meaning the decoder): a layer's output, or its
    /// output after dropout.
    private func topInput(_ ws: SequenceWorkspace, layer k: Int) -> Matrix {
        return ws.dropout?.mask(afterLayer: k - 1) == nil ? ws.caches[k - 1].output : ws.dropped[k - 1]
    }

    /// Checks that a window's inputs, targets, state and dropout masks fit windows of `batch` x `steps` of this model.
    func checkWindow(
        inputs: [Int32], targets: [Int32]?, state: LSTMState, dropout: DropoutMasks?, batch: Int, steps: Int
    ) throws(ModelError) {
        let n = batch * steps
        guard inputs.count == n else { throw .shapeMismatch("expected \(batch)x\(steps) = \(n) input tokens, got \(inputs.count)") }
        if let targets, targets.count != n { throw .shapeMismatch("expected \(n) target tokens, got \(targets.count)") }
        guard state.layers == config.layers && state.batchSize == batch && state.hiddenSize == config.hiddenSize else {
            throw .shapeMismatch("state is [\(state.layers), \(state.batchSize), \(state.hiddenSize)], expected [\(config.layers), \(batch), \(config.hiddenSize)]")
        }
        let boundaries = DropoutMasks.probabilities(config).count
        if let dropout, dropout.batchSize != batch || dropout.steps != steps || dropout.boundaries.count != boundaries {
            throw .shapeMismatch("dropout masks are for \(dropout.batchSize)x\(dropout.steps) windows and \(dropout.boundaries.count) boundaries, expected \(batch)x\(steps) and \(boundaries)")
        }
        let weightMasks = DropoutMasks.recurrentWeightMasks(config)
        if let dropout, dropout.recurrentWeights.count != weightMasks
            || dropout.recurrentWeights.contains(where: { $0.rows != 4 * config.hiddenSize || $0.cols != config.hiddenSize }) {
            throw .shapeMismatch("dropout masks have \(dropout.recurrentWeights.count) weight-drop masks, expected \(weightMasks) of [\(4 * config.hiddenSize), \(config.hiddenSize)]")
        }
    }

    private func toTimeMajor(_ tokens: [Int32], into out: inout [Int32], batch: Int, steps: Int) throws(ModelError) {
        let v = config.vocabularySize
        for b in 0..<batch {
            for t in 0..<steps {
                let id = tokens[b * steps + t]
                guard id >= 0 && Int(id) < v else { throw .tokenOutOfRange(id: id, vocabularySize: v) }
                out[t * batch + b] = id
            }
        }
    }
}
