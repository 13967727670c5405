import CKernels

/// One LSTM layer: forward and backward through time over a window, and the single-step path for inference.
///
/// Dimension letters: B batch (parallel streams), S steps, In input size (E for the first layer, H above), H hidden,
/// V vocabulary, R the rows of a per-step product (B rounded up to `LSTMLayerCache.recurrentRowMultiple`).
/// Sequence matrices are time-major: row t*B + b holds stream b at step t.
/// Gates are stacked i, f, g, o along the 4H axis, as in PyTorch's `nn.LSTM`.
///
/// Forward, for t = 0..<S, with x_t [B, In] and h_{t-1}, c_{t-1} [B, H]:
///
///     a_t = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh          [B, 4H], a = [a_i | a_f | a_g | a_o]
///     i = σ(a_i)   f = σ(a_f)   g = tanh(a_g)   o = σ(a_o)
///     c_t = f ⊙ c_{t-1} + i ⊙ g
///     h_t = o ⊙ tanh(c_t)
///
/// With weight drop, a mask M [4H, H] (0 or 1/(1-p)) multiplies W_hh for the whole window: every W_hh above and
/// below reads W_hh ⊙ M, and dW_hh += (da^T h_prev) ⊙ M.
///
/// Every product runs in the workspace's precision (`MatrixProducts`, `TrainingPrecision`).
/// The input projections x W_ih^T + b_ih + b_hh of all S steps are one product; the recurrent product is one product per
/// step against W_hh^T packed once per window (`PackedMatrix`, with the CPU's `StepKernel`), run on R >= B rows
/// (`LSTMLayerCache.paddedBatchSize`) into a scratch that the cell adds to the projections. On the AVX-512 step
/// kernel in fp32 the product and the cell are one kernel instead (`LSTMLayerCache.fusesCell`), which runs the cell on
/// each tile of the product while it is in registers, on the B rows alone; the product-then-cell path stays beside it
/// as the reference that the other kernels run.
/// The projections may instead arrive precomputed as the rows of a table, which the cell reads in place
/// (`LayerInput.tableRows`). Layer 0 reads tokens that way through a `TokenTable`, which then computes the table and
/// the gradients of W_ih and of the embedding from the layer's da: the layer knows nothing of embeddings.
///
/// Backward, for t = S-1...0, given dh_t from above and the carried dh_next, dc_next (zero at t = S-1):
///
///     dh = dh_t + dh_next
///     do = dh ⊙ tanh(c_t)                 dc = dc_next + dh ⊙ o ⊙ (1 - tanh²(c_t))
///     di = dc ⊙ g    df = dc ⊙ c_{t-1}    dg = dc ⊙ i           dc_next = dc ⊙ f
///     da = [di ⊙ i(1-i) | df ⊙ f(1-f) | dg ⊙ (1-g²) | do ⊙ o(1-o)]
///     dh_next = da_t W_hh
///
/// then, over the whole window at once (one product each):
///
///     dW_hh += da^T h_prev     db_ih += Σ_rows da     db_hh += Σ_rows da
///     dense input x only:      dW_ih += da^T x        dx = da W_ih
///
/// and dh_next, dc_next after step 0 are the gradients of the initial state h_{-1}, c_{-1}. With table rows as
/// input, the table's owner takes da from `LSTMLayerCache.da` (`TokenTable.backward`).
/// What forward caches for backward is in `LSTMLayerCache`.
struct LSTMLayer {
    /// In.
    let inputSize: Int
    /// H.
    let hiddenSize: Int
    /// [4H, In]
    let weightIH: Matrix
    /// [4H, H]
    let weightHH: Matrix
    /// [4H]
    let biasIH: UnsafeMutablePointer<Float>
    /// [4H]
    let biasHH: UnsafeMutablePointer<Float>
    /// Gradients, same shapes as the weights above.
    let dWeightIH: Matrix
    let dWeightHH: Matrix
    let dBiasIH: UnsafeMutablePointer<Float>
    let dBiasHH: UnsafeMutablePointer<Float>

    // MARK: Forward over a window

    /// Where the per-row input projections x_r W_ih^T + b_ih + b_hh [4H] come from.
    enum LayerInput {
        /// x [S*B, In]: the layer below's output, or gathered embeddings. Forward computes the projections into
        /// `LSTMLayerCache.projections`; backward adds dW_ih and writes dx.
        case dense(Matrix)
        /// Row r's projection is row `indices[r]` of `table` [*, 4H] (`indices` [S*B]), computed by the table's owner
        /// (`TokenTable`), which also differentiates it from `LSTMLayerCache.da`: backward ignores the values.
        case tableRows(Matrix, indices: UnsafePointer<Int32>)
    }

