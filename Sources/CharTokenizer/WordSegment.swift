import CICU

/// One piece of text between two adjacent word boundaries.
public struct WordSegment: Sendable, Equatable, Hashable {
    /// Where the segment sits in the string it was found in.
    public let range: Range<String.Index>
    /// The same range in UTF-8 bytes.
    public let utf8Range: Range<Int>
    /// The same range in grapheme clusters (ICU's) from the start of the string.
    public let graphemeRange: Range<Int>
    /// ICU's rule status: below 100 (`UBRK_WORD_NONE_LIMIT`) for spaces and punctuation, 100... for numbers,
    /// 200... letters, 300... kana, 400... ideographs.
    public let ruleStatus: Int32

    /// A segment at `range` (the same place in bytes and grapheme clusters) with ICU rule status `ruleStatus`.
    public init(range: Range<String.Index>, utf8Range: Range<Int>, graphemeRange: Range<Int>, ruleStatus: Int32) {
        self.range = range
        self.utf8Range = utf8Range
        self.graphemeRange = graphemeRange
        self.ruleStatus = ruleStatus
    }

    /// Whether the segment is a word (letters, numbers, kana, ideographs) rather than spaces or punctuation.
    public var isWord: Bool { ruleStatus >= CICU_WORD_NONE_LIMIT }
}
