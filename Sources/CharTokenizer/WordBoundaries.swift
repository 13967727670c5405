import CICU

/// Word boundaries by ICU's word rules (UAX #29 plus ICU's dictionaries), which also split languages written
/// without spaces, such as Thai and Japanese.
///
/// Works on the string as given (no normalization), so offsets point into the caller's text.
public final class WordBoundaries: Sendable {
    private let words: ICUBreaker
    private let graphemes: GraphemeSegmenter

    /// Throws only when ICU itself is broken.
    public init() throws(TokenizerError) {
        words = try ICUBreaker(kind: CICU_BREAK_WORD)
        graphemes = try GraphemeSegmenter(settings: TokenizerSettings(normalize: false, unit: .grapheme))
    }

    /// The segments of `text` between consecutive word boundaries, covering all of it, each marked word or not.
    public func segments(in text: String) -> [WordSegment] {
        var contiguous = text
        return contiguous.withUTF8 { bytes in
            var graphemeEnds: [Int] = []
            var offset = 0
            graphemes.segment(bytes) { unit in
                offset += unit.count
                graphemeEnds.append(offset)
            }
            var segments: [WordSegment] = []
            var start = 0, startGrapheme = 0
            words.withText(bytes) { iterator in
                while let end = iterator.next() {
                    let endGrapheme = Self.graphemeCount(upTo: end, graphemeEnds: graphemeEnds)
                    segments.append(WordSegment(
                        range: text.utf8.index(text.startIndex, offsetBy: start)..<text.utf8.index(text.startIndex, offsetBy: end),
                        utf8Range: start..<end, graphemeRange: startGrapheme..<endGrapheme,
                        ruleStatus: iterator.ruleStatus
                    ))
                    start = end
                    startGrapheme = endGrapheme
                }
            }
            return segments
        }
    }

    /// The number of grapheme clusters ending at or before byte `offset`.
    private static func graphemeCount(upTo offset: Int, graphemeEnds: [Int]) -> Int {
        var low = 0, high = graphemeEnds.count
        while low < high {
            let middle = (low + high) / 2
            if graphemeEnds[middle] <= offset { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
