import Testing
@testable import CharTokenizer

@Suite struct WordBoundaryTests {
    let boundaries: WordBoundaries

    init() throws {
        boundaries = try WordBoundaries()
    }

    /// The segments of `text` that are words, as text.
    private func words(in text: String) -> [Substring] {
        boundaries.segments(in: text).filter(\.isWord).map { text[$0.range] }
    }

    @Test func english() {
        let text = "Don't stop, 42 times."
        #expect(words(in: text) == ["Don't", "stop", "42", "times"])
        let segments = boundaries.segments(in: text)
        #expect(segments.map(\.graphemeRange.upperBound) == [5, 6, 10, 11, 12, 14, 15, 20, 21])
        #expect(segments.map(\.isWord) == [true, false, true, false, false, true, false, true, false])
        #expect(segments.map { String(text[$0.range]) }.joined() == text)
    }

    @Test func frenchWithDecomposedDiacritics() {
        let text = "L'été de\u{301}ja\u{300} là"
        #expect(words(in: text) == ["L'été", "de\u{301}ja\u{300}", "là"])
        let deja = boundaries.segments(in: text)[2]
        #expect(deja.graphemeRange == 6..<10)
        #expect(deja.utf8Range == 8..<16)
    }

    @Test func thaiWithoutSpaces() {
        let text = "ภาษาไทยง่ายนิดเดียว"
        #expect(words(in: text) == ["ภาษา", "ไทย", "ง่าย", "นิด", "เดียว"])
        #expect(boundaries.segments(in: text).allSatisfy { $0.isWord })
    }

    @Test func japaneseWithoutSpaces() {
        let text = "私は日本語を話します。"
        let words = self.words(in: text)
        #expect(words.joined() == "私は日本語を話します")
        #expect(words.count > 3)
        #expect(words.contains("日本語"))
        #expect(boundaries.segments(in: text).last?.isWord == false)
    }

    @Test func emojiAndEmptyText() {
        #expect(boundaries.segments(in: "") == [])
        let text = "hi 👩‍👩‍👧‍👦!"
        #expect(boundaries.segments(in: text).map(\.graphemeRange) == [0..<2, 2..<3, 3..<4, 4..<5])
    }
}
