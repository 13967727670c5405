/// Forward and backward over one window of B streams x S steps, with the streams split into parts that run at once,
/// one per core, each with a workspace and a gradient buffer of its own (a `replica` of the model).
///
///     streams lo..<hi of inputs, targets, state  ->  part p: forward, backward  (single-threaded BLAS)
///     loss = Σ_p (B_p / B) loss_p                    gradients += Σ_p (B_p / B) gradients_p
///
/// The streams of a window never meet, so the parts meet only at the end of forward and of backward: two forks
/// and joins per window, against one inside every per-step product when BLAS's threads share each product (200 per
/// window at L = 2), and no BLAS thread spinning for work beside them. A part's per-step products have only about
/// B/2 rows, which costs them some of their rate, less than the meetings cost (docs/performance.md has the
/// measurements).
///
/// Each part applies its streams' rows of the window's dropout masks, so a split window computes what the unsplit
/// one does, up to the order of floating-point sums.
///
/// A pass may cover only some of the window's streams, a process's share when several train together
/// (`streams`): its loss and gradients are then that share's terms of the sums above, Σ over its parts only, and the
/// processes add them up; the state's other rows are left as they were.
public final class DataParallelPass {
    /// The model whose gradients `backward` adds to.
    public let model: LanguageModel
    /// B.
    public let batchSize: Int
    /// S.
    public let steps: Int
    /// The streams of the window this pass computes: all of them, or this process's share.
    public let streams: Range<Int>
    /// After `backward`: the loss gradient of the initial state the window started from.
    public private(set) var initialStateGradient: LSTMState
    private let parts: [Part]
    /// Whether one part computes the whole window: then it runs on `model` itself, with no replica to add up.
    private let runsOnModel: Bool

    /// A pass over windows of `batchSize` x `steps` of `model`, computing `streams` (default: all) split into
    /// `parts` (at most one per stream), its products in `precision`; `parts(threads:batchSize:)` says how many
    /// parts suit a number of threads.
    public init(
        model: LanguageModel, batchSize: Int, steps: Int, parts: Int, streams: Range<Int>? = nil, precision: TrainingPrecision = .fp32
    ) throws(ModelError) {
        guard batchSize >= 1 else { throw .invalidHyperparameter("batch size must be at least 1, got \(batchSize)") }
        let streams = streams ?? 0..<batchSize
        guard !streams.isEmpty && streams.lowerBound >= 0 && streams.upperBound <= batchSize else {
            throw .invalidHyperparameter("streams \(streams) are not a non-empty part of a batch of \(batchSize)")
        }
        let count = max(1, min(parts, streams.count))
        self.model = model
        self.batchSize = batchSize
        self.steps = steps
        self.streams = streams
        let runsOnModel = count == 1 && streams.count == batchSize
        self.runsOnModel = runsOnModel
        var made: [Part] = []
        for p in 0..<count {
            let mine = share(p, of: count, count: streams.count).shifted(by: streams.lowerBound)
            made.append(try Part(model: runsOnModel ? model : model.replica(), streams: mine, steps: steps, precision: precision))
        }
        self.parts = made
        initialStateGradient = LSTMState(layers: model.config.layers, batchSize: batchSize, hiddenSize: model.config.hiddenSize)
    }

    /// Streams a part needs to keep its per-step products (M = its streams) worth a core of its own.
    static let minimumStreamsPerPart = 8

    /// One part per thread, as far as the batch allows with at least `minimumStreamsPerPart` streams each.
    public static func parts(threads: Int, batchSize: Int) -> Int {
        max(1, min(threads, batchSize / minimumStreamsPerPart))
    }

    /// The number of parts the streams are split into.
    public var partCount: Int { parts.count }

    /// FLOPs of the matrix products of one window's forward and backward: the sum of the parts'
    /// (`SequenceWorkspace.productFLOPs`; each part makes its own token table).
    public var productFLOPs: Double { parts.reduce(0) { $0 + $1.workspace.productFLOPs } }

    /// B_share / B: the fraction of the window's streams this pass computes, hence its weight in the window's loss.
    public var shareOfBatch: Float { Float(streams.count) / Float(batchSize) }

    /// As `LanguageModel.forward`: runs the window `inputs` [B, S] (stream-major) from `state`, replacing it by the
    /// state after the window, and returns the mean cross-entropy against `targets` (0 without targets).
    @discardableResult
    public func forward(
        inputs: [Int32], targets: [Int32]?, state: inout LSTMState, dropout: DropoutMasks? = nil
    ) throws(ModelError) -> Float {
        if runsOnModel {
            return try model.forward(inputs: inputs, targets: targets, state: &state, workspace: parts[0].workspace, dropout: dropout)
        }
        // The parts slice the window before their own forwards check it: check the whole first.
        try model.checkWindow(inputs: inputs, targets: targets, state: state, dropout: dropout, batch: batchSize, steps: steps)
        for part in parts { part.load(inputs: inputs, targets: targets, state: state, dropout: dropout) }
        parallelFor(parts.count) { p in
            let part = parts[p]
            do throws(ModelError) {
                part.loss = try part.model.forward(inputs: part.inputs, targets: targets == nil ? nil : part.targets,
                                                   state: &part.state, workspace: part.workspace,
                                                   dropout: dropout == nil ? nil : part.dropout)
            } catch {
                part.failure = error
            }
        }
        try takeFailure()
        var loss: Float = 0
        for part in parts {
            part.store(into: &state)
            loss += part.weight(of: batchSize) * part.loss
        }
        return loss
    }

