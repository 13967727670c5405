/// The mapping between units (grapheme clusters or scalars) and the ids a model sees.
///
/// Id 0 is `<unk>`, which stands for every unit outside the vocabulary; ids 1... follow the corpus frequency order
/// (count descending, ties by code points ascending), so the same corpus and limits always give the same ids.
/// Decoding renders `<unk>` as U+FFFD REPLACEMENT CHARACTER (`unknownMarker`).
///
/// A vocabulary carries the tokenizer settings and the ICU and Unicode versions that segmented its corpus, and
/// is `Codable` so a checkpoint can embed it whole.
public struct Vocabulary: Sendable, Equatable, Codable {
    /// The id of `<unk>`.
    public static let unknownID: Int32 = 0
    /// What decoding writes for `<unk>`: U+FFFD REPLACEMENT CHARACTER.
    public static let unknownMarker = "\u{FFFD}"

    /// The settings the units were made with; a tokenizer over this vocabulary uses them.
    public let settings: TokenizerSettings
    /// The ICU and Unicode versions that segmented the corpus.
    public let versions: UnicodeVersionInfo
    /// The known units; unit `graphemes[i]` has id `i + 1`.
    public let graphemes: [String]
    /// How often each known unit occurred in the corpus, parallel to `graphemes`.
    public let counts: [Int]
    /// How many units of the corpus fell outside the vocabulary.
    public let unknownCount: Int

    let table: ByteKeyedTable

    /// Builds the vocabulary of `corpus`; `maxSize` caps the number of ids (counting `<unk>`), `minCount` drops
    /// units seen fewer times.
    public init(
        corpus: String, settings: TokenizerSettings = TokenizerSettings(), maxSize: Int? = nil, minCount: Int = 1
    ) throws(TokenizerError) {
        try self.init(frequencies: GraphemeFrequencies(counting: corpus, settings: settings), maxSize: maxSize, minCount: minCount)
    }

    /// Builds a vocabulary from counted units; `maxSize` caps the number of ids (counting `<unk>`), `minCount` drops
    /// units seen fewer times.
    public init(
        frequencies: GraphemeFrequencies, maxSize: Int? = nil, minCount: Int = 1,
        versions: UnicodeVersionInfo = .current
    ) throws(TokenizerError) {
        if let maxSize, maxSize < 1 { throw .invalidMaxSize(maxSize) }
        guard minCount >= 1 else { throw .invalidMinCount(minCount) }
        let kept = frequencies.entries.prefix(Self.keptEntryCount(of: frequencies.entries, maxSize: maxSize, minCount: minCount))
        try self.init(
            settings: frequencies.settings, versions: versions,
            graphemes: kept.map(\.grapheme), counts: kept.map(\.count),
            unknownCount: frequencies.total - kept.reduce(0) { $0 + $1.count }
        )
    }

