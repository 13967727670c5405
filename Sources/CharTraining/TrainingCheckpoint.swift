import CharModel
import CharTokenizer
import Foundation

/// The corpus a run trains on, recorded so that a resume can find it and notice when it changed.
public struct CorpusRecord: Codable, Equatable, Sendable {
    /// The path given to `charnn train`, as given.
    public var path: String
    /// Bytes read.
    public var byteCount: Int
    /// Graphemes (ids) it encoded to.
    public var tokenCount: Int

    /// A record of a corpus read from `path`.
    public init(path: String, byteCount: Int, tokenCount: Int) {
        self.path = path
        self.byteCount = byteCount
        self.tokenCount = tokenCount
    }
}

/// Everything one checkpoint file holds, decoded: the model, and (unless it holds weights only) the optimizer's
/// moments, the carried state and the trainer state that make a resume exact.
///
/// On disk (safetensors, see README "Checkpoint format"):
///
///     embedding.weight, lstm.*_l{k}, decoder.*      the model, PyTorch's names and shapes, F32
///     optimizer.<slot>.<parameter name>             the optimizer's moments (exp_avg, exp_avg_sq, ...), F32
///     trainer.state_h, trainer.state_c              [L, B, H] the recurrent state carried to the next window, F32
///     __metadata__: format_version, checksum, charnn_version, model_config, training_config, vocabulary,
///                   trainer_state, corpus           (the last five are JSON strings)
public struct TrainingCheckpoint {
    /// The network's hyperparameters.
    public var modelConfig: ModelConfig
    /// How it was trained.
    public var trainingConfig: TrainingConfig
    /// The vocabulary, with the tokenizer's settings and the Unicode version that segmented the corpus.
    public var vocabulary: Vocabulary
    /// Where the run stood.
    public var trainerState: TrainerState
    /// The corpus it trained on.
    public var corpus: CorpusRecord
    /// Every parameter, in `ParameterLayout` order.
    public var parameters: [Float]
    /// The optimizer's slots by name (e.g. "exp_avg"), each in `ParameterLayout` order; empty for weights only.
    public var optimizerSlots: [String: [Float]]
    /// The carried state; nil for weights only.
    public var carried: LSTMState?
    /// The charnn version that wrote the file (this one's, for a checkpoint made here).
    public var charnnVersion = TrainingCheckpoint.currentVersion

    /// Whether the file can be resumed (it holds the optimizer and the carried state).
    public var isResumable: Bool { carried != nil && !optimizerSlots.isEmpty }

    /// The metadata keys, and the version of charnn that wrote the file.
    public enum Key {
        public static let modelConfig = "model_config"
        public static let trainingConfig = "training_config"
        public static let vocabulary = "vocabulary"
        public static let trainerState = "trainer_state"
        public static let corpus = "corpus"
        public static let charnnVersion = "charnn_version"
    }

    /// The version string written into every checkpoint.
    public static let currentVersion = "0.1.0"

    /// A checkpoint of these parts; empty `optimizerSlots` and nil `carried` make it weights only.
    public init(
        modelConfig: ModelConfig, trainingConfig: TrainingConfig, vocabulary: Vocabulary, trainerState: TrainerState,
        corpus: CorpusRecord, parameters: [Float], optimizerSlots: [String: [Float]], carried: LSTMState?
    ) {
        self.modelConfig = modelConfig
        self.trainingConfig = trainingConfig
        self.vocabulary = vocabulary
        self.trainerState = trainerState
        self.corpus = corpus
        self.parameters = parameters
        self.optimizerSlots = optimizerSlots
        self.carried = carried
    }

