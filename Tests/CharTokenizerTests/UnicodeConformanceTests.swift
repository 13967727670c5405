import Foundation
import Testing
@testable import CharTokenizer

/// Unicode's own conformance files, run against the ICU this build links.
@Suite struct UnicodeConformanceTests {
    /// Code points with Indic_Conjunct_Break=Linker: the lines holding them are the ones rule GB9c (Unicode 15.1)
    /// changes, and the only ones skipped under a newer ICU.
    static let conjunctLinkers: Set<UInt32> = [0x094D, 0x09CD, 0x0ACD, 0x0B4D, 0x0C4D, 0x0D4D]

    @Test func icuImplementsUnicode15OrLater() {
        let version = UnicodeVersionInfo.current
        #expect(version.unicodeVersionComponents.lexicographicallyPrecedes([15, 0]) == false)
        #expect(!version.icuVersion.isEmpty)
    }

    @Test func everyGraphemeBreakTestLinePasses() throws {
        let segmenter = try GraphemeSegmenter(settings: TokenizerSettings(normalize: false, unit: .grapheme))
        let newerThan15 = UnicodeVersionInfo.current.unicodeVersionComponents.lexicographicallyPrecedes([15, 1]) == false
        var checked = 0, skipped = 0
        for line in try SharedData.lines("unicode/GraphemeBreakTest-15.0.0.txt") {
            let fields = line.prefix { $0 != "#" }.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard !fields.isEmpty else { continue }
            var text = ""
            var expected: [Int] = []
            for field in fields {
                switch field {
                case "÷": expected.append(text.unicodeScalars.count)
                case "×": break
                default: text.unicodeScalars.append(Unicode.Scalar(UInt32(field, radix: 16)!)!)
                }
            }
            if newerThan15 && text.unicodeScalars.contains(where: { Self.conjunctLinkers.contains($0.value) }) {
                skipped += 1
                continue
            }
            var actual = [0]
            for segment in segmenter.segments(of: text) {
                actual.append(actual.last! + segment.unicodeScalars.count)
            }
            #expect(actual == expected, "line: \(line)")
            checked += 1
        }
        if skipped > 0 {
            print("GraphemeBreakTest: skipped \(skipped) lines affected by GB9c (ICU implements Unicode \(UnicodeVersionInfo.current.unicodeVersion))")
        }
        #expect(checked + skipped == 602)
        #expect(newerThan15 || skipped == 0)
    }

    @Test func everyFullyQualifiedEmojiIsOneGrapheme() throws {
        let segmenter = try GraphemeSegmenter()
        var checked = 0
        for line in try SharedData.lines("unicode/emoji-test-15.0.txt") where line.contains("; fully-qualified") {
            let text = SharedData.scalars(line.prefix { $0 != ";" }.drop { $0 == " " })
            #expect(segmenter.segments(of: text) == [Normalization.nfc(text)], "line: \(line)")
            checked += 1
        }
        #expect(checked == 3655)
    }

    @Test func normalizationTestNFCColumns() throws {
        var checked = 0
        for line in try SharedData.lines("unicode/NormalizationTest-15.0.0.txt") {
            guard let first = line.first, first.isHexDigit else { continue }
            let columns = line.split(separator: ";", omittingEmptySubsequences: false).prefix(5).map(SharedData.scalars)
            let (c1, c2, c3, c4, c5) = (columns[0], columns[1], columns[2], columns[3], columns[4])
            for (source, expected) in [(c1, c2), (c2, c2), (c3, c2), (c4, c4), (c5, c4)] {
                let normalized = Normalization.nfc(source)
                #expect(Array(normalized.unicodeScalars) == Array(expected.unicodeScalars), "line: \(line)")
                // The quick check may say "maybe" for NFC text, but must never call text NFC that is not.
                if Array(normalized.unicodeScalars) != Array(source.unicodeScalars) {
                    var source = source
                    #expect(source.withUTF8 { Normalization.isNFC($0) } == false, "line: \(line)")
                }
            }
            checked += 1
        }
        #expect(checked == 19_074)
    }
}
