/// One row of the run's metrics: what `metrics.csv`, the loss plot and the checkpoint's loss history show.
public struct MetricsRecord: Codable, Equatable, Sendable {
    /// Iterations done when it was recorded.
    public var step: Int
    /// Completed epochs.
    public var epoch: Int
    /// Smoothed training loss, nats per grapheme.
    public var trainLoss: Float
    /// Validation loss, nats per grapheme, when this row is an evaluation.
    public var validationLoss: Float?
    /// The learning rate of the last update.
    public var learningRate: Float
    /// Training throughput over the last few seconds.
    public var charsPerSecond: Double
    /// Seconds of training so far.
    public var elapsedSeconds: Double
}