    /// A vocabulary with the given units in id order (id 1 first).
    public init(
        settings: TokenizerSettings, versions: UnicodeVersionInfo = .current,
        graphemes: [String], counts: [Int]? = nil, unknownCount: Int = 0
    ) throws(TokenizerError) {
        let counts = counts ?? [Int](repeating: 0, count: graphemes.count)
        guard counts.count == graphemes.count else {
            throw .invalidVocabulary(reason: "\(graphemes.count) graphemes but \(counts.count) counts")
        }
        var table = ByteKeyedTable(minimumCapacity: graphemes.count)
        for (index, grapheme) in graphemes.enumerated() {
            var grapheme = grapheme
            let inserted = grapheme.withUTF8 { table.insert($0) }
            guard inserted == index else {
                throw .invalidVocabulary(reason: "grapheme \(grapheme.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")) appears twice")
            }
        }
        self.settings = settings
        self.versions = versions
        self.graphemes = graphemes
        self.counts = counts
        self.unknownCount = unknownCount
        self.table = table
    }

    /// How many entries of `entries` (sorted by count descending) a vocabulary with these limits keeps.
    static func keptEntryCount(of entries: [GraphemeFrequencies.Entry], maxSize: Int?, minCount: Int) -> Int {
        let frequent = entries.firstIndex { $0.count < minCount } ?? entries.count
        guard let maxSize else { return frequent }
        return min(frequent, max(0, maxSize - 1))
    }

    /// The number of ids, `<unk>` included: the size of a model's embedding and output layers.
    public var count: Int { graphemes.count + 1 }

    /// The id of `grapheme`, or `unknownID` when it is not in the vocabulary. `grapheme` is one unit as the
    /// tokenizer produces it (in NFC when the settings normalize); `Tokenizer.encode` handles arbitrary text.
    public func id(for grapheme: String) -> Int32 {
        var grapheme = grapheme
        return grapheme.withUTF8 { id(forUTF8: $0) }
    }

    /// The id of the unit whose UTF-8 bytes are `bytes`, or `unknownID`.
    @inline(__always)
    func id(forUTF8 bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        table.index(of: bytes).map { Int32($0 + 1) } ?? Self.unknownID
    }

    /// What a model reads before a text with no context: a line feed when the vocabulary has one, so the model
    /// starts as at the beginning of a line; otherwise nothing.
    public var lineStartIDs: [Int32] {
        let newline = id(for: "\n")
        return newline == Self.unknownID ? [] : [newline]
    }

    /// The unit with id `id`; nil for `unknownID` and for ids outside the vocabulary.
    public func grapheme(for id: Int32) -> String? {
        id >= 1 && Int(id) <= graphemes.count ? graphemes[Int(id) - 1] : nil
    }

    /// The UTF-8 bytes of id `id`'s unit, or nil for `unknownID` and ids outside the vocabulary.
    func utf8(for id: Int32) -> ArraySlice<UInt8>? {
        id >= 1 && Int(id) <= graphemes.count ? table.key(at: Int(id) - 1) : nil
    }

    /// The fraction of the units counted in `frequencies` that this vocabulary knows (the rest become `<unk>`).
    public func coverage(of frequencies: GraphemeFrequencies) -> Double {
        guard frequencies.total > 0 else { return 1 }
        let covered = frequencies.entries.reduce(0) { sum, entry in
            sum + (id(for: entry.grapheme) == Self.unknownID ? 0 : entry.count)
        }
        return Double(covered) / Double(frequencies.total)
    }

    /// A one-line warning when this vocabulary was segmented under another Unicode version than `current`.
    public func segmentationWarning(current: UnicodeVersionInfo = .current) -> String? {
        versions.compatibilityWarning(against: current)
    }

    /// Vocabularies are equal when they map the same units to the same ids under the same settings and versions.
    public static func == (lhs: Vocabulary, rhs: Vocabulary) -> Bool {
        lhs.settings == rhs.settings && lhs.versions == rhs.versions && lhs.graphemes == rhs.graphemes
            && lhs.counts == rhs.counts && lhs.unknownCount == rhs.unknownCount
    }

    private enum CodingKeys: String, CodingKey {
        case format, settings, versions, unknownID, unknownMarker, graphemes, counts, unknownCount
    }

    /// The version of the stored form below.
    static let format = 1

    /// Reads the stored form, rejecting an unknown format, another `<unk>` id and duplicate units.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let format = try container.decode(Int.self, forKey: .format)
        guard format == Self.format else {
            throw TokenizerError.invalidVocabulary(reason: "stored format \(format) is not the supported format \(Self.format)")
        }
        let unknownID = try container.decode(Int32.self, forKey: .unknownID)
        guard unknownID == Self.unknownID else {
            throw TokenizerError.invalidVocabulary(reason: "<unk> has id \(unknownID), expected \(Self.unknownID)")
        }
        try self.init(
            settings: container.decode(TokenizerSettings.self, forKey: .settings),
            versions: container.decode(UnicodeVersionInfo.self, forKey: .versions),
            graphemes: container.decode([String].self, forKey: .graphemes),
            counts: container.decode([Int].self, forKey: .counts),
            unknownCount: container.decode(Int.self, forKey: .unknownCount)
        )
    }

    /// Writes the stored form: format, settings, versions, `<unk>` id and marker, units and their counts.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.format, forKey: .format)
        try container.encode(settings, forKey: .settings)
        try container.encode(versions, forKey: .versions)
        try container.encode(Self.unknownID, forKey: .unknownID)
        try container.encode(Self.unknownMarker, forKey: .unknownMarker)
        try container.encode(graphemes, forKey: .graphemes)
        try container.encode(counts, forKey: .counts)
        try container.encode(unknownCount, forKey: .unknownCount)
    }
}
