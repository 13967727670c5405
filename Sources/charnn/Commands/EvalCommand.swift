import ArgumentParser
import CharInference
import CharTokenizer
import CharTraining
import Foundation

/// `charnn eval`: how well a model predicts a text: loss, bits per character, perplexity, accuracy.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure how well a model predicts a text.",
        discussion: """
        The text is streamed through the model with its state carried, so every grapheme is predicted from all the \
        text before it. With --split, the text is the run's corpus (or the file given) cut as in training, and only \
        that split is measured.
        """
    )

    @OptionGroup var model: ModelSource
    @Argument(help: "A UTF-8 text file (or - for standard input). With --split, defaults to the run's corpus.") var text: String?
    @Option(help: "Measure only this split of the text, cut as the model's training cut it: train, validation or test.")
    var split: SplitName?
    @Option(help: ArgumentHelp("Steps per window (memory only; the result does not depend on it).", valueName: "n")) var steps = 256
    @Flag(help: "Print the result as JSON.") var json = false
    @Flag(help: "Simulate typing the text with word suggestions: keystroke savings, next-grapheme accuracy, latency.")
    var keyboard = false
    @Option(help: ArgumentHelp("With --keyboard: word suggestions shown at every position, 1 to 10 (default \(KeyboardSimulation.defaultSlots)).", valueName: "n"))
    var slots: Int?
    @Flag(help: "With --keyboard: type each line as a phrase of its own, the context reset at its start.")
    var perLine = false
    @OptionGroup var profile: ProfileOption

    enum SplitName: String, ExpressibleByArgument, CaseIterable, Codable {
        case train, validation, test
    }

    struct Output: Codable {
        var model: String
        var text: String
        var split: SplitName?
        var graphemes: Int
        var unknown: Int
        var result: EvaluationResult
    }

    func validate() throws {
        guard steps >= 1 else { throw CLIError.invalidValue(option: "--steps", value: "\(steps)", expected: "at least 1") }
        if let slots, !(1...10).contains(slots) {
            throw CLIError.invalidValue(option: "--slots", value: "\(slots)", expected: "1 to 10")
        }
        if !keyboard && (slots != nil || perLine || profile.profile != nil) {
            throw CLIError.failed("--slots, --per-line and --profile simulate typing; add --keyboard")
        }
    }

    func run() throws {
        if keyboard {
            guard split == nil else { throw CLIError.failed("--keyboard simulates typing a text file; it cannot be combined with --split") }
            guard let text else { throw CLIError.failed("name the text to type: charnn eval --keyboard --model M TEXT_FILE") }
            return try KeyboardEvaluation(model: model, profile: profile, textPath: text, slots: slots ?? KeyboardSimulation.defaultSlots, perLine: perLine,
                                          json: json).run()
        }
        // A split is cut from the run's corpus as its training cut it: both are recorded in the checkpoint,
        // which then also holds the model.
        let loaded: TrainedModel
        var run: TrainingCheckpoint?
        if split != nil {
            let url = try model.url(default: .shakespeare)
            let checkpoint = try TrainingCheckpoint.read(from: url)
            loaded = ModelSource.warned(try TrainedModel(file: checkpoint.model, url: url))
            run = checkpoint
        } else {
            loaded = try model.load(default: .shakespeare)
        }
        guard let path = text ?? run?.corpus.path else {
            throw CLIError.failed("name the text to evaluate: charnn eval --model M TEXT_FILE")
        }
        var ids = loaded.tokenizer.encode(try CorpusReader().read(path).text)
        if let split, let run {
            let config = run.trainingConfig
            let splits = CorpusSplits(count: ids.count, trainFraction: config.trainFraction, validationFraction: config.validationFraction)
            let range = switch split {
            case .train: splits.train
            case .validation: splits.validation
            case .test: splits.test
            }
            ids = Array(ids[range])
        }
        let result = try evaluate(model: loaded.model, ids: ids, steps: steps)
        let unknown = ids.filter { $0 == Vocabulary.unknownID }.count
        if json {
            try printJSON(Output(model: loaded.url.path, text: path, split: split, graphemes: ids.count, unknown: unknown, result: result))
            return
        }
        print("model:        \(loaded.url.path)")
        print("text:         \(path)\(split.map { " (\($0.rawValue) split)" } ?? "")")
        print("graphemes:    \(ids.count)\(unknown > 0 ? " (\(unknown) unknown to the model)" : "")")
        print(String(format: "loss:         %.4f nats/grapheme", result.loss))
        print(String(format: "bits/char:    %.4f", result.bitsPerCharacter))
        print(String(format: "perplexity:   %.3f", result.perplexity))
        print(String(format: "top-1 / top-5 accuracy: %.2f%% / %.2f%%", result.top1Accuracy * 100, result.top5Accuracy * 100))
    }
}
