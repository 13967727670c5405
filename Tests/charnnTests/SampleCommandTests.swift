import Foundation
import Testing

/// `charnn sample` on a tiny trained model: reproducible, deterministic at temperature 0, JSON, stop and prime,
/// and one clear line for every bad input.
@Suite struct SampleCommandTests {
    /// A tiny model trained for 60 iterations; returns its checkpoint's path.
    static func model(_ scratch: TrainingScratch) throws -> String {
        try TrainingScratch.checkpoint(try scratch.train(out: "run", ["--max-iterations", "60", "--eval-every", "30", "--checkpoint-every", "30"]),
                                       "latest").path
    }

    struct Output: Decodable {
        struct Options: Decodable {
            var temperature: Float
            var seed: UInt64
        }

        var model: String
        var seed: UInt64
        var options: Options
        var prime: String
        var samples: [String]
    }

    @Test func sameSeedSameTextAndTemperatureZeroIsDeterministic() throws {
        let scratch = try TrainingScratch("sample-seed")
        defer { scratch.remove() }
        let model = try Self.model(scratch)
        let first = try CharnnProcess.run(["sample", "--model", model, "--seed", "11", "-l", "200", "--top-k", "5", "--top-p", "0.9"])
        let second = try CharnnProcess.run(["sample", "--model", model, "--seed", "11", "-l", "200", "--top-k", "5", "--top-p", "0.9"])
        #expect(first.status == 0 && second.status == 0, "\(first.stderr)")
        #expect(first.stdout == second.stdout)
        #expect(first.stdout.count == 201, "200 graphemes and a final line feed")
        #expect(first.stderr.isEmpty)
        let other = try CharnnProcess.run(["sample", "--model", model, "--seed", "12", "-l", "200", "--top-k", "5", "--top-p", "0.9"])
        #expect(other.stdout != first.stdout)

        let greedy = try CharnnProcess.run(["sample", "--model", model, "-t", "0", "-l", "100", "--seed", "1"])
        let greedyOtherSeed = try CharnnProcess.run(["sample", "--model", model, "-t", "0", "-l", "100", "--seed", "99"])
        #expect(greedy.status == 0)
        #expect(greedy.stdout == greedyOtherSeed.stdout, "temperature 0 ignores the seed")

        let unseeded = try CharnnProcess.run(["sample", "--model", model, "-l", "50"])
        let seed = try #require(unseeded.stderrLines.first?.wholeMatch(of: /seed (\d+)/)?.1)
        let replay = try CharnnProcess.run(["sample", "--model", model, "-l", "50", "--seed", String(seed)])
        #expect(replay.stdout == unseeded.stdout, "the reported seed reproduces the sample")
    }

    @Test func jsonStopAndPrime() throws {
        let scratch = try TrainingScratch("sample-json")
        defer { scratch.remove() }
        let model = try Self.model(scratch)
        let json = try CharnnProcess.run(["sample", "--model", model, "--seed", "3", "-l", "40", "--count", "2", "--json", "--prime", "the cat"])
        #expect(json.status == 0, "\(json.stderr)")
        let output = try JSONDecoder().decode(Output.self, from: Data(json.stdout.utf8))
        #expect(output.model == model)
        #expect(output.seed == 3)
        #expect(output.options.temperature == 0.8)
        #expect(output.prime == "the cat")
        #expect(output.samples.count == 2)
        #expect(output.samples.allSatisfy { $0.count == 40 })
        let plain = try CharnnProcess.run(["sample", "--model", model, "--seed", "3", "-l", "40", "--prime", "the cat"])
        #expect(plain.stdout == "the cat" + output.samples[0] + "\n", "the prime is printed before the continuation")

        // Greedy sampling soon repeats itself ("no o o o ..." for this model); the sample ends right after the stop text.
        let long = try CharnnProcess.run(["sample", "--model", model, "-t", "0", "-l", "300"])
        let stopped = try CharnnProcess.run(["sample", "--model", model, "-t", "0", "-l", "300", "--stop", "o o"])
        #expect(stopped.status == 0)
        let text = String(stopped.stdout.dropLast())
        #expect(text.hasSuffix("o o"))
        #expect(!text.dropLast().contains("o o"))
        #expect(long.stdout.hasPrefix(text))
        #expect(long.stdout.count == 301)
        #expect(text.count < 300)
    }

    static let mistakes: [(arguments: [String], message: String)] = [
        (["--temperature=-1"], "invalid sampling option: temperature must be a finite number >= 0, got -1.0"),
        (["--temperature", "nan"], "invalid sampling option: temperature must be a finite number >= 0, got nan"),
        (["--top-k", "0"], "invalid sampling option: top-k must be at least 1, got 0"),
        (["--top-p", "0"], "invalid sampling option: top-p must be in (0, 1], got 0.0"),
        (["--top-p", "1.5"], "invalid sampling option: top-p must be in (0, 1], got 1.5"),
        (["--length=-1"], "invalid value -1 for --length: expected 0 or more graphemes"),
        (["--stop", ""], "invalid value \"\" for --stop: expected a non-empty text"),
        (["--count", "0"], "invalid value 0 for --count: expected at least 1"),
    ]

    @Test(arguments: 0..<mistakes.count)
    func badOptionsAreRefused(_ index: Int) throws {
        let scratch = try TrainingScratch("sample-bad")
        defer { scratch.remove() }
        let model = try Self.model(scratch)
        let (extra, message) = Self.mistakes[index]
        let result = try CharnnProcess.run(["sample", "--model", model, "--seed", "1", "-l", "10"] + extra)
        #expect(result.errorMessage == message, "\(extra): \(result.stderr)")
    }

    @Test func missingOrForeignModelIsRefused() throws {
        let scratch = try TrainingScratch("sample-model")
        defer { scratch.remove() }
        let missing = scratch.path("missing.safetensors")
        let result = try CharnnProcess.run(["sample", "--model", missing, "-l", "10"])
        #expect(result.errorMessage == "model \(missing) does not exist; give a checkpoint file or a run folder")
        let text = try CharnnProcess.run(["sample", "--model", scratch.corpus, "-l", "10"])
        let size = try Data(contentsOf: URL(fileURLWithPath: scratch.corpus)).count
        #expect(text.errorMessage?.wholeMatch(of: /checkpoint (.+) is damaged: its (\d+)-byte header runs past the end of the (\d+)-byte file \(file truncated\?\)/)
                    .map { [String($0.1), String($0.3)] } == [scratch.corpus, "\(size)"])
        let folder = try CharnnProcess.run(["sample", "--model", scratch.folder.path, "-l", "10"])
        #expect(folder.errorMessage == "\(scratch.folder.path) is a folder but not a charnn run (no 'best' or 'latest' pointer)")
    }
}
