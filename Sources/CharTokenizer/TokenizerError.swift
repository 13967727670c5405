/// Everything that can go wrong while reading a corpus or building and loading a vocabulary.
///
/// Each case renders as one line that names the file, the offset or the bad value, and what to do.
public enum TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The path does not exist.
    case pathNotFound(path: String)
    /// The path exists but could not be read (permissions, a device, an I/O error).
    case unreadable(path: String, reason: String)
    /// A directory was given but holds no `.txt` file at any depth.
    case noTextFiles(directory: String)
    /// The corpus holds no text (after dropping a byte order mark).
    case emptyCorpus(path: String)
    /// The bytes at `byteOffset` (counted from the start of the file) are not well-formed UTF-8.
    case invalidUTF8(path: String, byteOffset: Int)
    /// A vocabulary size limit below 1 (the `<unk>` id alone takes one slot).
    case invalidMaxSize(Int)
    /// A minimum count below 1.
    case invalidMinCount(Int)
    /// A stored vocabulary is inconsistent (duplicate graphemes, mismatched counts, unknown format).
    case invalidVocabulary(reason: String)
    /// ICU failed, which means a broken ICU installation (for example missing data).
    case icuFailure(operation: String, errorName: String)

    /// The one-line message for users.
    public var description: String {
        switch self {
        case .pathNotFound(let path):
            return "corpus not found: \(path) (check the path; use - to read standard input)"
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .noTextFiles(let directory):
            return "no .txt files in directory \(directory) (corpus directories are searched recursively for files ending in .txt)"
        case .emptyCorpus(let path):
            return "corpus \(path) is empty: give a file with some text"
        case .invalidUTF8(let path, let byteOffset):
            return "\(path) is not valid UTF-8 at byte offset \(byteOffset): convert it to UTF-8 (e.g. with iconv) or read it lossily (--lossy) to replace bad bytes with U+FFFD"
        case .invalidMaxSize(let value):
            return "invalid vocabulary max size \(value): it must be at least 1 (the <unk> id takes one slot)"
        case .invalidMinCount(let value):
            return "invalid minimum count \(value): it must be at least 1"
        case .invalidVocabulary(let reason):
            return "invalid vocabulary: \(reason)"
        case .icuFailure(let operation, let errorName):
            return "ICU \(operation) failed with \(errorName): the ICU installation looks broken (run scripts/bootstrap)"
        }
    }
}
