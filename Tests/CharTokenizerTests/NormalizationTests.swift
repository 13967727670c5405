import Testing
@testable import CharTokenizer

/// The NFC quick check reads long runs without Latin-1 characters through a fixed buffer; these texts cross its
/// 1024-unit edge.
@Suite struct NormalizationTests {
    static func isNFC(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { Normalization.isNFC($0) }
    }

    static func scalars(_ text: String) -> [UInt32] { text.unicodeScalars.map(\.value) }

    @Test func longRunsWithoutLatinOneAreChecked() {
        #expect(Self.isNFC(String(repeating: "ж", count: 5000)))
        #expect(Self.isNFC(String(repeating: "漢字🙂", count: 2000)))
        #expect(Self.isNFC("plain ASCII and Latin-1: caf\u{E9}, na\u{EF}ve"))
        #expect(!Self.isNFC("cafe\u{301}"))
    }

    @Test(arguments: [1000, 1020, 1021, 1022, 1023, 1024, 1025, 1030, 2047, 2048])
    func problemsNearTheBufferEdgeAreFound(_ prefixLength: Int) {
        let prefix = String(repeating: "ж", count: prefixLength)
        // И + combining breve composes to Й; acute (ccc 230) before grave below (ccc 220) is out of canonical order.
        for (tail, expected) in [("\u{418}\u{306}", "\u{419}"), ("ж\u{301}\u{316}", "ж\u{316}\u{301}")] {
            let text = prefix + tail + "ж"
            #expect(!Self.isNFC(text))
            #expect(Self.scalars(Normalization.nfc(text)) == Self.scalars(prefix + expected + "ж"))
        }
    }

    @Test func longCombiningSequencesNormalizeCorrectly() {
        // No starter for 3000 marks: the quick check gives up (never a wrong "yes") and ICU composes a + acute
        // across the grave-below marks, which have a lower combining class and so do not block it.
        let marks = String(repeating: "\u{316}", count: 3000)
        let expected = Self.scalars("\u{E1}" + marks)
        #expect(!Self.isNFC("a" + marks + "\u{301}"))
        #expect(Self.scalars(Normalization.nfc("a" + marks + "\u{301}")) == expected)
        #expect(Self.scalars(Normalization.nfc("a\u{301}" + marks)) == expected)
        #expect(Self.scalars(Normalization.nfc("\u{E1}" + marks)) == expected)
    }

    @Test func normalizationCanGrowText() {
        // U+0958 DEVANAGARI LETTER QA is excluded from composition: NFC decomposes it, 3 bytes become 6.
        #expect(Self.scalars(Normalization.nfc(String(repeating: "\u{958}", count: 100))) == Array(repeating: [0x915, 0x93C], count: 100).flatMap { $0 })
        #expect(Self.scalars(Normalization.nfc("\u{1D160}")) == [0x1D158, 0x1D165, 0x1D16E])
    }
}