    /// Runs the window from the initial state already in `cache.h`/`cache.c` block 0, leaving h_t, c_t in blocks t+1
    /// and the activated gates in `cache.gates`; with a weight-drop `mask`, on W_hh ⊙ mask.
    ///
    ///     input: dense x [S*B, In], or table rows (table [*, 4H], indices [S*B]); mask [4H, H] or nil
    ///     -> cache.h, cache.c blocks 1...S [S*B, H], cache.tanhC [S*B, H], cache.gates [S*B, 4H],
    ///        with a mask cache.droppedWHH [4H, H]
    func forward(_ input: LayerInput, cache: LSTMLayerCache, weightDrop mask: Matrix?) {
        let (batch, steps, h4) = (cache.batchSize, cache.steps, 4 * hiddenSize)
        let gates = cache.gates  // [S*B, 4H]: row r overwrites row r of cache.projections
        // Row r's projection is row r of `projections`, or with table rows row indices[r] of the table.
        let (projections, indices): (Matrix, UnsafePointer<Int32>?)
        switch input {
        case .dense(let x):
            precondition(x.rows == steps * batch && x.cols == inputSize,
                         "LSTM input [\(x.rows),\(x.cols)], expected [\(steps * batch),\(inputSize)]")
            (projections, indices) = (cache.projections, nil)
            fillBias(projections, biasIH: biasIH, biasHH: biasHH)
            cache.products.gemm(x, weightIH, transposeB: true, into: projections, beta: 1)
        case .tableRows(let table, let rowIndices):
            precondition(table.cols == h4, "LSTM projection table [\(table.rows),\(table.cols)], expected [*,\(h4)]")
            (projections, indices) = (table, rowIndices)
        }
        let recurrentWeights: Matrix  // [4H, H]: W_hh, or W_hh ⊙ mask
        if let mask {
            precondition(mask.rows == h4 && mask.cols == hiddenSize, "weight-drop mask [\(mask.rows),\(mask.cols)], expected [\(h4),\(hiddenSize)]")
            Matrix.multiply(weightHH, mask, into: cache.droppedWHH)
            recurrentWeights = cache.droppedWHH
        } else {
            recurrentWeights = weightHH
        }
        switch cache.forwardWeights {
        case .packed(let packed): packed.pack(recurrentWeights, transposed: true)
        case .gatePanels(let panels): charnn_pack_gate_panels(recurrentWeights.base, Int32(hiddenSize), panels.base)
        }
        let recurrent = cache.recurrent  // [R, 4H]
        for t in 0..<steps {
            let first = t * batch  // step t's first row
            switch cache.forwardWeights {
            case .gatePanels(let panels):
                var rows = charnn_cell_forward_rows(
                    batch: Int32(batch), hidden: Int32(hiddenSize), projections: indices == nil ? projections.row(first) : projections.base,
                    indices: indices.map { $0 + first }, gates: gates.row(first), c_prev: cache.c.row(first),
                    c: cache.c.row(first + batch), tanh_c: cache.tanhC.row(first), h: cache.h.row(first + batch))
                charnn_lstm_forward_step_avx512(cache.h.row(first), panels.base, &rows)
                continue
            case .packed(let packed):
                // The reference: the product, then the cell over it.
                packed.multiply(cache.stepRows(cache.h, step: t), into: recurrent)
            }
            for b in 0..<batch {
                let r = first + b
                let projection = projections.row(indices.map { Int($0[r]) } ?? r)
                cellForward(projection: projection, recurrent: recurrent.row(b), gates: gates.row(r), cPrev: cache.c.row(r),
                            c: cache.c.row(r + batch), tanhC: cache.tanhC.row(r), h: cache.h.row(r + batch), hidden: hiddenSize)
            }
        }
    }

    // MARK: Backward over a window

