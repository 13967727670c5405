import ArgumentParser
import CharModel
import CharTokenizer
import CharTraining
import Foundation

/// `charnn train`: trains a model on a corpus into a run folder, or resumes a run, with checkpoints that survive
/// Ctrl-C, crashes and full disks.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on a text corpus, or resume a run.",
        discussion: """
        New run:      charnn train CORPUS --out runs/NAME [options]
        Resume:       charnn train --resume runs/NAME        (continues exactly where it stopped)
        Fine-tune:    charnn train CORPUS --out runs/NEW --init-from runs/OLD/best-step-....safetensors
        Ctrl-C (or SIGTERM) finishes the current step, saves a checkpoint and exits; a second Ctrl-C exits at once \
        (the last checkpoint is always complete). Progress goes to standard error.
        """
    )

    @Argument(help: "A UTF-8 text file, a folder of .txt files, or - for standard input. With --resume, defaults to the run's corpus.")
    var corpus: String?

    @Option(help: ArgumentHelp("The run folder to create.", valueName: "dir")) var out: String?
    @Option(help: ArgumentHelp("Continue the run in this folder from its latest good checkpoint.", valueName: "dir")) var resume: String?
    @Option(help: ArgumentHelp("Start from this checkpoint's weights and vocabulary (fine-tuning).", valueName: "checkpoint")) var initFrom: String?
    @Flag(help: "Replace a run already in the --out folder.") var force = false

    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Training") var training: TrainingOptions
    @OptionGroup(title: "Vocabulary") var vocabulary: VocabularyOptions

    @Option(help: ArgumentHelp("BLAS threads (default: the number of cores).", valueName: "n")) var threads: Int?

    func run() throws {
        if let threads {
            guard threads >= 1 else { throw CLIError.invalidValue(option: "--threads", value: "\(threads)", expected: "at least 1") }
            setBLASThreads(threads)
        }
        let session: TrainingSession
        if let resume {
            guard out == nil, initFrom == nil else {
                throw CLIError.failed("--resume continues a run in its own folder; it cannot be combined with --out or --init-from")
            }
            session = try TrainingSession.resume(folder: URL(fileURLWithPath: resume), corpusPath: corpus,
                                                 model: model, training: training, vocabulary: vocabulary)
        } else {
            guard let out else { throw CLIError.failed("say where the run goes with --out DIR (or continue one with --resume DIR)") }
            guard let corpus else { throw CLIError.failed("name the corpus to train on: charnn train CORPUS --out \(out)") }
            session = try TrainingSession.start(corpusPath: corpus, folder: URL(fileURLWithPath: out), force: force,
                                                initFrom: initFrom, model: model, training: training, vocabulary: vocabulary)
        }
        try session.run()
    }
}

/// The network's shape on the command line.
struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Hidden size H of each LSTM layer (default 256).", valueName: "n")) var hiddenSize: Int?
    @Option(help: ArgumentHelp("Number of stacked LSTM layers L (default 2).", valueName: "n")) var layers: Int?
    @Option(help: ArgumentHelp("Embedding size E (default: the hidden size).", valueName: "n")) var embeddingSize: Int?
    @Option(help: ArgumentHelp("Dropout between layers, in [0, 1) (default 0.25).", valueName: "p")) var dropout: Float?

    /// Checks what `ModelConfig.validate` cannot attribute: an unset embedding size follows the hidden size, so a
    /// hidden size of 0 would otherwise be reported as a bad embedding size.
    func validate() throws {
        if let hiddenSize, hiddenSize < 1 {
            throw CLIError.invalidValue(option: "--hidden-size", value: "\(hiddenSize)", expected: "at least 1")
        }
    }

    /// The flags given whose values differ from `saved`, the configuration of the checkpoint being continued.
    func conflicts(with saved: ModelConfig) -> [String] {
        var result: [String] = []
        if let hiddenSize, hiddenSize != saved.hiddenSize { result.append("--hidden-size") }
        if let layers, layers != saved.layers { result.append("--layers") }
        if let embeddingSize, embeddingSize != saved.embeddingSize { result.append("--embedding-size") }
        if let dropout, dropout != saved.dropout { result.append("--dropout") }
        return result
    }

    func config(vocabularySize: Int) -> ModelConfig {
        let h = hiddenSize ?? 256
        return ModelConfig(vocabularySize: vocabularySize, embeddingSize: embeddingSize ?? h, hiddenSize: h,
                           layers: layers ?? 2, dropout: dropout ?? 0.25)
    }
}

/// How the vocabulary is built on the command line (new runs only).
struct VocabularyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Cap the vocabulary at n ids, <unk> included.", valueName: "n")) var maxVocab: Int?
    @Option(help: ArgumentHelp("Leave out graphemes seen fewer than n times (default 1).", valueName: "n")) var minCount: Int?
    @Flag(help: "Keep the text as it is instead of normalizing it to NFC.") var noNormalize = false
    @Option(help: "The unit of text: grapheme (default) or scalar.") var unit: TokenUnit?
    @Flag(help: "Replace invalid UTF-8 with U+FFFD instead of stopping.") var lossy = false

    var settings: TokenizerSettings { TokenizerSettings(normalize: !noNormalize, unit: unit ?? .grapheme) }
    var isGiven: Bool { maxVocab != nil || minCount != nil || noNormalize || unit != nil }
}
