/// How often each unit (grapheme cluster or scalar) occurs in a corpus, most frequent first.
public struct GraphemeFrequencies: Sendable, Equatable {
    /// One unit and its number of occurrences.
    public struct Entry: Sendable, Equatable, Hashable {
        public var grapheme: String
        public var count: Int

        /// `grapheme` seen `count` times.
        public init(grapheme: String, count: Int) {
            self.grapheme = grapheme
            self.count = count
        }
    }

    /// The settings the corpus was segmented with.
    public let settings: TokenizerSettings
    /// Every distinct unit, by count descending, ties by code points ascending: the order vocabulary ids follow.
    public let entries: [Entry]
    /// The number of units in the corpus.
    public let total: Int

    /// Counts the units of `text` under `settings`; throws only when ICU itself is broken.
    public init(counting text: String, settings: TokenizerSettings = TokenizerSettings()) throws(TokenizerError) {
        try self.init(counting: text, segmenter: GraphemeSegmenter(settings: settings))
    }

    /// Counts the units of `text` with an existing segmenter.
    public init(counting text: String, segmenter: GraphemeSegmenter) {
        var table = ByteKeyedTable(minimumCapacity: 256)
        var counts: [Int] = []
        var asciiCounts = [Int](repeating: 0, count: 128)
        var total = 0
        var text = text
        text.withUTF8 { bytes in
            asciiCounts.withUnsafeMutableBufferPointer { asciiCounts in
                segmenter.forEachUnit(in: bytes) { unit in
                    total += 1
                    if unit.count == 1 {
                        asciiCounts[Int(unit[0])] += 1
                        return
                    }
                    let index = table.insert(unit)
                    if index == counts.count {
                        counts.append(1)
                    } else {
                        counts[index] += 1
                    }
                }
            }
        }
        var entries: [(bytes: [UInt8], count: Int)] = []
        for (byte, count) in asciiCounts.enumerated() where count > 0 {
            entries.append(([UInt8(byte)], count))
        }
        for index in 0..<table.count {
            entries.append((Array(table.key(at: index)), counts[index]))
        }
        // UTF-8 byte order is code point order, so comparing bytes breaks ties by code points.
        entries.sort { $0.count != $1.count ? $0.count > $1.count : $0.bytes.lexicographicallyPrecedes($1.bytes) }
        self.settings = segmenter.settings
        self.entries = entries.map { Entry(grapheme: String(decoding: $0.bytes, as: UTF8.self), count: $0.count) }
        self.total = total
    }

    /// The number of distinct units.
    public var distinctCount: Int { entries.count }

    /// The fraction of the corpus's units a vocabulary built with these limits covers (the rest become `<unk>`);
    /// 1 for an empty corpus.
    public func coverage(maxSize: Int? = nil, minCount: Int = 1) -> Double {
        guard total > 0 else { return 1 }
        let kept = Vocabulary.keptEntryCount(of: entries, maxSize: maxSize, minCount: minCount)
        let covered = entries.prefix(kept).reduce(0) { $0 + $1.count }
        return Double(covered) / Double(total)
    }
}
