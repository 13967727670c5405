import CharModel

/// Where a run stands: everything beyond the tensors that a resumed run needs to continue exactly.
public struct TrainerState: Codable, Equatable, Sendable {
    /// Iterations done.
    public var step = 0
    /// Completed epochs.
    public var epoch = 0
    /// The next window of the current epoch: the data cursor.
    public var window = 0
    /// The generator that draws dropout masks, continued across a resume.
    public var rng: RandomSource
    /// The rate of the last update.
    public var learningRate: Float
    /// The lowest validation loss so far.
    public var bestValidationLoss: Float?
    /// Evaluations since the validation loss last improved (for early stopping).
    public var evaluationsWithoutImprovement = 0
    /// The first iteration's loss, the reference for divergence.
    public var firstLoss: Float?
    /// Exponential moving average of the training loss.
    public var smoothedLoss: Float?
    /// Seconds spent training, over every session of the run.
    public var elapsedSeconds: Double = 0
    /// Every evaluation, in order.
    public var history: [MetricsRecord] = []
    /// The ranks of the MPI job that trains the run; nil for one process. A resume must use as many.
    public var ranks: Int?

    /// The state of a run that has not started.
    public init(seed: UInt64, learningRate: Float) {
        rng = RandomSource(seed: seed &+ 0x5EED)
        self.learningRate = learningRate
    }

    /// The last validation loss, if any evaluation has run.
    public var lastValidationLoss: Float? { history.last?.validationLoss }
}
