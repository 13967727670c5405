import CharModel

/// The training loop: windows of B streams x S steps from the training split, forward, backward, clipping, one
/// optimizer step; evaluation on the validation split and checkpoints at their cadences.
///
/// The loop is deterministic given the checkpointed state: the data cursor, the carried LSTM state, the generator
/// that draws dropout masks, the optimizer's moments and the step count. So a run resumed from a checkpoint ends
/// with the same tensors, to the byte, as one that never stopped.
///
/// Under MPI (`group`), every rank runs this loop on its share of the B streams and `ModelExchange` combines the
/// ranks' work; rank 0 alone evaluates, reports and checkpoints. The ranks must take every decision alike, so before
/// each window they agree on rank 0's verdict (its clock decides `maxSeconds`, its evaluation early stopping) and on
/// any rank's stop request.
public final class Trainer {
    /// The model being trained (its parameters change in place).
    public let model: LanguageModel
    /// How it is trained.
    public let config: TrainingConfig
    /// The optimizer and its moments.
    public let optimizer: Optimizer
    /// Where the run stands.
    public private(set) var state: TrainerState
    /// The recurrent state carried from window to window, reset at each epoch.
    public private(set) var carried: LSTMState
    private let ids: TokenIDs
    private let batches: BatchStream
    private let validation: BatchStream
    private let schedule: LearningRateSchedule
    private let step: TrainingStep
    private let validationPass: DataParallelPass
    private let exchange: ModelExchange?
    /// Under local SGD (K > 1): windows each rank has stepped on its own since the models were last averaged.
    private var windowsApart = 0
    private var inputs: [Int32]
    private var targets: [Int32]

    /// A trainer over `ids` cut by `splits`, on `threads` threads (the batch's streams are split among them), as
    /// one rank of `group` when an MPI job trains the model. `optimizer`, `state` and `carried` come from a
    /// checkpoint when resuming.
    public init(
        model: LanguageModel, config: TrainingConfig, ids: TokenIDs, splits: CorpusSplits, threads: Int,
        optimizer: Optimizer? = nil, state: TrainerState? = nil, carried: LSTMState? = nil, group: MPIGroup? = nil
    ) throws(TrainingError) {
        try config.validate()
        self.model = model
        self.config = config
        self.ids = ids
        let (b, s) = (config.batchSize, config.sequenceLength)
        let ranks = group?.size ?? 1
        guard b % ranks == 0 else {
            throw .invalidOption("batch size \(b) does not divide among \(ranks) ranks; use a multiple of \(ranks)")
        }
        if let state, (state.ranks ?? 1) != ranks {
            let trained = state.ranks ?? 1
            let how = trained == 1 ? "without mpirun" : "with mpirun -np \(trained)"
            throw .distributed("the run was trained on \(trained) rank\(trained == 1 ? "" : "s") and cannot resume on \(ranks): only the same count continues it exactly; resume it \(how), or start a new run from it with --init-from")
        }
        batches = try BatchStream(span: splits.train, batchSize: b, steps: s, splitName: "training")
        let validationStreams = max(1, min(b, (splits.validation.count - 1) / s))
        validation = try BatchStream(span: splits.validation, batchSize: validationStreams, steps: s, splitName: "validation")
        let streams = group?.streams(of: b) ?? 0..<b
        let pass: DataParallelPass
        do {
            pass = try DataParallelPass(model: model, batchSize: b, steps: s,
                                        parts: DataParallelPass.parts(threads: threads, batchSize: streams.count), streams: streams,
                                        precision: config.productPrecision)
            // Validation runs in fp32 whatever the training precision, so that runs in either compare.
            validationPass = validationStreams == b && group == nil && config.productPrecision == .fp32
                ? pass : try DataParallelPass(model: model, batchSize: validationStreams, steps: s,
                                              parts: DataParallelPass.parts(threads: threads, batchSize: validationStreams))
        } catch {
            throw .invalidOption(error.description)
        }
        let optimizer = optimizer ?? Optimizer(config: config, parameterCount: model.parameterCount)
        self.optimizer = optimizer
        exchange = group.map {
            ModelExchange(group: $0, syncEvery: config.windowsPerSync, model: model, slots: optimizer.slots.count, batchSize: b)
        }
        step = TrainingStep(pass: pass, optimizer: optimizer, gradientClip: config.gradientClip, exchange: exchange)
        self.state = state ?? TrainerState(seed: config.seed, learningRate: config.learningRate)
        self.state.ranks = group?.size
        self.carried = carried ?? LSTMState(layers: model.config.layers, batchSize: b, hiddenSize: model.config.hiddenSize)
        schedule = LearningRateSchedule(config: config, plannedIterations: Self.plannedSteps(config, windowsPerEpoch: batches.windowCount))
        inputs = Array(repeating: 0, count: b * s)
        targets = inputs
    }

