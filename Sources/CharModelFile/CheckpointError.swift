/// Why a checkpoint could not be written or read.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The file is not a well-formed safetensors file; `problem` says how.
    case damaged(path: String, problem: String)
    /// The file is well-formed but its contents do not hash to the recorded checksum.
    case checksumMismatch(path: String, stored: String, computed: String)
    /// The file records a format version other than `CheckpointFile.formatVersion`.
    case unsupportedVersion(path: String, version: String)
    /// A required metadata entry is absent.
    case missingMetadata(path: String, key: String)
    /// A requested tensor is absent.
    case missingTensor(path: String, name: String)
    /// A metadata entry is not valid JSON for the requested type.
    case invalidMetadataJSON(path: String, key: String, reason: String)
    /// A value could not be encoded as JSON (e.g. a NaN Float).
    case unencodableMetadata(type: String, reason: String)
    /// The caller's metadata uses a key the checkpoint format reserves.
    case reservedMetadataKey(key: String)

    /// One line naming the file, the problem and what to do.
    public var description: String {
        switch self {
        case let .damaged(path, problem):
            "checkpoint \(path) is damaged: \(problem)"
        case let .checksumMismatch(path, stored, computed):
            "checkpoint \(path) is damaged: checksum mismatch (file truncated or modified): it records \(stored) but its contents hash to \(computed)"
        case let .unsupportedVersion(path, version):
            "checkpoint \(path) was written by format version \(version); this charnn reads version \(CheckpointFile.formatVersion)"
        case let .missingMetadata(path, key):
            "checkpoint \(path) has no '\(key)' metadata entry; was it written by charnn?"
        case let .missingTensor(path, name):
            "checkpoint \(path) has no tensor '\(name)'; was it written for another model?"
        case let .invalidMetadataJSON(path, key, reason):
            "checkpoint \(path): metadata key '\(key)' is not valid JSON: \(reason)"
        case let .unencodableMetadata(type, reason):
            "cannot store \(type) as checkpoint metadata: \(reason)"
        case let .reservedMetadataKey(key):
            "metadata key '\(key)' is reserved for the checkpoint format; store the value under another key"
        }
    }
}
