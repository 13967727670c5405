/// What watches a training run: it hears progress after every iteration and may ask the run to stop.
public protocol TrainingMonitor {
    /// Called after every iteration (and its evaluation, if one was due).
    func report(_ progress: TrainingProgress)
    /// Checked after every iteration: when true, the run saves a checkpoint and ends as `.interrupted`.
    var stopRequested: Bool { get }
}
