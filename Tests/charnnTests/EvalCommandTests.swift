import CharTraining
import Foundation
import Testing

/// `charnn eval` on a tiny trained model: the three measures agree, JSON parses, splits work.
@Suite struct EvalCommandTests {
    struct Output: Decodable {
        struct Result: Decodable {
            var loss: Double
            var bitsPerCharacter: Double
            var perplexity: Double
            var predictions: Int
            var top1Accuracy: Double
            var top5Accuracy: Double
        }

        var model: String
        var split: String?
        var graphemes: Int
        var unknown: Int
        var result: Result
    }

    static func evaluate(_ arguments: [String]) throws -> Output {
        let result = try CharnnProcess.run(["eval"] + arguments + ["--json"])
        guard result.status == 0 else { throw TrainingScratch.Failure.trainingFailed(result.stderr) }
        return try JSONDecoder().decode(Output.self, from: Data(result.stdout.utf8))
    }

    @Test func lossBitsAndPerplexityAgreeAndSplitsCutTheCorpus() throws {
        let scratch = try TrainingScratch("eval")
        defer { scratch.remove() }
        let run = try scratch.train(out: "run", ["--max-iterations", "60", "--eval-every", "30", "--checkpoint-every", "30"])
        let whole = try Self.evaluate(["--model", run, scratch.corpus])
        #expect(whole.model == (try TrainingScratch.checkpoint(run, "best")).path)
        let size = try Data(contentsOf: URL(fileURLWithPath: scratch.corpus)).count
        #expect(whole.graphemes == size, "one grapheme per ASCII byte")
        #expect(whole.unknown == 0)
        #expect(whole.result.predictions == whole.graphemes - 1)
        #expect(abs(whole.result.bitsPerCharacter - whole.result.loss / log(2)) < 1e-9)
        #expect(abs(whole.result.perplexity - exp(whole.result.loss)) < 1e-9 * whole.result.perplexity)
        #expect(whole.result.loss > 1 && whole.result.loss < 3.4, "trained below the uniform loss ln 21")
        #expect(whole.result.top1Accuracy <= whole.result.top5Accuracy)

        let splits = CorpusSplits(count: size, trainFraction: 0.9, validationFraction: 0.05)
        let test = try Self.evaluate(["--model", run, "--split", "test"])
        #expect(test.split == "test")
        #expect(test.graphemes == splits.test.count)
        #expect(test.graphemes > 300 && test.graphemes < 500)
        #expect(abs(test.result.bitsPerCharacter - test.result.loss / log(2)) < 1e-9)
        // The split is measured as if it were the whole text: from a zero state at its first grapheme.
        let testText = scratch.folder.appendingPathComponent("test-split.txt")
        try Data(try Data(contentsOf: URL(fileURLWithPath: scratch.corpus))[splits.test]).write(to: testText)
        let alone = try Self.evaluate(["--model", run, testText.path])
        #expect(alone.graphemes == test.graphemes)
        #expect(alone.result.loss == test.result.loss)
        #expect(alone.result.top1Accuracy == test.result.top1Accuracy)
        let validation = try Self.evaluate(["--model", run, "--split", "validation", scratch.corpus])
        #expect(validation.graphemes == splits.validation.count)

        let plain = try CharnnProcess.run(["eval", "--model", run, scratch.corpus])
        #expect(plain.status == 0)
        #expect(plain.stdout == """
            model:        \(whole.model)
            text:         \(scratch.corpus)
            graphemes:    \(whole.graphemes)
            \(String(format: "loss:         %.4f nats/grapheme", whole.result.loss))
            \(String(format: "bits/char:    %.4f", whole.result.bitsPerCharacter))
            \(String(format: "perplexity:   %.3f", whole.result.perplexity))
            \(String(format: "top-1 / top-5 accuracy: %.2f%% / %.2f%%", whole.result.top1Accuracy * 100, whole.result.top5Accuracy * 100))

            """)
    }
}
