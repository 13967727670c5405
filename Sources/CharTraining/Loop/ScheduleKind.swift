/// How the learning rate changes over a run.
public enum ScheduleKind: String, Codable, CaseIterable, Sendable {
    /// The same rate throughout.
    case constant
    /// Multiplied by `decayFactor` every `decayEveryEpochs` epochs.
    case step
    /// Cosine from the base rate down to `minLearningRateFactor` x base over the planned iterations.
    case cosine
}
