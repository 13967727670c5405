import CharModelFile
import Foundation
import Testing
import TestSupport

/// `charnn eval --keyboard` on the tiny model: the report, its options, and personalisation profiles.
@Suite struct EvalKeyboardTests {
    struct Report: Decodable {
        struct Result: Decodable, Equatable {
            var slots, phrases, graphemes, words, keystrokes, typedGraphemes, acceptedSuggestions, insertedGraphemes: Int
            var keystrokeSavings, top1Accuracy, top3Accuracy, latencyP50Microseconds, latencyP99Microseconds: Double
            var personalisationSteps: Int
        }
        var perLine: Bool
        var personalised: Bool
        var result: Result
    }

    static func report(_ arguments: [String]) throws -> Report {
        let run = try CharnnProcess.run(["eval", "--keyboard", "--json"] + arguments)
        guard run.status == 0 else { throw CharnnProcess.Failure.executableNotFound(searched: [run.stderr]) }
        return try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
    }

    @Test func reportsSavingsAccuracyAndLatency() throws {
        let model = try TinyModel.path()
        try withTemporaryDirectory { folder in
            let text = folder.appendingPathComponent("typed.txt")
            try Data("the cat sat on the mat\nand then there\n".utf8).write(to: text)
            let report = try Self.report(["--model", model, text.path])
            let r = report.result
            #expect(!report.perLine && !report.personalised)
            #expect([r.slots, r.phrases, r.graphemes, r.words] as [Int] == [3, 1, 38, 9])
            #expect(r.keystrokes == r.typedGraphemes + r.acceptedSuggestions)
            #expect(r.typedGraphemes + r.insertedGraphemes == r.graphemes)
            #expect(r.acceptedSuggestions > 0)
            #expect(r.keystrokeSavings == Double(38 - r.keystrokes) / 38)
            #expect(r.top1Accuracy > 0 && r.top1Accuracy <= r.top3Accuracy && r.top3Accuracy <= 1)
            #expect(r.latencyP50Microseconds > 0 && r.latencyP50Microseconds <= r.latencyP99Microseconds)
            #expect(r.personalisationSteps == 0)

            // More slots never cost keystrokes here, and one line per phrase drops the two line feeds.
            let five = try Self.report(["--model", model, "--slots", "5", text.path]).result
            #expect(five.slots == 5 && five.keystrokes <= r.keystrokes)
            let lines = try Self.report(["--model", model, "--per-line", text.path])
            #expect(lines.perLine && lines.result.phrases == 2 && lines.result.graphemes == 36)

            let plain = try CharnnProcess.run(["eval", "--keyboard", "--model", model, text.path])
            #expect(plain.status == 0)
            let shown = plain.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(shown.count == 8)
            #expect(shown.prefix(6).joined(separator: "\n") == """
                model:        \(try TrainingScratch.checkpoint(model, "best").path)
                text:         \(text.path)
                graphemes:    38 (9 words)
                keystrokes:   \(r.keystrokes) (\(r.typedGraphemes) typed, \(r.acceptedSuggestions) of 3 suggestions picked, entering \(r.insertedGraphemes) graphemes)
                \(String(format: "savings:      %.2f%% of keystrokes", r.keystrokeSavings * 100))
                \(String(format: "top-1 / top-3 next-grapheme accuracy: %.2f%% / %.2f%%", r.top1Accuracy * 100, r.top3Accuracy * 100))
                """)
            #expect(shown[6].wholeMatch(of: /latency:      p50 \d+ us, p99 \d+ us per keystroke/) != nil)
        }
    }

    @Test func badOptionsAreOneLineErrors() throws {
        let model = try TinyModel.path()
        #expect(try CharnnProcess.run(["eval", "--keyboard", "--model", model, "--split", "test"]).errorMessage
                == "--keyboard simulates typing a text file; it cannot be combined with --split")
        #expect(try CharnnProcess.run(["eval", "--keyboard", "--slots", "0", "--model", model, "t.txt"]).errorMessage
                == "invalid value 0 for --slots: expected 1 to 10")
        #expect(try CharnnProcess.run(["eval", "--keyboard", "--slots", "11", "--model", model, "t.txt"]).errorMessage
                == "invalid value 11 for --slots: expected 1 to 10")
        #expect(try CharnnProcess.run(["eval", "--slots", "5", "--model", model, "t.txt"]).errorMessage
                == "--slots, --per-line and --profile simulate typing; add --keyboard")
    }

    /// A profile is created on first use, and each later run starts from it and saves what it learned on top.
    @Test func aProfileLearnsAndIsKeptAcrossRuns() throws {
        let model = try TinyModel.path()
        try withTemporaryDirectory { folder in
            let text = folder.appendingPathComponent("typed.txt")
            try Data("then there then there then\n".utf8).write(to: text)
            let profile = folder.appendingPathComponent("me.profile")
            let first = try Self.report(["--model", model, "--profile", profile.path, text.path])
            #expect(first.personalised && first.result.personalisationSteps == 5)
            let saved = try CheckpointFile.read(from: profile)
            #expect(saved.metadata["personalisation_steps"] == "5")
            let second = try Self.report(["--model", model, "--profile", profile.path, text.path])
            #expect(second.result.personalisationSteps == 5)
            #expect(try CheckpointFile.read(from: profile).metadata["personalisation_steps"] == "10")
            // The second run started from the first's change and moved it on.
            #expect(try CheckpointFile.read(from: profile).tensors != saved.tensors)

            // predict learns from its text too, into the same profile.
            let predict = try CharnnProcess.run(["predict", "--model", model, "--profile", profile.path, "the cat "])
            #expect(predict.status == 0, "\(predict.stderr)")
            #expect(try CheckpointFile.read(from: profile).metadata["personalisation_steps"] == "12")
        }
    }

    @Test func unusableProfilesAreLeftAsTheyAreWithOneWarning() throws {
        let model = try TinyModel.path()
        try withTemporaryDirectory { folder in
            let text = folder.appendingPathComponent("typed.txt")
            try Data("the cat sat\n".utf8).write(to: text)
            let plain = try Self.report(["--model", model, text.path]).result

            let damaged = folder.appendingPathComponent("damaged.profile")
            try Data("not a profile at all".utf8).write(to: damaged)
            let result = try CharnnProcess.run(["eval", "--keyboard", "--json", "--model", model, "--profile", damaged.path, text.path])
            #expect(result.status == 0)
            #expect(result.stderrLines == ["warning: profile \(damaged.path) is damaged: its 8246126519243796334-byte header runs past the end of the 20-byte file (file truncated?); predicting with the shared model alone and leaving the file as it is (delete it to start a new profile)"])
            let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
            #expect(!report.personalised && report.result.keystrokes == plain.keystrokes)
            #expect(try Data(contentsOf: damaged) == Data("not a profile at all".utf8))

            // A profile learned on another model: the shipped one.
            let foreign = folder.appendingPathComponent("foreign.profile")
            #expect(try CharnnProcess.run(["predict", "--profile", foreign.path, "hello there "]).status == 0)
            let before = try Data(contentsOf: foreign)
            let refused = try CharnnProcess.run(["eval", "--keyboard", "--model", model, "--profile", foreign.path, text.path])
            #expect(refused.status == 0)
            #expect(refused.stderrLines.count == 1)
            #expect(refused.stderrLines.first?.hasPrefix("warning: profile \(foreign.path) was learned on another model (xxh64:") == true)
            #expect(try Data(contentsOf: foreign) == before)

            let nowhere = "/nonexistent-folder/me.profile"
            #expect(try CharnnProcess.run(["eval", "--keyboard", "--model", model, "--profile", nowhere, text.path]).errorMessage
                    == "cannot write profile \(nowhere): No such file or directory (folder /nonexistent-folder)")
        }
    }
}
