/// Layer 0's input projections for the whole vocabulary: the embedding lookup fused with layer 0's x W_ih^T + b, a
/// layer with its own forward and backward like llm.c's encoder_forward/encoder_backward (which are the lookup alone).
///
/// Layer 0's projection of row r is x_r W_ih^T + b_ih + b_hh with x_r = embedding.weight[token_r], so it is row
/// token_r of one table P [V, 4H]: V rows of work instead of S*B. The workspace takes this path when 2V <= S*B
/// (`SequenceWorkspace.projectsTokens`); otherwise layer 0 reads gathered embeddings like any dense input.
///
///     forward:   P = embedding.weight W_ih^T + b_ih + b_hh                 [V, 4H]
///                (layer 0's cell reads row P[token_r] for row r: `LSTMLayer.LayerInput.tableRows`)
///     backward:  G[v] = Σ_{r: token_r = v} da_r                            [V, 4H]
///                dW_ih += G^T embedding.weight                             [4H, E]
///                d embedding.weight += G W_ih                              [V, E]
///
/// The biases' gradient stays with the layer, which sums da's rows for both paths (Σ_r da_r = Σ_v G[v]).
/// One [V, 4H] buffer holds P from `forward` until `backward` starts, then G: read it as `projections` or
/// `gateGradients`, the name of the phase.
struct TokenTable {
    /// [V, 4H]: P, then G.
    private let buffer: Matrix

    /// A table over `buffer` [V, 4H], which nothing else writes.
    init(_ buffer: Matrix) {
        self.buffer = buffer
    }

    /// P [V, 4H]: row v is token v's projection embedding.weight[v] W_ih^T + b_ih + b_hh. Valid from `forward` until
    /// `backward` starts.
    var projections: Matrix { buffer }

    /// G [V, 4H]: row v is Σ da_r over the rows r whose token is v. Valid from `backward` until the next `forward`.
    var gateGradients: Matrix { buffer }

    /// Fills `projections` with P = embedding.weight W_ih^T + b_ih + b_hh.
    ///
    ///     embedding [V, E] (embedding.weight), weightIH [4H, E] (layer 0's), biasIH [4H], biasHH [4H];
    ///     the products in `products`' precision
    ///     -> projections P [V, 4H], overwritten
    func forward(embedding: Matrix, weightIH: Matrix, biasIH: UnsafePointer<Float>, biasHH: UnsafePointer<Float>,
                 products: MatrixProducts) {
        let p = projections
        precondition(embedding.rows == p.rows && embedding.cols == weightIH.cols && weightIH.rows == p.cols,
                     "token table [\(p.rows),\(p.cols)] from embedding [\(embedding.rows),\(embedding.cols)]"
                         + " and W_ih [\(weightIH.rows),\(weightIH.cols)]")
        fillBias(p, biasIH: biasIH, biasHH: biasHH)
        products.gemm(embedding, weightIH, transposeB: true, into: p, beta: 1)
    }

    /// Gathers G from da, then adds the gradients of W_ih and of embedding.weight. Overwrites P with G.
    ///
    ///     da [S*B, 4H] (layer 0's `LSTMLayerCache.da` after its backward), tokens [S*B] (time-major, in 0..<V),
    ///     embedding [V, E], weightIH [4H, E]; the products in `products`' precision
    ///     -> gateGradients G [V, 4H], overwritten; dWeightIH [4H, E] and dEmbedding [V, E], added to
    func backward(da: Matrix, tokens: UnsafePointer<Int32>, embedding: Matrix, weightIH: Matrix,
                  dWeightIH: Matrix, dEmbedding: Matrix, products: MatrixProducts) {
        let g = gateGradients
        precondition(da.cols == g.cols && dEmbedding.rows == g.rows && dEmbedding.cols == embedding.cols,
                     "token table backward shapes")
        g.zero()
        g.addRows(of: da, at: tokens)
        products.gemm(g, transposeA: true, embedding, into: dWeightIH, beta: 1)
        products.gemm(g, weightIH, into: dEmbedding, beta: 1)
    }
}
