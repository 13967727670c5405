/// Why the trainer asks for its state to be saved.
public enum CheckpointReason: Sendable {
    /// Every `checkpointEvery` iterations.
    case periodic
    /// The validation loss improved.
    case best
    /// The run ended as planned.
    case final
    /// A stop was requested.
    case interrupted
    /// An evaluation was recorded: the metrics file and the plot are due (no tensors).
    case metrics
}
