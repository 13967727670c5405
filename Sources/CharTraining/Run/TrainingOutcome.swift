/// How a call to `Trainer.run` ended.
public enum TrainingOutcome: Equatable, Sendable {
    /// The planned epochs, iterations or time ran out.
    case finished
    /// Validation stopped improving for `patience` evaluations.
    case earlyStopped
    /// A stop was requested (SIGINT or SIGTERM); the state was saved.
    case interrupted
}
