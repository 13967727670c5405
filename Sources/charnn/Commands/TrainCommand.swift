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

    @Option(help: ArgumentHelp("Threads to train on: the batch's streams are split among them (default: the number of cores).", valueName: "n")) var threads: Int?

    func run() throws {
        if let threads {
            guard threads >= 1 else { throw CLIError.invalidValue(option: "--threads", value: "\(threads)", expected: "at least 1") }
            setBLASThreads(threads)
        }
        let threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let session: TrainingSession
        if let resume {
            guard out == nil, initFrom == nil else {
                throw CLIError.failed("--resume continues a run in its own folder; it cannot be combined with --out or --init-from")
            }
            session = try TrainingSession.resume(folder: URL(fileURLWithPath: resume), corpusPath: corpus, threads: threads,
                                                 model: model, training: training, vocabulary: vocabulary)
        } else {
            guard let out else { throw CLIError.failed("say where the run goes with --out DIR (or continue one with --resume DIR)") }
            guard let corpus else { throw CLIError.failed("name the corpus to train on: charnn train CORPUS --out \(out)") }
            session = try TrainingSession.start(corpusPath: corpus, folder: URL(fileURLWithPath: out), force: force, threads: threads,
                                                initFrom: initFrom, model: model, training: training, vocabulary: vocabulary)
        }
        logBLASWarnings()
        try session.run()
    }
}
