import Testing
@testable import CharTokenizer

/// decode(encode(x)) gives back NFC(x), scalar for scalar (String's == would hide a normalization difference).
@Suite struct RoundTripTests {
    static let samples: [String] = [
        "Cafe\u{301} na\u{308}ive a\u{300}\u{316} Z\u{327}\u{30C}",  // Latin with combining marks
        "Ἐν ἀρχῇ ἦν ὁ λόγος",  // Greek, polytonic
        "Съешь же ещё этих мягких французских булок",  // Cyrillic
        "اللُّغَةُ الْعَرَبِيَّةُ",  // Arabic with harakat
        "שָׁלוֹם עוֹלָם",  // Hebrew with niqqud
        "नमस्ते दुनिया क्षत्रिय",  // Devanagari with conjuncts
        "ภาษาไทยง่ายนิดเดียว",  // Thai
        "\u{1100}\u{1161}\u{11A8}\u{1112}\u{1161}\u{11AB} 한국어",  // Hangul jamo sequences and syllables
        "漢字かなカナ混じり文、中文字符",  // CJK
        "👋🏽 👩‍👩‍👧‍👦 🧑🏿‍🚀 ❤️‍🔥 🏳️‍🌈",  // skin tones, ZWJ sequences
        "🇫🇷🇯🇵🇺🇸 🏴󠁧󠁢󠁳󠁣󠁴󠁿",  // flags, tag sequence
        "line one\r\nline two\r\n\r\n\n\r",  // CR LF
    ]

    static func scalars(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }

    @Test(arguments: samples)
    func roundTripGivesNFC(_ text: String) throws {
        let tokenizer = try Tokenizer(vocabulary: Vocabulary(corpus: text))
        let ids = tokenizer.encode(text)
        #expect(!ids.contains(Vocabulary.unknownID))
        #expect(Self.scalars(tokenizer.decode(ids)) == Self.scalars(Normalization.nfc(text)))
        #expect(ids.count == tokenizer.units(of: text).count)
    }

    @Test(arguments: samples)
    func scalarUnitRoundTrips(_ text: String) throws {
        let settings = TokenizerSettings(normalize: true, unit: .scalar)
        let tokenizer = try Tokenizer(vocabulary: Vocabulary(corpus: text, settings: settings))
        let ids = tokenizer.encode(text)
        #expect(ids.count == Normalization.nfc(text).unicodeScalars.count)
        #expect(Self.scalars(tokenizer.decode(ids)) == Self.scalars(Normalization.nfc(text)))
    }

    @Test func unitsAreWhatAReaderSeesAsCharacters() throws {
        let tokenizer = try Tokenizer(vocabulary: Vocabulary(corpus: "x"))
        #expect(tokenizer.units(of: "👩‍👩‍👧‍👦🇫🇷🇯🇵a\r\nb") == ["👩‍👩‍👧‍👦", "🇫🇷", "🇯🇵", "a", "\r\n", "b"])
        #expect(tokenizer.units(of: "\u{1100}\u{1161}\u{11A8}").count == 1)
    }

    @Test func decomposedAndPrecomposedEAreOneToken() throws {
        let tokenizer = try Tokenizer(vocabulary: Vocabulary(corpus: "caf\u{E9}"))
        let precomposed = tokenizer.encode("\u{E9}")
        let decomposed = tokenizer.encode("e\u{301}")
        #expect(precomposed.count == 1)
        #expect(decomposed == precomposed)
        #expect(precomposed != [Vocabulary.unknownID])
    }

    @Test func withoutNormalizationDecomposedEStaysDistinct() throws {
        let settings = TokenizerSettings(normalize: false)
        let tokenizer = try Tokenizer(vocabulary: Vocabulary(corpus: "caf\u{E9}", settings: settings))
        #expect(tokenizer.encode("e\u{301}") == [Vocabulary.unknownID])
        #expect(Self.scalars(tokenizer.decode(tokenizer.encode("caf\u{E9}"))) == Self.scalars("caf\u{E9}"))
    }

    @Test func outOfVocabularyInputBecomesUnknown() throws {
        let tokenizer = try Tokenizer(vocabulary: Vocabulary(corpus: "abc"))
        let ids = tokenizer.encode("abxc🦄\u{0}\u{10FFFF}")
        #expect(ids == [1, 2, Vocabulary.unknownID, 3, Vocabulary.unknownID, Vocabulary.unknownID, Vocabulary.unknownID])
        #expect(tokenizer.decode(ids) == "ab\u{FFFD}c\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(tokenizer.decode([99, -1]) == "\u{FFFD}\u{FFFD}")
        #expect(tokenizer.encode("") == [])
    }

    @Test func asciiFastPathAgreesWithSwiftCharacters() throws {
        let text = "a\u{301}b\r\nc\n\r\u{308}d 👍🏻.\r\n\u{301}e\u{E9}"
        let tokenizer = try Tokenizer(vocabulary: Vocabulary(corpus: text, settings: TokenizerSettings(normalize: false)))
        #expect(tokenizer.units(of: text) == text.map(String.init))
    }

    @Test func multilingualCorpusSegmentsLikeSwift() throws {
        // Swift's own grapheme rules agree with ICU's on these scripts (the Indic ones GB9c changed are left out).
        let reader = CorpusReader()
        let corpus = try reader.read(SharedData.path("corpora/multilingual"))
        let segmenter = try GraphemeSegmenter(settings: TokenizerSettings(normalize: false))
        let units = segmenter.segments(of: corpus.text)
        #expect(units.count == corpus.text.count)
        #expect(units.joined().utf8.elementsEqual(corpus.text.utf8))
    }

    @Test func windowedSegmentationMatchesWholeText() throws {
        var text = ""
        for index in 0..<200 { text += "line \(index): e\u{301}\u{E9}👩‍👩‍👧 ภาษา\r\n" + (index % 7 == 0 ? "\u{301}x\n" : "") }
        let whole = try GraphemeSegmenter()
        let windowed = try GraphemeSegmenter(settings: TokenizerSettings(), windowLimit: 50)
        let expected = whole.segments(of: text).map(Self.scalars)
        #expect(windowed.segments(of: text).map(Self.scalars) == expected)
        #expect(expected.count == Normalization.nfc(text).count)
    }
}