    /// The checkpoint of a trainer as it stands now.
    public init(trainer: Trainer, vocabulary: Vocabulary, corpus: CorpusRecord) {
        self.init(modelConfig: trainer.model.config, trainingConfig: trainer.config, vocabulary: vocabulary,
                  trainerState: trainer.state, corpus: corpus, parameters: trainer.model.parameters.array,
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
        let layout = ParameterLayout(config: modelConfig)
        /// `values` (in layout order) cut into one tensor per parameter, named `prefix` + the parameter's name.
        func split(_ values: [Float], prefix: String) throws -> [SafetensorsTensor] {
            try layout.tensors.map { spec in
                try SafetensorsTensor(name: prefix + spec.name, shape: spec.shape,
                                      floats: Array(values[spec.offset..<spec.offset + spec.count]))
            }
        }
        var tensors = try split(parameters, prefix: "")
        for slot in optimizerSlots.keys.sorted() {
            tensors += try split(optimizerSlots[slot]!, prefix: "optimizer.\(slot).")
        }
        if let carried {
            let shape = [carried.layers, carried.batchSize, carried.hiddenSize]
            tensors.append(try SafetensorsTensor(name: "trainer.state_h", shape: shape, floats: carried.h))
            tensors.append(try SafetensorsTensor(name: "trainer.state_c", shape: shape, floats: carried.c))
        }
        let metadata = [
            Key.charnnVersion: Self.currentVersion,
            Key.modelConfig: try CheckpointFile.encodeJSON(modelConfig),
            Key.trainingConfig: try CheckpointFile.encodeJSON(trainingConfig),
            Key.vocabulary: try CheckpointFile.encodeJSON(vocabulary),
            Key.trainerState: try CheckpointFile.encodeJSON(trainerState),
            Key.corpus: try CheckpointFile.encodeJSON(corpus),
        ]
        try CheckpointFile.write(tensors: tensors, metadata: metadata, to: url)
    }

    /// Reads and checks the checkpoint at `url`: structure, version, checksum, and that the tensors fit the
    /// model configuration it records.
    public static func read(from url: URL) throws -> TrainingCheckpoint {
        let file = try CheckpointFile.read(from: url)
        let path = url.path
        let modelConfig = try file.decodeJSON(ModelConfig.self, forKey: Key.modelConfig)
        do { try modelConfig.validate() } catch { throw CheckpointError.damaged(path: path, problem: error.description) }
        let layout = ParameterLayout(config: modelConfig)
        func floats(_ name: String, shape: [Int]) throws -> [Float] {
            let tensor = try file.tensor(named: name)
            guard tensor.shape == shape, let values = tensor.floats else {
                throw CheckpointError.damaged(path: path, problem: "tensor '\(name)' is \(tensor.dtype.rawValue) \(tensor.shape), expected F32 \(shape)")
            }
            return values
        }
        /// Every parameter's tensor named `prefix` + its name, joined in layout order.
        func joined(prefix: String) throws -> [Float] {
            var values: [Float] = []
            values.reserveCapacity(layout.count)
            for spec in layout.tensors { values += try floats(prefix + spec.name, shape: spec.shape) }
            return values
        }
        let parameters = try joined(prefix: "")
        let slotNames = Set(file.tensors.map(\.name).filter { $0.hasPrefix("optimizer.") }.map { $0.split(separator: ".")[1] })
        var slots: [String: [Float]] = [:]
        for slot in slotNames.sorted() { slots[String(slot)] = try joined(prefix: "optimizer.\(slot).") }
        var carried: LSTMState?
        if let h = file[tensor: "trainer.state_h"], h.shape.count == 3 {
            var state = LSTMState(layers: h.shape[0], batchSize: h.shape[1], hiddenSize: h.shape[2])
            guard state.layers == modelConfig.layers, state.hiddenSize == modelConfig.hiddenSize else {
                throw CheckpointError.damaged(path: path, problem: "carried state \(h.shape) does not fit the model")
            }
            state.h = try floats("trainer.state_h", shape: h.shape)
            state.c = try floats("trainer.state_c", shape: h.shape)
            carried = state
        }
        let vocabulary = try file.decodeJSON(Vocabulary.self, forKey: Key.vocabulary)
        guard vocabulary.count == modelConfig.vocabularySize else {
            throw CheckpointError.damaged(path: path, problem: "the vocabulary has \(vocabulary.count) ids but the model \(modelConfig.vocabularySize)")
        }
        var checkpoint = TrainingCheckpoint(
            modelConfig: modelConfig, trainingConfig: try file.decodeJSON(TrainingConfig.self, forKey: Key.trainingConfig),
            vocabulary: vocabulary, trainerState: try file.decodeJSON(TrainerState.self, forKey: Key.trainerState),
            corpus: try file.decodeJSON(CorpusRecord.self, forKey: Key.corpus),
            parameters: parameters, optimizerSlots: slots, carried: carried)
        checkpoint.charnnVersion = file.metadata[Key.charnnVersion] ?? "unknown"
        return checkpoint
    }

    /// A model holding the checkpoint's weights.
    public func makeModel() throws -> LanguageModel {
        try LanguageModel(config: modelConfig, parameters: parameters)
    }

    /// An optimizer holding the checkpoint's moments, for `trainingConfig`.
    public func makeOptimizer() throws -> Optimizer {
        let optimizer = Optimizer(config: trainingConfig, parameterCount: parameters.count)
        for (name, buffer) in zip(optimizer.slotNames, optimizer.slots) {
            guard let values = optimizerSlots[name], values.count == buffer.count else {
                throw TrainingError.checkpoint("the checkpoint has no '\(name)' moments for the \(trainingConfig.optimizer.rawValue) optimizer")
            }
            values.withUnsafeBufferPointer { buffer.base.update(from: $0.baseAddress!, count: values.count) }
        }
        return optimizer
    }
}