    /// As `LanguageModel.backward`: adds the gradient of the last forward's loss to the model's gradients and leaves
    /// the initial state's in `initialStateGradient`.
    public func backward() throws(ModelError) {
        if runsOnModel {
            try model.backward(workspace: parts[0].workspace)
            initialStateGradient = parts[0].workspace.initialStateGradient
            return
        }
        parallelFor(parts.count) { p in
            let part = parts[p]
            part.model.zeroGradients()
            do throws(ModelError) { try part.model.backward(workspace: part.workspace) } catch { part.failure = error }
        }
        try takeFailure()
        for part in parts {
            part.storeInitialStateGradient(into: &initialStateGradient, weight: part.weight(of: batchSize))
        }
        let (total, sum) = (model.gradients.count, model.gradients.base)
        parallelFor(parts.count) { p in
            let range = share(p, of: parts.count, count: total)
            for part in parts {
                let (g, w) = (part.model.gradients.base, part.weight(of: batchSize))
                for i in range { sum[i] += w * g[i] }
            }
        }
    }

    /// Rethrows the first part's failure, if any, leaving every part ready for the next window.
    private func takeFailure() throws(ModelError) {
        let failure = parts.lazy.compactMap(\.failure).first
        for part in parts { part.failure = nil }
        if let failure { throw failure }
    }

    /// One range of streams with everything it needs to run on a core of its own.
    private final class Part {
        let streams: Range<Int>
        let model: LanguageModel
        let workspace: SequenceWorkspace
        /// [B_p, S] each, stream-major.
        var inputs: [Int32]
        var targets: [Int32]
        /// [L, B_p, H]
        var state: LSTMState
        /// The part's rows of the window's dropout masks.
        let dropout: DropoutMasks
        var loss: Float = 0
        var failure: ModelError?

        init(model: LanguageModel, streams: Range<Int>, steps: Int, precision: TrainingPrecision) throws(ModelError) {
            self.streams = streams
            self.model = model
            workspace = try SequenceWorkspace(config: model.config, batchSize: streams.count, steps: steps, precision: precision)
            inputs = Array(repeating: 0, count: streams.count * steps)
            targets = inputs
            state = LSTMState(layers: model.config.layers, batchSize: streams.count, hiddenSize: model.config.hiddenSize)
            dropout = DropoutMasks(config: model.config, batchSize: streams.count, steps: steps)
        }

        /// B_p / B: the part's share of the window's tokens, hence of its mean loss.
        func weight(of batchSize: Int) -> Float { Float(streams.count) / Float(batchSize) }

        func load(inputs all: [Int32], targets allTargets: [Int32]?, state full: LSTMState, dropout window: DropoutMasks?) {
            window?.copy(streams: streams, into: dropout)
            let range = streams.lowerBound * workspace.steps..<streams.upperBound * workspace.steps
            inputs.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: all[range]) }
            if let allTargets { targets.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: allTargets[range]) } }
            for layer in 0..<state.layers {
                let (from, to) = (rows(of: full, layer: layer), layer * state.layerCount..<(layer + 1) * state.layerCount)
                state.h.withUnsafeMutableBufferPointer { _ = UnsafeMutableBufferPointer(rebasing: $0[to]).update(fromContentsOf: full.h[from]) }
                state.c.withUnsafeMutableBufferPointer { _ = UnsafeMutableBufferPointer(rebasing: $0[to]).update(fromContentsOf: full.c[from]) }
            }
        }

        func store(into full: inout LSTMState) {
            for layer in 0..<state.layers {
                let (to, from) = (rows(of: full, layer: layer), layer * state.layerCount..<(layer + 1) * state.layerCount)
                full.h.replaceSubrange(to, with: state.h[from])
                full.c.replaceSubrange(to, with: state.c[from])
            }
        }

        func storeInitialStateGradient(into full: inout LSTMState, weight: Float) {
            let mine = workspace.initialStateGradient
            for layer in 0..<state.layers {
                let to = rows(of: full, layer: layer)
                let from = layer * state.layerCount
                for (n, i) in to.enumerated() {
                    full.h[i] = weight * mine.h[from + n]
                    full.c[i] = weight * mine.c[from + n]
                }
            }
        }

        /// This part's streams of layer `layer` in a full [L, B, H] state.
        private func rows(of full: LSTMState, layer: Int) -> Range<Int> {
            let h = full.hiddenSize
            return layer * full.layerCount + streams.lowerBound * h..<layer * full.layerCount + streams.upperBound * h
        }
    }
}

extension Range<Int> {
    /// The range moved up by `offset`.
    fileprivate func shifted(by offset: Int) -> Range<Int> { lowerBound + offset..<upperBound + offset }
}
