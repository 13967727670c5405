import Foundation
import Testing
@testable import CharTokenizer

@Suite struct VocabularyTests {
    // 16 graphemes: a 5, \n 3, b 2, c 2, é 2 (one precomposed, one decomposed), 👍🏽 1, z 1.
    static let corpus = "abacab\ncaé\ne\u{301}a👍🏽z\n"

    @Test func idsFollowFrequencyThenCodePoints() throws {
        let vocabulary = try Vocabulary(corpus: Self.corpus)
        #expect(vocabulary.graphemes == ["a", "\n", "b", "c", "é", "z", "👍🏽"])
        #expect(vocabulary.counts == [5, 3, 2, 2, 2, 1, 1])
        #expect(vocabulary.count == 8)
        #expect(vocabulary.id(for: "a") == 1)
        #expect(vocabulary.id(for: "e\u{301}") == Vocabulary.unknownID)  // lookups take units as given, already NFC
        #expect(vocabulary.id(for: "\u{E9}") == 5)
        #expect(vocabulary.id(for: "q") == Vocabulary.unknownID)
        #expect(vocabulary.grapheme(for: 7) == "👍🏽")
        #expect(vocabulary.grapheme(for: Vocabulary.unknownID) == nil)
        #expect(vocabulary.grapheme(for: 8) == nil)
        #expect(vocabulary.unknownCount == 0)
    }

    @Test func buildingIsDeterministic() throws {
        let first = try Vocabulary(corpus: Self.corpus + "xyzzy")
        let second = try Vocabulary(corpus: Self.corpus + "xyzzy")
        #expect(first == second)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(first) == encoder.encode(second))
    }

    @Test func maxSizeCountsUnknownAndKeepsTheMostFrequent() throws {
        let vocabulary = try Vocabulary(corpus: Self.corpus, maxSize: 3)
        #expect(vocabulary.count == 3)
        #expect(vocabulary.graphemes == ["a", "\n"])
        #expect(vocabulary.unknownCount == 16 - 8)
        let tokenizer = try Tokenizer(vocabulary: vocabulary)
        #expect(tokenizer.encode("abz\n") == [1, 0, 0, 2])
        #expect(try Vocabulary(corpus: Self.corpus, maxSize: 1).count == 1)
    }

    @Test func minCountDropsRareUnits() throws {
        let vocabulary = try Vocabulary(corpus: Self.corpus, minCount: 2)
        #expect(vocabulary.graphemes == ["a", "\n", "b", "c", "é"])
        #expect(try Vocabulary(corpus: Self.corpus, maxSize: 3, minCount: 4).graphemes == ["a"])
    }

    @Test func invalidLimitsAreTypedErrors() {
        #expect(throws: TokenizerError.invalidMaxSize(0)) { try Vocabulary(corpus: "a", maxSize: 0) }
        #expect(throws: TokenizerError.invalidMinCount(0)) { try Vocabulary(corpus: "a", minCount: 0) }
    }

    @Test func coverageOfACappedVocabulary() throws {
        let frequencies = try GraphemeFrequencies(counting: Self.corpus)
        #expect(frequencies.total == 16)
        #expect(frequencies.distinctCount == 7)
        #expect(frequencies.coverage() == 1)
        #expect(frequencies.coverage(maxSize: 3) == 8.0 / 16.0)
        #expect(frequencies.coverage(minCount: 3) == 8.0 / 16.0)
        let vocabulary = try Vocabulary(frequencies: frequencies, maxSize: 3)
        #expect(vocabulary.coverage(of: frequencies) == 8.0 / 16.0)
        #expect(try vocabulary.coverage(of: GraphemeFrequencies(counting: "aaq")) == 2.0 / 3.0)
    }

    @Test func codableRoundTripKeepsSettingsAndVersions() throws {
        let settings = TokenizerSettings(normalize: false, unit: .scalar)
        let vocabulary = try Vocabulary(corpus: Self.corpus + "\r\n\u{0}", settings: settings, maxSize: 6)
        let data = try JSONEncoder().encode(vocabulary)
        let decoded = try JSONDecoder().decode(Vocabulary.self, from: data)
        #expect(decoded == vocabulary)
        #expect(decoded.settings == settings)
        #expect(decoded.versions == UnicodeVersionInfo.current)
        #expect(decoded.id(for: "\n") == vocabulary.id(for: "\n"))
        let json = try #require(String(data: data, encoding: .utf8))
        #expect(json.contains("\"unknownMarker\":\"\u{FFFD}\""))
    }

    @Test func decodingRejectsDuplicates() throws {
        let json = #"{"format":1,"settings":{"normalize":true,"unit":"grapheme"},"versions":{"icuVersion":"72.1","unicodeVersion":"15.0"},"unknownID":0,"unknownMarker":"\uFFFD","graphemes":["a","a"],"counts":[1,1],"unknownCount":0}"#
        #expect(throws: TokenizerError.self) { try JSONDecoder().decode(Vocabulary.self, from: Data(json.utf8)) }
    }

    @Test func unicodeVersionMismatchIsReported() throws {
        let old = UnicodeVersionInfo(icuVersion: "72.1", unicodeVersion: "15.0")
        let new = UnicodeVersionInfo(icuVersion: "74.2", unicodeVersion: "15.1")
        let vocabulary = try Vocabulary(frequencies: GraphemeFrequencies(counting: "ab"), versions: old)
        let warning = try #require(vocabulary.segmentationWarning(current: new))
        #expect(warning.contains("Unicode 15.0") && warning.contains("Unicode 15.1"))
        #expect(vocabulary.segmentationWarning(current: UnicodeVersionInfo(icuVersion: "72.2", unicodeVersion: "15.0")) == nil)
        #expect(try Vocabulary(corpus: "ab").segmentationWarning() == nil)
    }
}
