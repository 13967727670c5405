import Foundation
import Testing
@testable import CharTokenizer

@Suite struct CorpusReaderTests {
    /// A fresh temporary directory for one test.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("charnn-corpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ bytes: [UInt8], to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    @Test func readsTinyShakespeare() throws {
        let corpus = try CorpusReader().read(SharedData.path("corpora/tinyshakespeare.txt"))
        #expect(corpus.byteCount == 1_115_394)
        #expect(corpus.text.utf8.count == 1_115_394)
        #expect(corpus.text.hasPrefix("First Citizen:"))
    }

    @Test func directoryIsReadSortedAndRecursively() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.write(Array("second".utf8), to: directory.appendingPathComponent("b.txt"))
        try Self.write(Array("first\n".utf8), to: directory.appendingPathComponent("a.txt"))
        try Self.write(Array("third".utf8), to: directory.appendingPathComponent("c/d.txt"))
        try Self.write(Array("ignored".utf8), to: directory.appendingPathComponent("notes.md"))
        try Self.write(Array("hidden".utf8), to: directory.appendingPathComponent(".git/e.txt"))
        let corpus = try CorpusReader().read(directory.path)
        #expect(corpus.text == "first\nsecond\nthird")
        #expect(corpus.files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["a.txt", "b.txt", "d.txt"])
    }

    @Test func leadingByteOrderMarkIsDropped() throws {
        let reader = CorpusReader()
        #expect(try reader.decode([0xEF, 0xBB, 0xBF, 0x61, 0xEF, 0xBB, 0xBF], name: "x") == "a\u{FEFF}")
        let warAndPeace = try reader.read(SharedData.path("corpora/english/war_and_peace_pg2600.txt"))
        #expect(warAndPeace.text.unicodeScalars.first != "\u{FEFF}")
        #expect(warAndPeace.text.utf8.count == warAndPeace.byteCount - 3)
    }

    @Test func invalidUTF8NamesFileAndOffset() throws {
        let reader = CorpusReader()
        #expect(throws: TokenizerError.invalidUTF8(path: "f", byteOffset: 3)) { try reader.decode([0x61, 0x62, 0x63, 0xFF], name: "f") }
        // Overlong, surrogate, beyond U+10FFFF, truncated: each rejected at its first byte.
        for (bytes, offset) in [([0x41, 0xC0, 0xAF], 1), ([0xED, 0xA0, 0x80], 0), ([0x20, 0xF4, 0x90, 0x80, 0x80], 1),
                                ([0x61, 0xE2, 0x82], 1), ([0xE2, 0x82, 0xAC, 0x80], 3)] as [([UInt8], Int)] {
            #expect(UTF8Validation.firstInvalidOffset(bytes) == offset)
        }
        #expect(UTF8Validation.firstInvalidOffset(Array("ascii text long enough for words €𝄞é".utf8)) == nil)

        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.txt")
        try Self.write([0xEF, 0xBB, 0xBF] + Array("héllo".utf8) + [0xC3, 0x28], to: file)
        #expect(throws: TokenizerError.invalidUTF8(path: file.path, byteOffset: 9)) { try reader.read(file.path) }
        let message = TokenizerError.invalidUTF8(path: file.path, byteOffset: 9).description
        #expect(message.contains("byte offset 9") && message.contains(file.path))
    }

    @Test func lossyDecodingReplacesInvalidBytes() throws {
        let reader = CorpusReader(lossy: true)
        #expect(try reader.decode([0x61, 0xFF, 0x62, 0xC3], name: "x") == "a\u{FFFD}b\u{FFFD}")
    }

    @Test func typedErrorsForBadPaths() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reader = CorpusReader()
        let missing = directory.appendingPathComponent("missing.txt").path
        #expect(throws: TokenizerError.pathNotFound(path: missing)) { try reader.read(missing) }
        #expect(throws: TokenizerError.noTextFiles(directory: directory.path)) { try reader.read(directory.path) }
        let empty = directory.appendingPathComponent("empty.txt")
        try Self.write([], to: empty)
        #expect(throws: TokenizerError.emptyCorpus(path: empty.path)) { try reader.read(empty.path) }
        try Self.write([0xEF, 0xBB, 0xBF], to: empty)
        #expect(throws: TokenizerError.emptyCorpus(path: empty.path)) { try reader.read(empty.path) }
        #expect(throws: TokenizerError.emptyCorpus(path: directory.path)) { try reader.read(directory.path) }
        if getuid() != 0 {
            let locked = directory.appendingPathComponent("locked.txt")
            try Self.write(Array("x".utf8), to: locked)
            try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: locked.path)
            #expect(throws: TokenizerError.unreadable(path: locked.path, reason: "Permission denied")) { try reader.read(locked.path) }
        }
        for error in [TokenizerError.pathNotFound(path: missing), .noTextFiles(directory: "d"), .emptyCorpus(path: "e"),
                      .unreadable(path: "u", reason: "r")] {
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func crlfStaysOneGrapheme() throws {
        let text = try CorpusReader().decode(Array("a\r\nb\r\n".utf8), name: "x")
        let tokenizer = try Tokenizer(vocabulary: Vocabulary(corpus: text))
        #expect(tokenizer.units(of: text) == ["a", "\r\n", "b", "\r\n"])
        #expect(tokenizer.vocabulary.graphemes == ["\r\n", "a", "b"])
    }
}
