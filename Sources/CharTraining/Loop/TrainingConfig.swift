
/// Everything about how a model is trained: saved in every checkpoint, so a resumed run trains exactly as before.
public struct TrainingConfig: Codable, Equatable, Sendable {
    /// B: parallel streams per batch.
    public var batchSize = 50
    /// S: steps per window of truncated back-propagation through time.
    public var sequenceLength = 50
    /// Fraction of the corpus for training; the first part of it.
    public var trainFraction = 0.90
    /// Fraction for validation, right after the training part; the rest is the test split.
    public var validationFraction = 0.05
    /// Stop after this many epochs over the training split.
    public var maxEpochs = 20
    /// Stop after this many iterations in all, if set.
    public var maxIterations: Int?
    /// Stop after this many seconds of training, if set (elapsed time carries over a resume).
    public var maxSeconds: Double?
    public var optimizer = OptimizerKind.adam
    public var learningRate: Float = 2e-3
    /// Adam's β1 (first-moment decay).
    public var beta1: Float = 0.9
    /// Adam's β2 (second-moment decay).
    public var beta2: Float = 0.999
    /// Added to the denominator of Adam and RMSProp.
    public var epsilon: Float = 1e-8
    /// SGD's momentum.
    public var momentum: Float = 0.9
    /// RMSProp's squared-gradient decay.
    public var rmsDecay: Float = 0.99
    /// Decoupled weight decay (0 = none): each update also takes lr × weightDecay × p off every parameter p. Without
    /// it the weights grow under Adam and the model overfits sooner; the default, 0.1, is what the quality runs in
    /// `docs/performance.md` chose.
    public var weightDecay: Float = 0.1
    public var schedule = ScheduleKind.constant
    /// Step schedule: epochs between decays.
    public var decayEveryEpochs = 5
    /// Step schedule: factor applied at each decay.
    public var decayFactor: Float = 0.5
    /// Cosine schedule: the final rate as a fraction of the base rate.
    public var minLearningRateFactor: Float = 0.05
    /// Clip the global gradient norm to this (0 = no clipping).
    public var gradientClip: Float = 5
    /// Evaluate on the validation split every this many iterations (and at the end).
    public var evaluateEvery = 500
    /// Write a periodic checkpoint every this many iterations (and at the end).
    public var checkpointEvery = 1000
    /// Periodic checkpoints to keep (the best one is kept apart).
    public var keepCheckpoints = 3
    /// Stop when validation has not improved for this many evaluations, if set.
    public var patience: Int?
    /// A loss above this many times the first one counts as divergence.
    public var divergenceFactor: Float = 3
    /// Seed of the generator that initialises the model and draws dropout masks.
    public var seed: UInt64 = 1
    /// Under MPI, K: windows between the ranks' meetings. nil or 1 sums the gradients of every window (data
    /// parallelism); K > 1 averages the models every K windows (local SGD), for slow networks.
    public var syncEvery: Int?

    /// The precision of the matrix products' operands; nil is fp32. (Optional in the file, so that a run that never
    /// asks for a precision writes the same checkpoint as before there was a choice.) A resumed run may change it:
    /// fine-tuning in bf16 and back.
    public var precision: TrainingPrecision?

    /// The products' precision, with nil read as fp32.
    public var productPrecision: TrainingPrecision { precision ?? .fp32 }

    /// K, with nil read as 1. (Optional in the file, so that a run without MPI writes the same checkpoint as before.)
    public var windowsPerSync: Int { syncEvery ?? 1 }

    /// The defaults.
    public init() {}

    /// Throws a `TrainingError.invalidOption` naming the first setting out of range, or `.unsupportedPrecision` for a
    /// precision this CPU cannot run.
    public func validate() throws(TrainingError) {
        func check(_ ok: Bool, _ text: @autoclosure () -> String) throws(TrainingError) {
            if !ok { throw .invalidOption(text()) }
        }
        try check(batchSize >= 1, "batch size must be at least 1, got \(batchSize)")
        try check(sequenceLength >= 1, "sequence length must be at least 1, got \(sequenceLength)")
        try check(trainFraction > 0 && trainFraction < 1, "train fraction must be in (0, 1), got \(trainFraction)")
        try check(validationFraction > 0 && trainFraction + validationFraction <= 1,
                  "validation fraction must be in (0, 1 - train fraction], got \(validationFraction)")
        try check(maxEpochs >= 1, "max epochs must be at least 1, got \(maxEpochs)")
        try check(maxIterations.map { $0 >= 1 } ?? true, "max iterations must be at least 1, got \(maxIterations ?? 0)")
        try check(maxSeconds.map { $0 > 0 } ?? true, "max seconds must be positive, got \(maxSeconds ?? 0)")
        try check(learningRate > 0 && learningRate.isFinite, "learning rate must be positive, got \(learningRate)")
        try check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "Adam betas must be in [0, 1), got \(beta1), \(beta2)")
        try check(epsilon > 0, "epsilon must be positive, got \(epsilon)")
        try check(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got \(momentum)")
        try check(rmsDecay >= 0 && rmsDecay < 1, "RMSProp decay must be in [0, 1), got \(rmsDecay)")
        try check(weightDecay >= 0 && weightDecay.isFinite, "weight decay must be non-negative, got \(weightDecay)")
        try check(decayEveryEpochs >= 1, "decay interval must be at least 1 epoch, got \(decayEveryEpochs)")
        try check(decayFactor > 0 && decayFactor <= 1, "decay factor must be in (0, 1], got \(decayFactor)")
        try check(minLearningRateFactor >= 0 && minLearningRateFactor <= 1, "minimum learning-rate factor must be in [0, 1], got \(minLearningRateFactor)")
        try check(gradientClip >= 0 && gradientClip.isFinite, "gradient clip must be non-negative, got \(gradientClip)")
        try check(evaluateEvery >= 1, "evaluation interval must be at least 1, got \(evaluateEvery)")
        try check(checkpointEvery >= 1, "checkpoint interval must be at least 1, got \(checkpointEvery)")
        try check(keepCheckpoints >= 1, "checkpoints to keep must be at least 1, got \(keepCheckpoints)")
        try check(patience.map { $0 >= 1 } ?? true, "patience must be at least 1, got \(patience ?? 0)")
        try check(syncEvery.map { $0 >= 1 } ?? true, "sync interval must be at least 1, got \(syncEvery ?? 0)")
        try check(divergenceFactor > 1, "divergence factor must be above 1, got \(divergenceFactor)")
        do { try productPrecision.check() } catch { throw .unsupportedPrecision(error.description) }
    }
}
