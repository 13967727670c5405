/// Why training could not start or had to stop.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A setting out of range; the text names it.
    case invalidOption(String)
    /// The CPU cannot train in the precision asked for; the text says what it needs.
    case unsupportedPrecision(String)
    /// The corpus cannot feed even one batch.
    case corpusTooSmall(String)
    /// The loss or gradient became NaN, infinite, or far above its start.
    case diverged(step: Int, reason: String)
    /// The run folder is unusable; the text says why and what to do.
    case runFolder(String)
    /// A checkpoint could not be used; the text names the file and the problem.
    case checkpoint(String)
    /// Options given on the command line contradict the checkpoint being resumed.
    case conflictingOptions([String])
    /// Training over MPI could not start or go on; the text says why and what to do.
    case distributed(String)

    public var description: String {
        switch self {
        case .invalidOption(let text): "invalid training option: \(text)"
        case .corpusTooSmall(let text): "corpus too small: \(text)"
        case .diverged(let step, let reason):
            "training diverged at step \(step): \(reason); the last good checkpoint is kept as the latest (try a lower learning rate)"
        case .runFolder(let text): text
        case .unsupportedPrecision(let text): text
        case .checkpoint(let text): text
        case .distributed(let text): text
        case .conflictingOptions(let names):
            "options contradict the checkpoint being resumed: \(names.joined(separator: ", ")) (drop them to continue as before, or start a new run)"
        }
    }
}
