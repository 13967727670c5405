import CharModel

/// One iteration's arithmetic: forward with dropout, backward, global-norm clipping, optimizer update.
/// `Trainer` runs it on the corpus and `charnn bench` on random tokens, so the benchmark times exactly what training does.
public struct TrainingStep {
    /// The model trained.
    public let model: LanguageModel
    /// Its optimizer.
    public let optimizer: Optimizer
    /// Forward and backward over a B x S window, split across the cores.
    public let pass: DataParallelPass
    /// Maximum global gradient norm (0 = no clipping).
    public let gradientClip: Float
    /// The other ranks' share of the work, when an MPI job trains the model; nil alone.
    public let exchange: ModelExchange?
    /// The window's dropout masks, drawn anew for every step; nil when the model has no dropout.
    private let dropout: DropoutMasks?

    /// A step over `pass.model` with `optimizer`, clipping at `gradientClip`; with `exchange`, `pass` computes this
    /// rank's streams and the exchange combines the ranks' gradients before the clipping.
    public init(pass: DataParallelPass, optimizer: Optimizer, gradientClip: Float, exchange: ModelExchange? = nil) {
        self.model = pass.model
        self.optimizer = optimizer
        self.pass = pass
        self.gradientClip = gradientClip
        self.exchange = exchange
        let config = pass.model.config
        dropout = DropoutMasks.drops(config) ? DropoutMasks(config: config, batchSize: pass.batchSize, steps: pass.steps) : nil
    }

    /// Runs update number `t` (1-based) on one window, drawing its dropout masks from `rng`. `check` sees the loss
    /// and the gradient norm before the update is applied, and may throw to refuse it. Returns the loss.
    @discardableResult
    public func run(
        inputs: [Int32], targets: [Int32], state: inout LSTMState, rng: inout RandomSource,
        learningRate: Float, t: Int, check: (_ loss: Float, _ gradientNorm: Float) throws -> Void = { _, _ in }
    ) throws -> Float {
        model.zeroGradients()
        dropout?.draw(rng: &rng)
        var loss = try pass.forward(inputs: inputs, targets: targets, state: &state, dropout: dropout)
        try pass.backward()
        if let exchange { loss = try exchange.combine(gradients: model.gradients, loss: loss, share: pass.shareOfBatch) }
        let norm = clipGradientNorm(model.gradients, maxNorm: gradientClip, parts: pass.partCount)
        try check(loss, norm)
        optimizer.step(parameters: model.parameters, gradients: model.gradients, learningRate: learningRate, t: t, parts: pass.partCount)
        return loss
    }
}
