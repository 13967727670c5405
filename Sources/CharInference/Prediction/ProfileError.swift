import CharModelFile

/// Why a personalisation profile cannot be used. The caller goes on with the shared model alone and leaves the
/// file as it is, so that nothing the user's typing taught is overwritten.
public enum ProfileError: Error, CustomStringConvertible, Equatable {
    /// The file is not a whole profile (truncated, modified, or not a profile at all).
    case damaged(path: String, problem: String)
    /// The profile was learned on another model: its change means nothing to this one.
    case notForThisModel(path: String, profileModel: String, model: String)

    /// What is wrong with a profile that failed to read as a checkpoint file, without the file's name.
    static func problem(of error: CheckpointError) -> String {
        switch error {
        case let .damaged(_, problem): problem
        case .checksumMismatch: "checksum mismatch (file truncated or modified)"
        case let .unsupportedVersion(_, version): "it was written by format version \(version)"
        case let .missingMetadata(_, key): "it is not a charnn profile (no '\(key)' entry)"
        default: error.description
        }
    }

    public var description: String {
        switch self {
        case let .damaged(path, problem):
            "profile \(path) is damaged: \(problem)"
        case let .notForThisModel(path, profileModel, model):
            "profile \(path) was learned on another model (\(profileModel), this one is \(model))"
        }
    }
}