    /// Backpropagates `dh`, the loss gradient of every h_t from above, through the window that `forward` left in
    /// `cache` from the same `input` and weight-drop `mask`. Accumulates the gradients of W_hh and the biases (and of
    /// W_ih with dense input), writes dx when asked (dense input only), and leaves da in `cache.da` (in place of
    /// `cache.gates`) and the initial state's gradients in `cache.initialDH` and `cache.dcNext`.
    ///
    ///     input, mask: forward's; dh [S*B, H]
    ///     -> cache.da [S*B, 4H], cache.initialDH [B, H], cache.dcNext [B, H], dx [S*B, In]: overwritten
    ///     -> dWeightHH [4H, H], dBiasIH [4H], dBiasHH [4H], with dense input dWeightIH [4H, In]: added to
    func backward(_ input: LayerInput, dh: Matrix, cache: LSTMLayerCache, weightDrop mask: Matrix?, dx: Matrix?) {
        let (batch, steps, hidden) = (cache.batchSize, cache.steps, hiddenSize)
        precondition(dh.rows == steps * batch && dh.cols == hidden, "LSTM dh [\(dh.rows),\(dh.cols)], expected [\(steps * batch),\(hidden)]")
        let (gates, da) = (cache.gates, cache.da)  // [S*B, 4H] each, one buffer: row r turns from gates into da
        cache.dhNext.zero()
        cache.dcNext.zero()
        cache.packedWHH.pack(mask == nil ? weightHH : cache.droppedWHH, transposed: false)  // forward's W_hh ⊙ mask
        func cellsBackward(step t: Int) {
            for b in 0..<batch {
                let r = t * batch + b
                cellBackward(gates: gates.row(r), da: da.row(r), cPrev: cache.c.row(r), tanhC: cache.tanhC.row(r),
                             dhAbove: dh.row(r), dhNext: cache.dhNext.row(b), dcNext: cache.dcNext.row(b), hidden: hidden)
            }
        }
        cellsBackward(step: steps - 1)  // dh_next is zero there
        for t in stride(from: steps - 2, through: 0, by: -1) {
            // dh_next for step t is da_{t+1} W_hh.
            if cache.fusesCell {
                let first = t * batch
                var rows = charnn_cell_backward_rows(
                    batch: Int32(batch), hidden: Int32(hidden), dh_above: dh.row(first), gates: gates.row(first),
                    c_prev: cache.c.row(first), tanh_c: cache.tanhC.row(first), dc_next: cache.dcNext.base)
                charnn_lstm_backward_step_avx512(da.row(first + batch), cache.packedWHH.packedPanels, &rows)
            } else {
                cache.packedWHH.multiply(cache.daStepRows(step: t + 1), into: cache.dhNext)
                cellsBackward(step: t)
            }
        }
        cache.packedWHH.multiply(cache.daStepRows(step: 0), into: cache.dhNext)  // the initial state's dh
        if let mask {
            let dDropped = cache.dDroppedWHH
            cache.products.gemm(da, transposeA: true, cache.previousH, into: dDropped)
            for i in 0..<dDropped.count { dWeightHH.base[i] += dDropped.base[i] * mask.base[i] }
        } else {
            cache.products.gemm(da, transposeA: true, cache.previousH, into: dWeightHH, beta: 1)
        }
        da.addColumnSums(into: dBiasIH, and: dBiasHH)  // b_ih and b_hh get the same gradient: one pass over da
        switch input {
        case .dense(let x):
            cache.products.gemm(da, transposeA: true, x, into: dWeightIH, beta: 1)
            if let dx { cache.products.gemm(da, weightIH, into: dx) }
        case .tableRows:
            precondition(dx == nil, "with table rows as input, the table's owner takes the input gradient from cache.da")
        }
    }

    // MARK: Single step, batch 1

    /// Finishes one step of one stream from its gate pre-activations a [4H], which `InferenceWeights` computes:
    /// activates them in place (as scratch) and updates c [H] and h [H] in place.
    func step(gates: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>) {
        cellStep(gates: gates, c: c, h: h, hidden: hiddenSize)
    }
}

/// Sets every row of `m` [*, 4H] to b_ih + b_hh (biasIH, biasHH [4H]).
func fillBias(_ m: Matrix, biasIH: UnsafePointer<Float>, biasHH: UnsafePointer<Float>) {
    let h4 = m.cols
    let first = m.row(0)
    for j in 0..<h4 { first[j] = biasIH[j] + biasHH[j] }
    for r in 1..<max(m.rows, 1) { m.row(r).update(from: first, count: h4) }
}

// MARK: - Cell kernels (element-wise, one row of B)
//
// Each walks the H units a vector at a time (`VectorMath`); a last partial vector is loaded zero-padded and stored
// back only in its valid lanes.

