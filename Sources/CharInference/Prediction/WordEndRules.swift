import CharTokenizer

/// Decides, for a word being built grapheme by grapheme, whether a candidate next grapheme continues it or starts
/// something new, by ICU's word-break rules (UAX #29 plus ICU's dictionaries for Thai, Japanese, Chinese, ...).
///
/// The rule: grapheme c ends the word w when ICU, segmenting the text w + c, puts a word boundary between w and c.
/// Nothing after c is looked at, so an apostrophe or a full stop always ends a word ("don" + "'" ends "don").
/// In an empty word (the cursor after a space or punctuation), c starts a word when ICU calls c alone a word.
///
/// Asking ICU for every candidate of every search step would cost V segmentations per model step, so a table made
/// once per vocabulary answers the common case exactly: when w ends in a "simple" grapheme (one that joins Latin
/// letters on both sides and is neither ExtendNumLet nor Hebrew, i.e. ICU's ALetter and Numeric classes), UAX #29's
/// rules WB4-WB13b depend only on that last grapheme and c, and c continues w exactly when it continues "a".
/// Everything else (kana, ideographs, words ending in a mark of their own) asks ICU; so do the scripts ICU splits
/// with a dictionary (Thai, Lao, Khmer, Myanmar, ...: Line_Break Complex_Context), whose letters join Latin letters
/// in ICU's rules but not always each other.
final class WordEndRules {
    /// Per id: ICU calls the grapheme alone a word.
    let startsWord: [Bool]
    /// Per id: "a" followed by the grapheme has no word boundary between them.
    let joinsLetter: [Bool]
    /// Per id: a simple grapheme (see above): after it the table decides.
    let isSimple: [Bool]
    /// Per id: the grapheme's text, "" for `<unk>`.
    let units: [String]
    private let boundaries: WordBoundaries

    /// The tables for `vocabulary`; throws only when ICU itself is broken.
    init(vocabulary: Vocabulary) throws(TokenizerError) {
        let boundaries = try WordBoundaries()
        self.boundaries = boundaries
        let units = [""] + vocabulary.graphemes
        self.units = units
        func breaks(_ left: String, _ right: String) -> Bool {
            Self.hasBoundary(boundaries, in: left + right, at: left.utf8.count)
        }
        let startsWord = units.map { unit in
            guard !unit.isEmpty, let first = boundaries.segments(in: unit).first else { return false }
            return first.isWord
        }
        self.startsWord = startsWord
        joinsLetter = units.map { !$0.isEmpty && !breaks("a", $0) }
        isSimple = units.enumerated().map { id, unit in
            guard !unit.isEmpty, !unit.unicodeScalars.contains(where: Self.isComplexContext) else { return false }
            return !breaks("a", unit) && !breaks(unit, "a") && !breaks("1", unit) && !breaks(unit, "1")
                && breaks(unit, "\u{30A2}") && breaks(unit, "'") && startsWord[id]
        }
    }

    /// Whether `scalar` is in a block of the scripts ICU segments with a dictionary (Line_Break = Complex_Context:
    /// Thai, Lao, Myanmar, Khmer, Tai Le, New Tai Lue, Tai Tham, Tai Viet, Ahom). Whole blocks, so a few
    /// punctuation marks take the exact (slower) path too.
    static func isComplexContext(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0E00...0x0EFF, 0x1000...0x109F, 0x1780...0x17FF, 0x1950...0x1AAF, 0xA9E0...0xA9FF, 0xAA60...0xAADF,
             0x11700...0x1174F:
            true
        default:
            false
        }
    }

    /// Whether ICU puts a word boundary at byte `offset` of `text`.
    private static func hasBoundary(_ boundaries: WordBoundaries, in text: String, at offset: Int) -> Bool {
        boundaries.segments(in: text).contains { $0.utf8Range.upperBound == offset }
    }

    /// Whether grapheme `id` ends the non-empty word `word` (whose last grapheme is simple when `lastIsSimple`).
    /// `word` is only read when the table cannot decide.
    @inline(__always)
    func ends(word: () -> String, lastIsSimple: Bool, next id: Int) -> Bool {
        if lastIsSimple { return !joinsLetter[id] }
        let text = word()
        return Self.hasBoundary(boundaries, in: text + units[id], at: text.utf8.count)
    }

    /// The cheap guess used for unlikely candidates when the caller allows it: c ends the word unless it is a word
    /// grapheme itself.
    @inline(__always)
    func guessEnds(next id: Int) -> Bool { !startsWord[id] }

    /// The word at the end of `text` by ICU (the typed part of the word at the cursor), or "" when `text` ends in
    /// a space, punctuation or nothing.
    func wordAtEnd(of text: String) -> String {
        guard let last = boundaries.segments(in: text).last, last.isWord else { return "" }
        return String(text[last.range])
    }
}
