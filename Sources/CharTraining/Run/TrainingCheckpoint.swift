import CharModel
import CharModelFile
import CharTokenizer
import Foundation

/// Everything one training checkpoint holds, decoded: the model file, and (unless it holds weights only) the
/// optimizer's moments, the carried state and the trainer state that make a resume exact.
///
/// On disk (safetensors, see docs/checkpoint-format.md), the model file's tensors and metadata (`ModelFile`) and:
///
///     optimizer.<slot>.<parameter name>             the optimizer's moments (exp_avg, exp_avg_sq, ...), F32
///     trainer.state_h, trainer.state_c              [L, B, H] the recurrent state carried to the next window, F32
///     __metadata__: training_config, trainer_state, corpus     (JSON strings)
public struct TrainingCheckpoint {
    /// The network, its configuration and its vocabulary.
    public var model: ModelFile
    /// How it was trained.
    public var trainingConfig: TrainingConfig
    /// Where the run stood.
    public var trainerState: TrainerState
    /// The corpus it trained on.
    public var corpus: CorpusRecord
    /// The optimizer's slots by name (e.g. "exp_avg"), each in `ParameterLayout` order; empty for weights only.
    public var optimizerSlots: [String: [Float]]
    /// The carried state; nil for weights only.
    public var carried: LSTMState?

    /// Whether the file can be resumed (it holds the optimizer and the carried state).
    public var isResumable: Bool { carried != nil && !optimizerSlots.isEmpty }

    /// The metadata keys of the training part.
    public enum Key {
        public static let trainingConfig = "training_config"
        public static let trainerState = "trainer_state"
        public static let corpus = "corpus"
    }

    /// A checkpoint of these parts; empty `optimizerSlots` and nil `carried` make it weights only.
    public init(
        model: ModelFile, trainingConfig: TrainingConfig, trainerState: TrainerState, corpus: CorpusRecord,
        optimizerSlots: [String: [Float]], carried: LSTMState?
    ) {
        self.model = model
        self.trainingConfig = trainingConfig
        self.trainerState = trainerState
        self.corpus = corpus
        self.optimizerSlots = optimizerSlots
        self.carried = carried
    }

    /// The checkpoint of a trainer as it stands now.
    public init(trainer: Trainer, vocabulary: Vocabulary, corpus: CorpusRecord) {
        self.init(model: ModelFile(model: trainer.model, vocabulary: vocabulary), trainingConfig: trainer.config,
                  trainerState: trainer.state, corpus: corpus,
                  optimizerSlots: Dictionary(uniqueKeysWithValues: zip(trainer.optimizer.slotNames, trainer.optimizer.slots.map(\.array))),
                  carried: trainer.carried)
    }

    /// The same checkpoint without the optimizer and carried state: what a shipped model needs, a third the size.
    public var weightsOnly: TrainingCheckpoint {
        var copy = self
        copy.optimizerSlots = [:]
        copy.carried = nil
        return copy
    }

    /// Writes the checkpoint durably to `url` (temporary file, fsync, rename, folder fsync).
    public func write(to url: URL) throws {
        var tensors = try model.tensors(of: model.parameters, prefix: "")
        for slot in optimizerSlots.keys.sorted() {
            tensors += try model.tensors(of: optimizerSlots[slot]!, prefix: "optimizer.\(slot).")
        }
        if let carried {
            let shape = [carried.layers, carried.batchSize, carried.hiddenSize]
            tensors.append(try SafetensorsTensor(name: "trainer.state_h", shape: shape, floats: carried.h))
            tensors.append(try SafetensorsTensor(name: "trainer.state_c", shape: shape, floats: carried.c))
        }
        var metadata = try model.metadata()
        metadata[Key.trainingConfig] = try CheckpointFile.encodeJSON(trainingConfig)
        metadata[Key.trainerState] = try CheckpointFile.encodeJSON(trainerState)
        metadata[Key.corpus] = try CheckpointFile.encodeJSON(corpus)
        try CheckpointFile.write(tensors: tensors, metadata: metadata, to: url)
    }

    /// Reads and checks the checkpoint at `url`: structure, version, checksum, and that the tensors fit the
    /// model configuration it records.
    public static func read(from url: URL) throws -> TrainingCheckpoint {
        let file = try CheckpointFile.read(from: url)
        let model = try ModelFile(file: file)
        let layout = ParameterLayout(config: model.config)
        let slotNames = Set(file.tensors.map(\.name).filter { $0.hasPrefix("optimizer.") }.map { $0.split(separator: ".")[1] })
        var slots: [String: [Float]] = [:]
        for slot in slotNames.sorted() { slots[String(slot)] = try file.joinedTensors(prefix: "optimizer.\(slot).", layout: layout) }
        var carried: LSTMState?
        if let h = file[tensor: "trainer.state_h"], h.shape.count == 3 {
            var state = LSTMState(layers: h.shape[0], batchSize: h.shape[1], hiddenSize: h.shape[2])
            guard state.layers == model.config.layers, state.hiddenSize == model.config.hiddenSize else {
                throw CheckpointError.damaged(path: file.path, problem: "carried state \(h.shape) does not fit the model")
            }
            state.h = try file.floats("trainer.state_h", shape: h.shape)
            state.c = try file.floats("trainer.state_c", shape: h.shape)
            carried = state
        }
        return TrainingCheckpoint(
            model: model, trainingConfig: try file.decodeJSON(TrainingConfig.self, forKey: Key.trainingConfig),
            trainerState: try file.decodeJSON(TrainerState.self, forKey: Key.trainerState),
            corpus: try file.decodeJSON(CorpusRecord.self, forKey: Key.corpus), optimizerSlots: slots, carried: carried)
    }

    /// An optimizer holding the checkpoint's moments, for `trainingConfig`.
    public func makeOptimizer() throws -> Optimizer {
        let optimizer = Optimizer(config: trainingConfig, parameterCount: model.parameters.count)
        for (name, buffer) in zip(optimizer.slotNames, optimizer.slots) {
            guard let values = optimizerSlots[name], values.count == buffer.count else {
                throw TrainingError.checkpoint("the checkpoint has no '\(name)' moments for the \(trainingConfig.optimizer.rawValue) optimizer")
            }
            values.withUnsafeBufferPointer { buffer.base.update(from: $0.baseAddress!, count: values.count) }
        }
        return optimizer
    }
}
