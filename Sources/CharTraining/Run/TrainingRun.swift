import CharModel
import CharModelFile
import Dispatch
import Foundation

/// A training run: a trainer bound to its corpus and its run folder.
///
/// The run decides what goes where: a checkpoint to `latest` every `checkpointEvery` iterations, at the end and on
/// a stop; to `best` when validation improves; the metrics and loss plot at every evaluation (see `RunFolder`). A
/// resumed run checks that its corpus is the one it was trained on.
public final class TrainingRun {
    /// The trainer.
    public let trainer: Trainer
    /// The encoded corpus.
    public let corpus: TrainingCorpus
    /// Where the checkpoints go.
    public let folder: RunFolder

    private init(trainer: Trainer, corpus: TrainingCorpus, folder: RunFolder) {
        self.trainer = trainer
        self.corpus = corpus
        self.folder = folder
    }

    /// A new run of `model` on `corpus` into the folder at `url` (created; a folder holding a run is replaced only
    /// with `force`), on `threads` threads, as one rank of `group` under MPI (only rank 0 touches the folder).
    public static func start(
        corpus: TrainingCorpus, model: LanguageModel, config: TrainingConfig, folder url: URL, force: Bool = false, threads: Int,
        group: MPIGroup? = nil
    ) throws -> TrainingRun {
        let trainer = try Trainer(model: model, config: config, ids: corpus.ids, splits: splits(corpus, config), threads: threads,
                                  group: group)
        let folder = group?.isLeader ?? true
            ? try RunFolder.create(at: url, keep: config.keepCheckpoints, force: force) : RunFolder(url: url, keep: config.keepCheckpoints)
        return TrainingRun(trainer: trainer, corpus: corpus, folder: folder)
    }

    /// The run in `folder` continued from `checkpoint` (its latest good one, read from `file`) with `config`, on
    /// `threads` threads, as one rank of `group` under MPI. The corpus is read again from `corpusPath`, or from where
    /// the checkpoint says it was, and encoded with the run's vocabulary.
    ///
    /// - Throws: `TrainingError` if the checkpoint holds weights only, the corpus is not the run's, or the run was
    ///   trained on another number of ranks.
    public static func resume(
        _ checkpoint: TrainingCheckpoint, from file: URL, in folder: RunFolder, corpusPath: String? = nil, lossy: Bool = false,
        config: TrainingConfig, threads: Int, group: MPIGroup? = nil
    ) throws -> TrainingRun {
        guard checkpoint.isResumable else {
            throw TrainingError.checkpoint("\(file.path) holds weights only and cannot be resumed; start a new run from it with --init-from")
        }
        let vocabulary = checkpoint.model.vocabulary
        let corpus = try TrainingCorpus(path: corpusPath ?? checkpoint.corpus.path, lossy: lossy, vocabulary: vocabulary,
                                        settings: vocabulary.settings)
        guard corpus.ids.count == checkpoint.corpus.tokenCount else {
            throw TrainingError.runFolder("the corpus \(corpus.record.path) has \(corpus.ids.count) graphemes but the run was trained on \(checkpoint.corpus.tokenCount); resume with the same corpus")
        }
        let trainer = try Trainer(model: try checkpoint.model.makeModel(), config: config, ids: corpus.ids,
                                  splits: splits(corpus, config), threads: threads, optimizer: try checkpoint.makeOptimizer(),
                                  state: checkpoint.trainerState, carried: checkpoint.carried, group: group)
        return TrainingRun(trainer: trainer, corpus: corpus, folder: RunFolder(url: folder.url, keep: config.keepCheckpoints))
    }

    private static func splits(_ corpus: TrainingCorpus, _ config: TrainingConfig) -> CorpusSplits {
        CorpusSplits(count: corpus.ids.count, trainFraction: config.trainFraction, validationFraction: config.validationFraction)
    }

    /// Trains until the plan is done, validation stops improving, or `monitor` asks to stop, saving into the folder
    /// as it goes; returns how it ended.
    @discardableResult
    public func run(monitor: TrainingMonitor) throws -> TrainingOutcome {
        let start = DispatchTime.now().uptimeNanoseconds
        let config = trainer.model.config
        let title = "charnn: \(corpus.record.path), L=\(config.layers) H=\(config.hiddenSize)"
        return try trainer.run(
            clock: { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 },
            shouldStop: { monitor.stopRequested },
            checkpoint: { reason in
                switch reason {
                case .periodic, .final, .interrupted: try folder.saveLatest(snapshot())
                case .best: try folder.saveBest(snapshot())
                case .metrics: try folder.writeMetrics(trainer.state.history, title: title)
                }
            },
            report: monitor.report)
    }

    /// The trainer's state as a checkpoint: a copy of every parameter and optimizer moment, so made only to be saved.
    private func snapshot() -> TrainingCheckpoint {
        TrainingCheckpoint(trainer: trainer, vocabulary: corpus.vocabulary, corpus: corpus.record)
    }
}
