import Foundation
import CharTokenizer

/// A corpus encoded for training: its ids (compact), the vocabulary that encoded them, and its record.
public struct TrainingCorpus {
    /// The corpus's ids, in order.
    public let ids: TokenIDs
    /// The vocabulary that encoded them.
    public let vocabulary: Vocabulary
    /// Where it came from and its size, as checkpoints record it.
    public let record: CorpusRecord
    /// Graphemes the vocabulary did not know, encoded as `<unk>`, with their counts (most frequent first).
    public let unknown: [GraphemeFrequencies.Entry]

    /// Reads `path` (a file, a folder of .txt files, or - for standard input) and encodes it with `vocabulary`, or
    /// with a vocabulary built from it (`settings`, `maxSize`, `minCount`) when none is given.
    ///
    /// The text is encoded in slices of about a megabyte straight into 2-byte ids, so the peak memory is the text
    /// plus its ids, never an intermediate array of the whole corpus.
    public init(
        path: String, lossy: Bool = false, vocabulary given: Vocabulary? = nil, settings: TokenizerSettings = TokenizerSettings(),
        maxSize: Int? = nil, minCount: Int = 1
    ) throws(TokenizerError) {
        let corpus = try CorpusReader(lossy: lossy).read(path)
        var text = corpus.text
        let frequencies = try GraphemeFrequencies(counting: text, settings: given?.settings ?? settings)
        let vocabulary = if let given { given } else {
            try Vocabulary(frequencies: frequencies, maxSize: maxSize, minCount: minCount)
        }
        let tokenizer = try Tokenizer(vocabulary: vocabulary)
        var ids = TokenIDs(vocabularySize: vocabulary.count)
        // A text has at most as many graphemes as bytes: reserving that much once avoids a copy of the whole
        // corpus, at twice its size, when the array would grow.
        ids.reserveCapacity(text.utf8.count)
        text.withUTF8 { bytes in
            var start = 0
            while start < bytes.count {
                let end = Self.sliceEnd(bytes, from: start, target: 1 << 20)
                ids.append(contentsOf: tokenizer.encode(utf8: UnsafeBufferPointer(rebasing: bytes[start..<end])))
                start = end
            }
        }
        self.ids = ids
        self.vocabulary = vocabulary
        // An absolute path, so that a resume finds the corpus from any working directory.
        let recorded = path == CorpusReader.standardInputPath ? path : URL(fileURLWithPath: path).standardizedFileURL.path
        record = CorpusRecord(path: recorded, byteCount: corpus.byteCount, tokenCount: ids.count)
        unknown = frequencies.entries.filter { vocabulary.id(for: $0.grapheme) == Vocabulary.unknownID }
    }

    /// Where a slice starting at `start` may end: just after the first line feed past `target` bytes (a grapheme
    /// boundary always follows LF, and nothing composes across it), or the end of the text.
    static func sliceEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, target: Int) -> Int {
        var i = start + target
        while i < bytes.count {
            if bytes[i] == 0x0A { return i + 1 }
            i += 1
        }
        return bytes.count
    }
}
