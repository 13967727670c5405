import ArgumentParser
import CharModel
import CharInference
import CharTokenizer
import Foundation

/// `charnn sample`: generates text from a model, streamed to standard output as it is drawn.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate text from a model.",
        discussion: """
        Without --model, the shipped default model (trained on Shakespeare) is used. The prime text warms the model \
        up and is printed before the continuation. Text streams to standard output as it is generated; \
        the seed used is reported on standard error so that a sample can be reproduced.
        """
    )

    @OptionGroup var model: ModelSource
    @Option(name: [.short, .long], help: ArgumentHelp("Graphemes to generate per sample.", valueName: "n")) var length = 500
    @Option(name: [.short, .long], help: "Temperature: below 1 is more conservative, above 1 wilder, 0 always picks the most likely.")
    var temperature: Float = 0.8
    @Option(help: ArgumentHelp("Draw only among the k most likely graphemes.", valueName: "k")) var topK: Int?
    @Option(help: ArgumentHelp("Draw only among the most likely graphemes whose probabilities reach p (nucleus).", valueName: "p")) var topP: Float?
    @Option(help: ArgumentHelp("Seed: the same seed, options and model give the same text (default: random).", valueName: "n")) var seed: UInt64?
    @Option(help: ArgumentHelp("Text to start from.", valueName: "text")) var prime: String?
    @Option(help: ArgumentHelp("Read the text to start from from this file.", valueName: "file")) var primeFile: String?
    @Option(help: "What to do with prime graphemes the model does not know: skip (default) or unk.") var unknown: UnknownPolicy = .skip
    @Option(help: ArgumentHelp("Stop a sample once it has generated this text.", valueName: "text")) var stop: String?
    @Option(help: ArgumentHelp("Number of samples.", valueName: "n")) var count = 1
    @Flag(help: "Print the samples as JSON when done instead of streaming them.") var json = false

    enum UnknownPolicy: String, ExpressibleByArgument, CaseIterable {
        case skip, unk
    }

    func validate() throws {
        guard length >= 0 else { throw CLIError.invalidValue(option: "--length", value: "\(length)", expected: "0 or more graphemes") }
        guard count >= 1 else { throw CLIError.invalidValue(option: "--count", value: "\(count)", expected: "at least 1") }
        if let stop, stop.isEmpty { throw CLIError.invalidValue(option: "--stop", value: "\"\"", expected: "a non-empty text") }
        if prime != nil && primeFile != nil { throw CLIError.failed("give the prime text with --prime or --prime-file, not both") }
        try options(seed: 0).validate()
    }

    private func options(seed: UInt64) -> SamplingOptions {
        SamplingOptions(temperature: temperature, topK: topK, topP: topP, seed: seed)
    }

    struct Output: Codable {
        var model: String
        var seed: UInt64
        var options: SamplingOptions
        var prime: String
        var samples: [String]
    }

    func run() throws {
        let loaded = try model.load(default: .shakespeare)
        let primeText = try primeFile.map { try CorpusReader().read($0).text } ?? prime ?? ""
        let primeIDs = try primeIDs(primeText, tokenizer: loaded.tokenizer)
        let baseSeed = seed ?? UInt64.random(in: 0...UInt64(UInt32.max))
        if seed == nil && !json { log("seed \(baseSeed)") }
        var samples: [String] = []
        // Each id's text, decoded once rather than once per drawn grapheme.
        let texts = (0..<Int32(loaded.model.config.vocabularySize)).map { loaded.tokenizer.decode(CollectionOfOne($0)) }
        for index in 0..<count {
            let sampler = try Sampler(model: loaded.model, options: options(seed: baseSeed &+ UInt64(index)))
            try sampler.feed(primeIDs)
            if !json {
                if index > 0 { emit("\n\n") }
                emit(primeText)
            }
            var generated = ""
            for _ in 0..<length {
                let grapheme = texts[Int(sampler.next())]
                generated += grapheme
                if !json { emit(grapheme) }
                if let stop, generated.hasSuffix(stop) { break }
            }
            samples.append(generated)
        }
        if json {
            let output = Output(model: loaded.url.path, seed: baseSeed, options: options(seed: baseSeed), prime: primeText, samples: samples)
            try printJSON(output)
        } else {
            emit("\n")
        }
    }

    /// The prime's ids: unknown graphemes skipped or kept as <unk>, with a warning naming them. An empty prime
    /// starts from a line feed when the model knows one, as if at the start of a line.
    private func primeIDs(_ text: String, tokenizer: Tokenizer) throws -> [Int32] {
        if text.isEmpty { return tokenizer.vocabulary.lineStartIDs }
        let units = tokenizer.units(of: text)
        let ids = tokenizer.encode(text)
        let unknown = zip(units, ids).filter { $0.1 == Vocabulary.unknownID }.map { GraphemeDisplay.escaped($0.0) }
        if !unknown.isEmpty {
            log("warning: the model does not know \(unknown.count) prime grapheme(s): \(unknown.prefix(10).joined(separator: " ")); \(unknownPolicyText)")
        }
        let kept = unknown.isEmpty || self.unknown == .unk ? ids : ids.filter { $0 != Vocabulary.unknownID }
        guard !kept.isEmpty else {
            throw CLIError.failed("none of the prime text's graphemes are in the model's vocabulary; use --unknown unk or another prime")
        }
        return kept
    }

    private var unknownPolicyText: String {
        unknown == .skip ? "skipped (use --unknown unk to feed them as <unk>)" : "fed as <unk>"
    }
}
