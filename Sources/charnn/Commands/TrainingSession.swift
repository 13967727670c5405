import CharModelFile
import CharModel
import CharTokenizer
import CharTraining
import Foundation

/// One `charnn train` invocation: the run the options describe, and the lines a person reads about it. Under
/// mpirun, one rank's part of it: rank 0 says everything, the other ranks nothing.
struct TrainingSession {
    let training: TrainingRun
    let group: MPIGroup?

    /// Whether this process speaks: alone, or as rank 0.
    private var speaks: Bool { group?.isLeader ?? true }

    /// A new run in `folder`, from scratch or from `initFrom`'s weights and vocabulary.
    static func start(
        corpusPath: String, folder url: URL, force: Bool, threads: Int, initFrom: String?,
        model: ModelOptions, training: TrainingOptions, vocabulary: VocabularyOptions, group: MPIGroup?
    ) throws -> TrainingSession {
        let config = training.apply(to: TrainingConfig())
        try config.validate()
        let base = try initFrom.map { try TrainingCheckpoint.read(from: RunPointer.resolve($0)) }
        if base != nil && vocabulary.isGiven {
            throw CLIError.failed("--init-from keeps the checkpoint's vocabulary; drop --max-vocab, --min-count, --no-normalize and --unit")
        }
        if let base {
            let contradicting = model.conflicts(with: base.model.config)
            if !contradicting.isEmpty { throw TrainingError.conflictingOptions(contradicting) }
        }
        let corpus = try TrainingCorpus(path: corpusPath, lossy: vocabulary.lossy, vocabulary: base?.model.vocabulary,
                                        settings: vocabulary.settings, maxSize: vocabulary.maxVocab, minCount: vocabulary.minCount ?? 1)
        if base != nil && !corpus.unknown.isEmpty && group?.isLeader ?? true {
            let total = corpus.unknown.reduce(0) { $0 + $1.count }
            let sample = corpus.unknown.prefix(10).map { GraphemeDisplay.escaped($0.grapheme) }.joined(separator: " ")
            log("warning: \(total) graphemes of the corpus (\(corpus.unknown.count) distinct) are not in the checkpoint's vocabulary and train as <unk>: \(sample)")
        }
        let network: LanguageModel
        if let base {
            network = try base.model.makeModel()
        } else {
            network = try LanguageModel(config: model.config(vocabularySize: corpus.vocabulary.count), seed: config.seed)
        }
        let run = try TrainingRun.start(corpus: corpus, model: network, config: config, folder: url, force: force, threads: threads,
                                        group: group)
        let session = TrainingSession(training: run, group: group)
        session.say("training \(network.parameterCount) parameters (L=\(network.config.layers) H=\(network.config.hiddenSize) E=\(network.config.embeddingSize) V=\(network.config.vocabularySize)) on \(corpus.ids.count) graphemes, \(run.trainer.windowsPerEpoch) iterations per epoch, into \(url.path)\(session.ranksNote)")
        return session
    }

    /// The run in `folder`, continued from its latest good checkpoint.
    static func resume(
        folder url: URL, corpusPath: String?, threads: Int, model: ModelOptions, training: TrainingOptions, vocabulary: VocabularyOptions,
        group: MPIGroup?
    ) throws -> TrainingSession {
        let folder = try RunFolder.open(url, keep: 1)
        if group?.isLeader ?? true { folder.removeStaleTemporaryFiles() }
        let (checkpoint, file, warnings) = try folder.loadLatest()
        if group?.isLeader ?? true { for warning in warnings { log("warning: \(warning)") } }
        if checkpoint.isResumable {
            var conflicts = model.conflicts(with: checkpoint.model.config) + training.conflicts(with: checkpoint.trainingConfig)
            if vocabulary.isGiven { conflicts.append("vocabulary options") }
            if !conflicts.isEmpty { throw TrainingError.conflictingOptions(conflicts) }
        }
        let config = training.apply(to: checkpoint.trainingConfig)
        try config.validate()
        let run = try TrainingRun.resume(checkpoint, from: file, in: folder, corpusPath: corpusPath, lossy: vocabulary.lossy,
                                         config: config, threads: threads, group: group)
        let session = TrainingSession(training: run, group: group)
        session.say("resuming \(url.path) from \(file.lastPathComponent) at step \(checkpoint.trainerState.step), epoch \(checkpoint.trainerState.epoch)\(session.ranksNote)")
        return session
    }

    /// Trains to the end with a progress line; on Ctrl-C saves and says how to resume.
    func run() throws {
        let folder = training.folder.url.path
        StopSignals.install(announce: group.flatMap { group in
            group.isLeader
                ? "charnn: mpirun is stopping the job (Ctrl-C, or a rank died); the checkpoints in \(folder) are intact: resume with mpirun -np \(group.size) charnn train --resume \(folder)"
                : nil
        })
        let progress = ProgressDisplay()
        let outcome: TrainingOutcome
        do {
            outcome = try training.run(monitor: progress)
        } catch {
            progress.finish()
            throw error
        }
        progress.finish()
        let trainer = training.trainer
        let state = trainer.state
        let best = state.bestValidationLoss.map { String(format: "%.4f", $0) } ?? "none"
        let resume = group.map { "mpirun -np \($0.size) charnn train --resume \(folder)" } ?? "charnn train --resume \(folder)"
        switch outcome {
        case .interrupted:
            say("stopped at step \(state.step); checkpoint saved. Continue with: \(resume)")
        case .earlyStopped:
            say("early stop at step \(state.step): validation did not improve for \(trainer.config.patience ?? 0) evaluations; best validation loss \(best)")
        case .finished:
            let epochs = Double(state.step) / Double(trainer.windowsPerEpoch)
            say(String(format: "finished at step %d (%.2f epochs); best validation loss %@ nats/grapheme; model: %@",
                       state.step, epochs, best, folder))
        }
        if group != nil {
            say(String(format: "rank 0 spent %.1f s of %.1f s exchanging with the other ranks", trainer.exchangeSeconds, state.elapsedSeconds))
        }
    }

    /// Writes `line` to standard error if this process speaks.
    private func say(_ line: String) {
        if speaks { log(line) }
    }

    /// ", on N ranks (K ...)" under mpirun, else nothing.
    private var ranksNote: String {
        guard let group else { return "" }
        let k = training.trainer.config.windowsPerSync
        let how = k == 1 ? "gradients summed every window" : "models averaged every \(k) windows"
        return ", on \(group.size) ranks of \(training.trainer.config.batchSize / group.size) streams each, \(how)"
    }
}