    /// Windows in one epoch.
    public var windowsPerEpoch: Int { batches.windowCount }

    /// The planned number of iterations: epochs x windows, or fewer if `maxIterations` says so.
    public var plannedSteps: Int { Self.plannedSteps(config, windowsPerEpoch: batches.windowCount) }

    private static func plannedSteps(_ config: TrainingConfig, windowsPerEpoch: Int) -> Int {
        let byEpochs = config.maxEpochs * windowsPerEpoch
        return config.maxIterations.map { min($0, byEpochs) } ?? byEpochs
    }

    /// Trains until the plan is done, validation stops improving, or `shouldStop` says so (checked after every
    /// iteration). `checkpoint` is called with the reason whenever the state should be saved; `report` after every
    /// iteration. Throws `diverged` before applying an update that would poison the weights. Under MPI, only rank 0
    /// calls `checkpoint` and `report`.
    public func run(
        clock: () -> Double,
        shouldStop: () -> Bool,
        checkpoint: (CheckpointReason) throws -> Void,
        report: (TrainingProgress) -> Void
    ) throws -> TrainingOutcome {
        var intervalStart = clock()
        var intervalChars = 0
        var lastEvaluatedStep = state.history.last?.step ?? -1
        var lastCheckpointStep = -1
        var earlyStopped = false
        let leads = exchange?.group.isLeader ?? true

        var ending = try agreedEnd(earlyStopped: false, stopRequested: false)
        while ending == nil {
            let started = clock()
            let loss = try trainOneWindow()
            let now = clock()
            state.elapsedSeconds += now - started
            intervalChars += config.batchSize * config.sequenceLength
            let rate = Double(intervalChars) / max(now - intervalStart, 1e-9)
            if now - intervalStart > 2 { (intervalStart, intervalChars) = (now, 0) }

            let evaluating = state.step % config.evaluateEvery == 0
            let checkpointing = state.step % config.checkpointEvery == 0
            if evaluating || checkpointing { try gatherModel() }
            if evaluating {
                if leads, try evaluateAndRecord(charsPerSecond: rate, checkpoint: checkpoint) { earlyStopped = true }
                lastEvaluatedStep = state.step
            }
            if leads { report(progress(smoothed: state.smoothedLoss ?? loss, rate: rate, evaluated: evaluating)) }
            if checkpointing {
                if leads { try checkpoint(.periodic) }
                lastCheckpointStep = state.step
            }
            ending = try agreedEnd(earlyStopped: earlyStopped, stopRequested: shouldStop())
        }
        let outcome = ending ?? .finished
        try gatherModel()
        guard leads else { return outcome }
        if outcome != .interrupted && lastEvaluatedStep != state.step {
            _ = try evaluateAndRecord(charsPerSecond: Double(intervalChars) / max(clock() - intervalStart, 1e-9), checkpoint: checkpoint)
            // A periodic checkpoint of this step, taken before the evaluation, lacks its history row and its best
            // loss: resumed from it, a run would drop the row and could later replace `best` with a worse model.
            lastCheckpointStep = -1
        }
        if lastCheckpointStep != state.step { try checkpoint(outcome == .interrupted ? .interrupted : .final) }
        return outcome
    }

    /// Seconds this rank has spent exchanging with the others (0 alone).
    public var exchangeSeconds: Double { exchange?.seconds ?? 0 }

    /// How the run ends before the next window, or nil to go on: early stopping first, then a stop request, then
    /// the plan's end. Under MPI the ranks agree, in one sum of three numbers: rank 0's verdict and its elapsed
    /// seconds (which the others take, since the learning-rate schedule may read them), and any rank's request.
    private func agreedEnd(earlyStopped: Bool, stopRequested: Bool) throws -> TrainingOutcome? {
        func end(earlyStopped: Bool, stopRequested: Bool, planDone: Bool) -> TrainingOutcome? {
            earlyStopped ? .earlyStopped : stopRequested ? .interrupted : planDone ? .finished : nil
        }
        guard let group = exchange?.group else {
            return end(earlyStopped: earlyStopped, stopRequested: stopRequested, planDone: planDone)
        }
        let verdict: Double = !group.isLeader ? 0 : earlyStopped ? 2 : planDone ? 1 : 0
        var votes: [Double] = [verdict, stopRequested ? 1 : 0, group.isLeader ? state.elapsedSeconds : 0]
        try votes.withUnsafeMutableBufferPointer { buffer throws(TrainingError) in try group.sum(buffer) }
        state.elapsedSeconds = votes[2]
        return end(earlyStopped: votes[0] == 2, stopRequested: votes[1] > 0, planDone: votes[0] == 1)
    }

