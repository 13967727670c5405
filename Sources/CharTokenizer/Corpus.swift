/// A corpus read into memory by `CorpusReader`.
public struct Corpus: Sendable, Equatable {
    /// The text: byte order marks dropped, files joined in order.
    public let text: String
    /// The files read, in order ("standard input" for standard input).
    public let files: [String]
    /// The number of bytes read, byte order marks included.
    public let byteCount: Int

    /// A corpus of `text`, read from `files`, `byteCount` bytes on disk.
    public init(text: String, files: [String], byteCount: Int) {
        self.text = text
        self.files = files
        self.byteCount = byteCount
    }
}
