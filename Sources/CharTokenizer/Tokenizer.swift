/// Text to ids and back: NFC (unless the vocabulary's settings turn it off), then grapheme clusters (or scalars),
/// then vocabulary ids; units outside the vocabulary become `Vocabulary.unknownID`.
///
/// `decode(encode(x)) == Normalization.nfc(x)` whenever every unit of `x` is in the vocabulary. Safe to share
/// between threads (concurrent calls take turns on one ICU iterator).
public struct Tokenizer: Sendable {
    /// The vocabulary, whose settings this tokenizer applies.
    public let vocabulary: Vocabulary
    /// The segmenter applying the vocabulary's settings.
    public let segmenter: GraphemeSegmenter
    /// Ids of single ASCII bytes, so that ASCII text skips the hash table.
    private let asciiIDs: [Int32]

    /// A tokenizer over `vocabulary`; throws only when ICU itself is broken.
    public init(vocabulary: Vocabulary) throws(TokenizerError) {
        self.vocabulary = vocabulary
        self.segmenter = try GraphemeSegmenter(settings: vocabulary.settings)
        self.asciiIDs = (0..<128).map { byte in
            withUnsafeBytes(of: UInt8(byte)) { vocabulary.id(forUTF8: $0.assumingMemoryBound(to: UInt8.self)) }
        }
    }

    /// The settings text is tokenized with.
    public var settings: TokenizerSettings { vocabulary.settings }

    /// The ids of `text`'s units.
    public func encode(_ text: String) -> [Int32] {
        var text = text
        return text.withUTF8 { encode(utf8: $0) }
    }

    /// The ids of the units of well-formed UTF-8 `bytes` (validate untrusted bytes with `UTF8Validation` first, or
    /// read them with `CorpusReader`).
    public func encode(utf8 bytes: UnsafeBufferPointer<UInt8>) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(bytes.count)
        asciiIDs.withUnsafeBufferPointer { asciiIDs in
            segmenter.forEachUnit(in: bytes) { unit in
                ids.append(unit.count == 1 ? asciiIDs[Int(unit[0])] : vocabulary.id(forUTF8: unit))
            }
        }
        return ids
    }

    /// The text of `ids`: each id's unit, `Vocabulary.unknownMarker` (U+FFFD) for `<unk>` and for ids outside
    /// the vocabulary.
    public func decode(_ ids: some Sequence<Int32>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.underestimatedCount)
        let marker = Array(Vocabulary.unknownMarker.utf8)
        for id in ids {
            if let unit = vocabulary.utf8(for: id) {
                bytes.append(contentsOf: unit)
            } else {
                bytes.append(contentsOf: marker)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The units of `text` after normalization, as strings; `encode` maps exactly these to ids.
    public func units(of text: String) -> [String] {
        segmenter.segments(of: text)
    }
}
