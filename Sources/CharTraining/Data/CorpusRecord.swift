/// The corpus a run trains on, recorded so that a resume can find it and notice when it changed.
public struct CorpusRecord: Codable, Equatable, Sendable {
    /// The path given to `charnn train`, as given.
    public var path: String
    /// Bytes read.
    public var byteCount: Int
    /// Graphemes (ids) it encoded to.
    public var tokenCount: Int

    /// A record of a corpus read from `path`.
    public init(path: String, byteCount: Int, tokenCount: Int) {
        self.path = path
        self.byteCount = byteCount
        self.tokenCount = tokenCount
    }
}
