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
        On N ranks:   mpirun -np N charnn train CORPUS --out runs/NAME   (Open MPI; B must divide by N)
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
        let group = try MPIGroup.fromEnvironment()
        if group == nil && training.syncEvery != nil {
            throw CLIError.failed("--sync-every sets how often the ranks of an MPI job meet; run charnn train under mpirun to use it")
        }
        let session = try agreedSetUp(group) { try makeSession(threads: threads, group: group) }
        if group?.isLeader ?? true { logBLASWarnings() }
        do {
            try session.run()
        } catch TrainingError.diverged where !(group?.isLeader ?? true) {
            // Every rank sees the same summed loss and gradient, so rank 0 says this.
            throw ExitCode(1)
        } catch {
            guard let group, !group.isLeader else { throw error }
            throw CLIError.failed("rank \(group.rank) of \(group.size): \(Charnn.message(for: error))")
        }
        group?.close()
    }

    private func makeSession(threads: Int, group: MPIGroup?) throws -> TrainingSession {
        if let resume {
            guard out == nil, initFrom == nil else {
                throw CLIError.failed("--resume continues a run in its own folder; it cannot be combined with --out or --init-from")
            }
            return try TrainingSession.resume(folder: URL(fileURLWithPath: resume), corpusPath: corpus, threads: threads,
                                              model: model, training: training, vocabulary: vocabulary, group: group)
        }
        guard let out else { throw CLIError.failed("say where the run goes with --out DIR (or continue one with --resume DIR)") }
        guard let corpus else { throw CLIError.failed("name the corpus to train on: charnn train CORPUS --out \(out)") }
        return try TrainingSession.start(corpusPath: corpus, folder: URL(fileURLWithPath: out), force: force, threads: threads,
                                         initFrom: initFrom, model: model, training: training, vocabulary: vocabulary, group: group)
    }

    /// Runs `setUp` on every rank, then has the ranks agree on how it went, so that a failure every rank meets alike
    /// (a bad option, a missing corpus) is said once, by rank 0, and one that only other ranks meet is said by each
    /// of them with its rank. A rank that succeeded while another failed exits quietly.
    private func agreedSetUp<T>(_ group: MPIGroup?, _ setUp: () throws -> T) throws -> T {
        guard let group else { return try setUp() }
        let result = Result { try setUp() }
        let failed: Double = if case .failure = result { 1 } else { 0 }
        var votes = [group.isLeader ? failed : 0, group.isLeader ? 0 : failed]
        try votes.withUnsafeMutableBufferPointer { buffer throws(TrainingError) in try group.sum(buffer) }
        switch result {
        case .success(let value):
            if votes[0] + votes[1] > 0 { throw ExitCode(1) }
            return value
        case .failure(let error):
            if group.isLeader { throw error }
            if votes[0] > 0 { throw ExitCode(1) }
            throw CLIError.failed("rank \(group.rank) of \(group.size): \(Charnn.message(for: error))")
        }
    }
}