    /// Under MPI, makes rank 0's model and carried state whole before it evaluates or checkpoints: the ranks
    /// average their models if they step apart (K > 1) and gather the carried state's rows. Every rank calls it at
    /// the same windows.
    private func gatherModel() throws {
        guard let exchange else { return }
        if windowsApart > 0 { try averageModels(exchange) }
        try exchange.gatherCarried(&carried)
    }

    /// Local SGD's meeting: every rank takes the mean of the ranks' parameters and moments.
    private func averageModels(_ exchange: ModelExchange) throws {
        try exchange.averageModel(parameters: model.parameters, slots: optimizer.slots)
        windowsApart = 0
    }

    /// The mean loss over the validation split, nats per grapheme, streamed with carried state and no dropout.
    public func validationLoss() throws -> Float {
        var carried = LSTMState(layers: model.config.layers, batchSize: validation.batchSize, hiddenSize: model.config.hiddenSize)
        var inputs = [Int32](repeating: 0, count: validation.batchSize * validation.steps)
        var targets = inputs
        var total: Double = 0
        for w in 0..<validation.windowCount {
            validation.window(w, of: ids, inputs: &inputs, targets: &targets)
            total += Double(try validationPass.forward(inputs: inputs, targets: targets, state: &carried))
        }
        return Float(total / Double(validation.windowCount))
    }

    private var planDone: Bool {
        if state.epoch >= config.maxEpochs { return true }
        if let max = config.maxIterations, state.step >= max { return true }
        if let max = config.maxSeconds, state.elapsedSeconds >= max { return true }
        return false
    }

    /// One iteration; returns its loss. Nothing is updated when the loss or gradient is not finite.
    private func trainOneWindow() throws -> Float {
        if state.window == 0 { carried.reset() }
        batches.window(state.window, of: ids, inputs: &inputs, targets: &targets)
        let t = state.step + 1
        let rate = schedule.rate(step: state.step, epoch: state.epoch, elapsed: state.elapsedSeconds)
        let loss = try step.run(inputs: inputs, targets: targets, state: &carried, rng: &state.rng, learningRate: rate, t: t) {
            [config, firstLoss = state.firstLoss] loss, norm in
            guard loss.isFinite else { throw TrainingError.diverged(step: t, reason: "the loss is \(loss)") }
            if let firstLoss, loss > config.divergenceFactor * firstLoss {
                throw TrainingError.diverged(step: t, reason: "the loss \(loss) is over \(config.divergenceFactor)x its start \(firstLoss)")
            }
            guard norm.isFinite else { throw TrainingError.diverged(step: t, reason: "the gradient norm is \(norm)") }
        }
        if let exchange, exchange.syncEvery > 1 {
            windowsApart += 1
            if t % exchange.syncEvery == 0 { try averageModels(exchange) }
        }
        state.learningRate = rate
        state.step = t
        state.window += 1
        if state.window == batches.windowCount {
            state.window = 0
            state.epoch += 1
        }
        state.firstLoss = state.firstLoss ?? loss
        state.smoothedLoss = state.smoothedLoss.map { 0.98 * $0 + 0.02 * loss } ?? loss
        return loss
    }

    /// Evaluates, records the row, saves `best` on improvement; returns true when patience has run out.
    private func evaluateAndRecord(charsPerSecond: Double, checkpoint: (CheckpointReason) throws -> Void) throws -> Bool {
        let loss = try validationLoss()
        state.history.append(MetricsRecord(step: state.step, epoch: state.epoch, trainLoss: state.smoothedLoss ?? loss,
                                           validationLoss: loss, learningRate: state.learningRate,
                                           charsPerSecond: charsPerSecond, elapsedSeconds: state.elapsedSeconds))
        if state.bestValidationLoss.map({ loss < $0 }) ?? true {
            state.bestValidationLoss = loss
            state.evaluationsWithoutImprovement = 0
            try checkpoint(.best)
        } else {
            state.evaluationsWithoutImprovement += 1
        }
        try checkpoint(.metrics)
        return config.patience.map { state.evaluationsWithoutImprovement >= $0 } ?? false
    }

    private func progress(smoothed: Float, rate: Double, evaluated: Bool) -> TrainingProgress {
        let planned = config.maxSeconds == nil ? plannedSteps : nil
        let remaining: Double? = if let maxSeconds = config.maxSeconds {
            max(0, maxSeconds - state.elapsedSeconds)
        } else {
            Double(plannedSteps - state.step) * Double(config.batchSize * config.sequenceLength) / max(rate, 1)
        }
        return TrainingProgress(step: state.step, plannedSteps: planned, epoch: state.epoch, smoothedLoss: smoothed,
                                lastValidationLoss: state.lastValidationLoss, charsPerSecond: rate,
                                elapsedSeconds: state.elapsedSeconds, remainingSeconds: remaining, evaluated: evaluated)
    }
}
