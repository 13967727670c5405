import Foundation
import Testing

@Suite struct EvalKeyboardTests {
    struct Report: Decodable {
        struct Result: Decodable, Equatable {
            var graphemes: Int
            var words: Int
            var typedGraphemes: Int
            var acceptedCompletions: Int
            var skippedGraphemes: Int
            var keystrokes: Int
            var keystrokeSavings: Double
            var top1Accuracy: Double
            var top3Accuracy: Double
            var latencyP50Microseconds: Double
            var latencyP99Microseconds: Double
        }
        var suggestions: Int
        var result: Result
    }

    @Test func reportsSavingsAccuracyAndLatency() throws {
        let model = try TinyModel.path()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("charnn-eval-keyboard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("typed.txt")
        try Data("the cat sat on the mat and then there\n".utf8).write(to: text)

        let run = try CharnnProcess.run(["eval", "--keyboard", "--model", model, "--json", text.path])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        let r = report.result
        #expect(report.suggestions == 3)
        #expect(r.graphemes == 38)
        #expect(r.words == 9)
        #expect(r.typedGraphemes + r.skippedGraphemes == r.graphemes)
        #expect(r.keystrokes == r.typedGraphemes + r.acceptedCompletions)
        #expect(r.acceptedCompletions > 0)
        #expect(abs(r.keystrokeSavings - Double(r.skippedGraphemes - r.acceptedCompletions) / 38) < 1e-12)
        #expect(r.keystrokeSavings > 0 && r.keystrokeSavings <= 1)
        #expect(r.top1Accuracy > 0 && r.top1Accuracy <= r.top3Accuracy && r.top3Accuracy <= 1)
        #expect(r.latencyP50Microseconds > 0 && r.latencyP50Microseconds <= r.latencyP99Microseconds)

        let again = try JSONDecoder().decode(Report.self, from: Data(try CharnnProcess.run(["eval", "--keyboard", "--model", model, "--json", text.path]).stdout.utf8))
        let counts: [Int] = [again.result.typedGraphemes, again.result.acceptedCompletions, again.result.skippedGraphemes]
        #expect(counts == [r.typedGraphemes, r.acceptedCompletions, r.skippedGraphemes])

        let plain = try CharnnProcess.run(["eval", "--keyboard", "--model", model, text.path])
        #expect(plain.status == 0)
        #expect(plain.stdout.contains("graphemes:    38 (9 words)"))
        #expect(plain.stdout.contains(String(format: "savings:      %.2f%% of keystrokes", r.keystrokeSavings * 100)))

        #expect(try CharnnProcess.run(["eval", "--keyboard", "--model", model, "--split", "test"]).errorMessage
                == "--keyboard simulates typing a text file; it cannot be combined with --split")
    }
}
