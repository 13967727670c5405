import Foundation
import Testing

@Suite struct VocabCommandTests {
    /// A fresh temporary directory holding `files` (name -> bytes).
    static func corpusDirectory(_ files: [String: [UInt8]]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("charnn-vocab-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, bytes) in files {
            try Data(bytes).write(to: directory.appendingPathComponent(name))
        }
        return directory
    }

    /// The JSON report's fields the tests read.
    struct Report: Decodable {
        struct Entry: Decodable, Equatable {
            var rank: Int
            var id: Int32
            var grapheme: String
            var display: String
            var count: Int
        }

        var units: Int
        var distinct: Int
        var vocabularySize: Int
        var coverage: Double
        var unknown: Int
        var normalize: Bool
        var unicodeVersion: String
        var top: [Entry]
    }

    @Test func reportsCountsAndCoverage() throws {
        // 24 graphemes: l 5, e 4, h 3, o 3, \n 2, space 2, r 2, d 1, t 1, w 1.
        let directory = try Self.corpusDirectory(["corpus.txt": Array("hello world\nhello there\n".utf8)])
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("corpus.txt").path
        let result = try CharnnProcess.run(["vocab", path, "--max-vocab", "5", "--top", "6"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.isEmpty)
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines.count == 12)
        #expect(lines[0] == "corpus \(path) (1 file, 24 bytes)")
        #expect(lines[1].hasPrefix("units 24 graphemes, 10 distinct (NFC, ICU "))
        #expect(lines[2] == "vocabulary 5 ids (4 graphemes + <unk>)")
        #expect(lines[3] == "coverage 62.50% of graphemes (max size 5, min count 1); 9 become <unk>")
        #expect(lines[4] == "top 6:")
        #expect(Array(lines[6...]) == [
            "1 1 5 20.83% \"l\"", "2 2 4 16.67% \"e\"", "3 3 3 12.50% \"h\"", "4 4 3 12.50% \"o\"",
            "5 0 2 8.33% \"\\n\"", "6 0 2 8.33% \" \"",
        ])
    }

    @Test func jsonReportParses() throws {
        let text = "café cafe\u{301}\r\n"
        let directory = try Self.corpusDirectory(["a.txt": Array(text.utf8)])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CharnnProcess.run(["vocab", directory.path, "--json"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.units == 10)
        #expect(report.distinct == 6)
        #expect(report.vocabularySize == 7)
        #expect(report.coverage == 1)
        #expect(report.unknown == 0)
        #expect(report.normalize)
        #expect(!report.unicodeVersion.isEmpty)
        #expect(report.top.map(\.grapheme) == ["a", "c", "f", "é", "\r\n", " "])
        #expect(report.top.map(\.count) == [2, 2, 2, 2, 1, 1])
        #expect(report.top.map(\.id) == [1, 2, 3, 4, 5, 6])
        #expect(report.top[4].display == "\\r\\n")

        let raw = try CharnnProcess.run(["vocab", directory.path, "--json", "--no-normalize"])
        #expect(try JSONDecoder().decode(Report.self, from: Data(raw.stdout.utf8)).distinct == 7)
        let scalars = try CharnnProcess.run(["vocab", directory.path, "--json", "--unit", "scalar"])
        #expect(try JSONDecoder().decode(Report.self, from: Data(scalars.stdout.utf8)).units == 11)
    }

    @Test func readsStandardInput() throws {
        let result = try CharnnProcess.run(["vocab", "-", "--json", "--top", "1"], stdin: Data("aab".utf8))
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.units == 3)
        #expect(report.top == [Report.Entry(rank: 1, id: 1, grapheme: "a", display: "a", count: 2)])
    }

    @Test func invalidUTF8NamesTheByteOffset() throws {
        let directory = try Self.corpusDirectory(["bad.txt": Array("abc\n".utf8) + [0xFF] + Array("def".utf8)])
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("bad.txt").path
        #expect(try CharnnProcess.run(["vocab", path]).errorMessage == "\(path) is not valid UTF-8 at byte offset 4: convert it to UTF-8 "
                + "(e.g. with iconv) or read it lossily (--lossy) to replace bad bytes with U+FFFD")
        let lossy = try CharnnProcess.run(["vocab", path, "--lossy", "--json"])
        #expect(lossy.status == 0)
        #expect(try JSONDecoder().decode(Report.self, from: Data(lossy.stdout.utf8)).units == 8)
    }

    @Test func emptyFileMissingPathAndDirectoryWithoutText() throws {
        let directory = try Self.corpusDirectory(["empty.txt": [], "notes.md": Array("# notes".utf8)])
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty.txt").path
        #expect(try CharnnProcess.run(["vocab", empty]).errorMessage == "corpus \(empty) is empty: give a file with some text")
        let missing = directory.appendingPathComponent("missing.txt").path
        #expect(try CharnnProcess.run(["vocab", missing]).errorMessage
                == "corpus not found: \(missing) (check the path; use - to read standard input)")
        try FileManager.default.removeItem(atPath: empty)
        #expect(try CharnnProcess.run(["vocab", directory.path]).errorMessage
                == "no .txt files in directory \(directory.path) (corpus directories are searched recursively for files ending in .txt)")
    }

    @Test func badOptionsAreOneLineErrors() throws {
        #expect(try CharnnProcess.run(["vocab"]).errorMessage == "Missing expected argument '<corpus>' (see charnn help)")
        #expect(try CharnnProcess.run(["vocab", "-", "--unit", "word"]).errorMessage
                == "The value 'word' is invalid for '--unit <unit>'. Please provide one of 'grapheme' and 'scalar'. (see charnn help)")
        #expect(try CharnnProcess.run(["vocab", "-", "--max-vocab", "0"], stdin: Data("a".utf8)).errorMessage
                == "invalid vocabulary max size 0: it must be at least 1 (the <unk> id takes one slot)")
    }
}