/// Adds the recurrent product [4H] to the input projection [4H], writes the activated gates to `gates` [4H] (which
/// may be the projection itself) and computes c_t, tanh(c_t), h_t [H].
@inline(__always)
private func cellForward(
    projection: UnsafePointer<Float>, recurrent: UnsafePointer<Float>, gates: UnsafeMutablePointer<Float>,
    cPrev: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>,
    h: UnsafeMutablePointer<Float>, hidden: Int
) {
    for j in stride(from: 0, to: hidden, by: FloatVector.scalarCount) {
        let n = hidden - j
        let (xi, xf, xg, xo) = (projection + j, projection + hidden + j, projection + 2 * hidden + j, projection + 3 * hidden + j)
        let (ri, rf, rg, ro) = (recurrent + j, recurrent + hidden + j, recurrent + 2 * hidden + j, recurrent + 3 * hidden + j)
        let (gi, gf, gg, go) = (gates + j, gates + hidden + j, gates + 2 * hidden + j, gates + 3 * hidden + j)
        let i = VectorMath.sigmoid(xi.loadVector(count: n) + ri.loadVector(count: n))
        let f = VectorMath.sigmoid(xf.loadVector(count: n) + rf.loadVector(count: n))
        let g = VectorMath.tanh(xg.loadVector(count: n) + rg.loadVector(count: n))
        let o = VectorMath.sigmoid(xo.loadVector(count: n) + ro.loadVector(count: n))
        gi.storeVector(i, count: n)
        gf.storeVector(f, count: n)
        gg.storeVector(g, count: n)
        go.storeVector(o, count: n)
        let cNew = f * (cPrev + j).loadVector(count: n) + i * g
        let tc = VectorMath.tanh(cNew)
        (c + j).storeVector(cNew, count: n)
        (tanhC + j).storeVector(tc, count: n)
        (h + j).storeVector(o * tc, count: n)
    }
}

/// Reads the activated gates [4H] and writes da [4H] (which may be the gates themselves: the cache keeps both in one
/// row), and replaces dc_next [H] by the carry to step t-1. `dhNext` [H] holds the recurrent gradient dh_next on
/// entry (it is overwritten by the caller's product afterwards).
@inline(__always)
private func cellBackward(
    gates: UnsafePointer<Float>, da: UnsafeMutablePointer<Float>, cPrev: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>,
    dhAbove: UnsafeMutablePointer<Float>, dhNext: UnsafeMutablePointer<Float>, dcNext: UnsafeMutablePointer<Float>, hidden: Int
) {
    for j in stride(from: 0, to: hidden, by: FloatVector.scalarCount) {
        let n = hidden - j
        let (gi, gf, gg, go) = (gates + j, gates + hidden + j, gates + 2 * hidden + j, gates + 3 * hidden + j)
        let (dai, daf, dag, dao) = (da + j, da + hidden + j, da + 2 * hidden + j, da + 3 * hidden + j)
        let i = gi.loadVector(count: n), f = gf.loadVector(count: n), g = gg.loadVector(count: n), o = go.loadVector(count: n)
        let tc = (tanhC + j).loadVector(count: n)
        let dh = (dhAbove + j).loadVector(count: n) + (dhNext + j).loadVector(count: n)
        let dO = dh * tc
        let dc = (dcNext + j).loadVector(count: n) + dh * o * (1 - tc * tc)
        let di = dc * g
        let df = dc * (cPrev + j).loadVector(count: n)
        let dg = dc * i
        (dcNext + j).storeVector(dc * f, count: n)
        dai.storeVector(di * i * (1 - i), count: n)
        daf.storeVector(df * f * (1 - f), count: n)
        dag.storeVector(dg * (1 - g * g), count: n)
        dao.storeVector(dO * o * (1 - o), count: n)
    }
}

/// The single-step cell: activates `gates` [4H] and updates c [H] and h [H] in place.
@inline(__always)
private func cellStep(gates: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>, hidden: Int) {
    for j in stride(from: 0, to: hidden, by: FloatVector.scalarCount) {
        let n = hidden - j
        let i = VectorMath.sigmoid((gates + j).loadVector(count: n))
        let f = VectorMath.sigmoid((gates + hidden + j).loadVector(count: n))
        let g = VectorMath.tanh((gates + 2 * hidden + j).loadVector(count: n))
        let o = VectorMath.sigmoid((gates + 3 * hidden + j).loadVector(count: n))
        let cNew = f * (c + j).loadVector(count: n) + i * g
        (c + j).storeVector(cNew, count: n)
        (h + j).storeVector(o * VectorMath.tanh(cNew), count: n)
    }
}
