import Foundation
import Testing

@Suite struct PredictCommandTests {
    struct Report: Decodable {
        struct Next: Decodable { var grapheme: String; var id: Int32; var probability: Double }
        struct Completion: Decodable { var word: String; var suffix: String; var suffixLength: Int; var probability: Double }
        var model: String
        var text: String
        var word: String
        var next: [Next]
        var completions: [Completion]
        var exact: Bool
    }

    static func report(_ arguments: [String]) throws -> Report {
        let result = try CharnnProcess.run(["predict", "--json"] + arguments)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
    }

    @Test func jsonListsNextGraphemesAndCompletionsOfTheWord() throws {
        let model = try TinyModel.path()
        let report = try Self.report(["--model", model, "--k", "4", "the ca"])
        #expect(report.text == "the ca")
        #expect(report.word == "ca")
        #expect(report.exact)
        #expect(report.next.count == 4)
        #expect(report.next.map(\.probability) == report.next.map(\.probability).sorted(by: >))
        #expect(report.next.reduce(0) { $0 + $1.probability } <= 1)
        #expect(Set(report.next.map(\.grapheme)).count == 4)
        #expect(report.completions.count == 4)
        #expect(report.completions.map(\.probability) == report.completions.map(\.probability).sorted(by: >))
        for completion in report.completions {
            #expect(completion.word == "ca" + completion.suffix)
            #expect(!completion.word.contains(" "))
        }
        // The corpus's words starting with "ca": the model has learnt them.
        #expect(Set(report.completions.prefix(2).map(\.word)) == ["cat", "café"])
        // The first grapheme of a completion is a next grapheme, at least as likely as the completion.
        let first = try #require(report.next.first { $0.grapheme == String(report.completions[0].suffix.first!) })
        #expect(first.probability >= report.completions[0].probability)
    }

    @Test func afterASpaceItPredictsNextWords() throws {
        let report = try Self.report(["--model", try TinyModel.path(), "--k", "3", "café "])
        #expect(report.word == "")
        #expect(report.completions.count == 3)
        let words: Set = ["the", "cat", "sat", "on", "mat", "and", "then", "there", "café", "été"]
        for completion in report.completions {
            #expect(completion.word == completion.suffix)
            #expect(words.contains(completion.word), "\(completion.word)")
        }
    }

    @Test func plainOutputMatchesJSON() throws {
        let model = try TinyModel.path()
        let report = try Self.report(["--model", model, "--k", "2", "the ca"])
        let result = try CharnnProcess.run(["predict", "--model", model, "--k", "2", "the ca"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        func percent(_ p: Double) -> String { String(format: "%.2f%%", p * 100) }
        #expect(lines == [
            "next graphemes:",
            "\"\(report.next[0].grapheme)\" \(percent(report.next[0].probability))",
            "\"\(report.next[1].grapheme)\" \(percent(report.next[1].probability))",
            "completions of \"ca\":",
            "\"\(report.completions[0].word)\" \(percent(report.completions[0].probability))",
            "\"\(report.completions[1].word)\" \(percent(report.completions[1].probability))",
        ])
    }

    @Test func badInputIsAOneLineError() throws {
        let model = try TinyModel.path()
        #expect(try CharnnProcess.run(["predict", "--model", model, "--k", "0", "a"]).errorMessage
                == "invalid value 0 for --k: expected 1 to 100")
        #expect(try CharnnProcess.run(["predict", "--model", model, "--max-length", "99", "a"]).errorMessage
                == "invalid value 99 for --max-length: expected 1 to 64 graphemes")
        #expect(try CharnnProcess.run(["predict", "--model", model]).errorMessage == "Missing expected argument '<text>' (see charnn help)")
        #expect(try CharnnProcess.run(["predict", "--model", "/nonexistent/model", "a"]).errorMessage
                == "model /nonexistent/model does not exist; give a checkpoint file or a run folder")
    }
}
