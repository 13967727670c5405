/// What the trainer reports as it goes, for a progress line or a log.
public struct TrainingProgress: Sendable {
    /// Iterations done.
    public var step: Int
    /// The planned number of iterations, when it is known.
    public var plannedSteps: Int?
    /// Completed epochs.
    public var epoch: Int
    /// Exponential moving average of the training loss, nats per grapheme.
    public var smoothedLoss: Float
    /// The last validation loss, if an evaluation has run.
    public var lastValidationLoss: Float?
    /// Training throughput over the last few seconds.
    public var charsPerSecond: Double
    /// Seconds of training so far, over every session of the run.
    public var elapsedSeconds: Double
    /// Estimated seconds left, when a plan is known.
    public var remainingSeconds: Double?
    /// Whether this report follows an evaluation.
    public var evaluated: Bool
}
