import CharModelFile
import CharModel
import CharTokenizer
import CharTraining
import Foundation

/// One `charnn train` invocation: a trainer over an encoded corpus, bound to its run folder.
struct TrainingSession {
    let trainer: Trainer
    let folder: RunFolder
    let corpus: TrainingCorpus

    /// A new run in `folder`, from scratch or from `initFrom`'s weights and vocabulary.
    static func start(
        corpusPath: String, folder url: URL, force: Bool, threads: Int, initFrom: String?,
        model: ModelOptions, training: TrainingOptions, vocabulary: VocabularyOptions
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
        if base != nil && !corpus.unknown.isEmpty {
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
        let trainer = try Trainer(model: network, config: config, ids: corpus.ids, splits: splits(corpus, config), threads: threads)
        let folder = try RunFolder.create(at: url, keep: config.keepCheckpoints, force: force)
        log("training \(network.parameterCount) parameters (L=\(network.config.layers) H=\(network.config.hiddenSize) E=\(network.config.embeddingSize) V=\(network.config.vocabularySize)) on \(corpus.ids.count) graphemes, \(trainer.windowsPerEpoch) iterations per epoch, into \(url.path)")
        return TrainingSession(trainer: trainer, folder: folder, corpus: corpus)
    }

    /// The run in `folder`, continued from its latest good checkpoint.
    static func resume(
        folder url: URL, corpusPath: String?, threads: Int, model: ModelOptions, training: TrainingOptions, vocabulary: VocabularyOptions
    ) throws -> TrainingSession {
        let probe = try RunFolder.open(url, keep: 1)
        probe.removeStaleTemporaryFiles()
        let (checkpoint, file, warnings) = try probe.loadLatest()
        for warning in warnings { log("warning: \(warning)") }
        guard checkpoint.isResumable else {
            throw TrainingError.checkpoint("\(file.path) holds weights only and cannot be resumed; start a new run from it with --init-from")
        }
        var conflicts = model.conflicts(with: checkpoint.model.config) + training.conflicts(with: checkpoint.trainingConfig)
        if vocabulary.isGiven { conflicts.append("vocabulary options") }
        if !conflicts.isEmpty { throw TrainingError.conflictingOptions(conflicts) }
        let config = training.apply(to: checkpoint.trainingConfig)
        try config.validate()
        let corpus = try TrainingCorpus(path: corpusPath ?? checkpoint.corpus.path, lossy: vocabulary.lossy,
                                        vocabulary: checkpoint.model.vocabulary, settings: checkpoint.model.vocabulary.settings,
                                        maxSize: nil, minCount: 1)
        guard corpus.ids.count == checkpoint.corpus.tokenCount else {
            throw TrainingError.runFolder("the corpus \(corpus.record.path) has \(corpus.ids.count) graphemes but the run was trained on \(checkpoint.corpus.tokenCount); resume with the same corpus")
        }
        let trainer = try Trainer(model: try checkpoint.model.makeModel(), config: config, ids: corpus.ids,
                                  splits: splits(corpus, config), threads: threads, optimizer: try checkpoint.makeOptimizer(),
                                  state: checkpoint.trainerState, carried: checkpoint.carried)
        log("resuming \(url.path) from \(file.lastPathComponent) at step \(checkpoint.trainerState.step), epoch \(checkpoint.trainerState.epoch)")
        return TrainingSession(trainer: trainer, folder: RunFolder(url: url, keep: config.keepCheckpoints), corpus: corpus)
    }

    private static func splits(_ corpus: TrainingCorpus, _ config: TrainingConfig) -> CorpusSplits {
        CorpusSplits(count: corpus.ids.count, trainFraction: config.trainFraction, validationFraction: config.validationFraction)
    }

    /// The trainer's state as a checkpoint: a copy of every parameter and optimizer moment, so made only to be saved.
    private func snapshot() -> TrainingCheckpoint {
        TrainingCheckpoint(trainer: trainer, vocabulary: corpus.vocabulary, corpus: corpus.record)
    }

    /// Trains to the end, saving as the trainer asks; on Ctrl-C saves and says how to resume.
    func run() throws {
        StopSignals.install()
        let progress = ProgressDisplay()
        let start = DispatchTime.now().uptimeNanoseconds
        let title = "charnn: \(corpus.record.path), L=\(trainer.model.config.layers) H=\(trainer.model.config.hiddenSize)"
        let outcome: TrainingOutcome
        do {
            outcome = try trainer.run(
                clock: { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 },
                shouldStop: { StopSignals.requested },
                checkpoint: { reason in
                    switch reason {
                    case .periodic, .final, .interrupted: try folder.saveLatest(snapshot())
                    case .best: try folder.saveBest(snapshot())
                    case .metrics: try folder.writeMetrics(trainer.state.history, title: title)
                    }
                },
                report: progress.show)
        } catch {
            progress.finish()
            throw error
        }
        progress.finish()
        let state = trainer.state
        let best = state.bestValidationLoss.map { String(format: "%.4f", $0) } ?? "none"
        switch outcome {
        case .interrupted:
            log("stopped at step \(state.step); checkpoint saved. Continue with: charnn train --resume \(folder.url.path)")
        case .earlyStopped:
            log("early stop at step \(state.step): validation did not improve for \(trainer.config.patience ?? 0) evaluations; best validation loss \(best)")
        case .finished:
            let epochs = Double(state.step) / Double(trainer.windowsPerEpoch)
            log(String(format: "finished at step %d (%.2f epochs); best validation loss %@ nats/grapheme; model: %@",
                       state.step, epochs, best, folder.url.path))
        }
    }
}
