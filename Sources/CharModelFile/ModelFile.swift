import CharModel
import CharTokenizer
import Foundation

/// A trained model on disk: the network's tensors, its configuration and its vocabulary, in a checked safetensors
/// file (`CheckpointFile`). All an app needs to sample or predict.
///
///     embedding.weight, lstm.*_l{k}, decoder.*      the parameters, PyTorch's names and shapes, F32
///     __metadata__: model_config, vocabulary        JSON strings
///                   charnn_version                  the charnn that wrote the file
///                   weights, weights_loss           a reduced-precision file only: "bf16" or "int8", whose
///                                                   matrices are stored as `ReducedTensors` says, and what that
///                                                   costs in loss (`PrecisionLoss`, JSON; when measured)
///
/// A training checkpoint (`TrainingCheckpoint`, in CharTraining) is a model file with the run's state besides;
/// read as a model file, that part is ignored.
public struct ModelFile {
    /// The network's hyperparameters.
    public var config: ModelConfig
    /// The vocabulary, with the tokenizer's settings and the Unicode version that segmented the corpus.
    public var vocabulary: Vocabulary
    /// Every parameter, in `ParameterLayout` order.
    public var parameters: [Float]
    /// The charnn version that wrote the file (this one's, for a file made here).
    public var charnnVersion = ModelFile.currentVersion
    /// How the weight matrices are stored; `parameters` hold their values widened to fp32.
    public private(set) var precision = WeightPrecision.fp32
    /// For a reduced file: its loss against the fp32 model's, when export could measure it.
    public var precisionLoss: PrecisionLoss?

    /// The metadata keys of the model's part.
    public enum Key {
        public static let modelConfig = "model_config"
        public static let vocabulary = "vocabulary"
        public static let charnnVersion = "charnn_version"
        /// A reduced file's precision: "bf16" or "int8".
        public static let weights = "weights"
        /// A reduced file's `PrecisionLoss`, as JSON.
        public static let weightsLoss = "weights_loss"
    }

    /// charnn's version, written into every file it makes.
    public static let currentVersion = "0.1.0"

    /// A model file of these parts.
    public init(config: ModelConfig, vocabulary: Vocabulary, parameters: [Float]) {
        self.config = config
        self.vocabulary = vocabulary
        self.parameters = parameters
    }

    /// The model file of `model` and its vocabulary as they stand now.
    public init(model: LanguageModel, vocabulary: Vocabulary) {
        self.init(config: model.config, vocabulary: vocabulary, parameters: model.parameters.array)
    }

    /// The model part of `file`, checked: the configuration is valid, the vocabulary fits it, and every parameter's
    /// tensor is there with its shape.
    public init(file: CheckpointFile) throws {
        let path = file.path
        config = try file.decodeJSON(ModelConfig.self, forKey: Key.modelConfig)
        do { try config.validate() } catch { throw CheckpointError.damaged(path: path, problem: error.description) }
        vocabulary = try file.decodeJSON(Vocabulary.self, forKey: Key.vocabulary)
        guard vocabulary.count == config.vocabularySize else {
            throw CheckpointError.damaged(path: path, problem: "the vocabulary has \(vocabulary.count) ids but the model \(config.vocabularySize)")
        }
        if let stored = file.metadata[Key.weights] {
            guard let reduced = WeightPrecision(rawValue: stored), reduced != .fp32 else {
                throw CheckpointError.damaged(path: path, problem: "its weights are '\(stored)'; charnn reads bf16 and int8 besides fp32")
            }
            precision = reduced
            parameters = try ReducedTensors.decode(file, layout: ParameterLayout(config: config), precision: reduced)
            if file.metadata[Key.weightsLoss] != nil { precisionLoss = try file.decodeJSON(PrecisionLoss.self, forKey: Key.weightsLoss) }
        } else {
            parameters = try file.joinedTensors(prefix: "", layout: ParameterLayout(config: config))
        }
        charnnVersion = file.metadata[Key.charnnVersion] ?? "unknown"
    }

    /// Reads and checks the model file (or training checkpoint) at `url`.
    public static func read(from url: URL) throws -> ModelFile {
        try ModelFile(file: CheckpointFile.read(from: url))
    }

    /// The parameters as one tensor each, named `prefix` + the parameter's name: the model's tensors with no
    /// prefix, and tensors laid out like them (an optimizer's moments) with one. A reduced file's own parameters
    /// (`values` == `parameters`, no prefix) are stored as `ReducedTensors` says; a reduced model is never trained,
    /// so it has no moments.
    public func tensors(of values: [Float], prefix: String) throws -> [SafetensorsTensor] {
        if precision != .fp32 && prefix.isEmpty && values == parameters {
            return try ReducedTensors.encode(values, layout: ParameterLayout(config: config), precision: precision)
        }
        return try ParameterLayout(config: config).tensors.map { spec in
            try SafetensorsTensor(name: prefix + spec.name, shape: spec.shape, floats: Array(values[spec.offset..<spec.offset + spec.count]))
        }
    }

    /// The metadata entries of the model's part.
    public func metadata() throws -> [String: String] {
        var entries = [
            Key.charnnVersion: Self.currentVersion,
            Key.modelConfig: try CheckpointFile.encodeJSON(config),
            Key.vocabulary: try CheckpointFile.encodeJSON(vocabulary),
        ]
        if precision != .fp32 { entries[Key.weights] = precision.rawValue }
        if let precisionLoss { entries[Key.weightsLoss] = try CheckpointFile.encodeJSON(precisionLoss) }
        return entries
    }

    /// This model with its weight matrices reduced to `target` (`WeightPrecision`), for a smaller file and faster
    /// inference; its loss against this one's is not yet measured.
    ///
    /// - Throws: `ReducedPrecisionError.nonFiniteWeight` if a matrix holds a NaN or an infinity.
    public func reduced(to target: WeightPrecision) throws -> ModelFile {
        let layout = ParameterLayout(config: config)
        for spec in layout.tensors where target.reduces(spec) {
            guard parameters[spec.offset..<spec.offset + spec.count].allSatisfy(\.isFinite) else {
                throw ReducedPrecisionError.nonFiniteWeight(tensor: spec.name)
            }
        }
        var copy = self
        copy.parameters = target.reducedParameters(parameters, layout: layout)
        copy.precision = target
        copy.precisionLoss = nil
        return copy
    }

    /// Writes the model durably to `url` (temporary file, fsync, rename, folder fsync).
    public func write(to url: URL) throws {
        try CheckpointFile.write(tensors: tensors(of: parameters, prefix: ""), metadata: metadata(), to: url)
    }

    /// A network holding these weights, to train.
    ///
    /// - Throws: `ReducedPrecisionError.training` for a reduced-precision file.
    public func makeModel() throws -> LanguageModel {
        guard precision == .fp32 else { throw ReducedPrecisionError.training(precision: precision) }
        return try LanguageModel(config: config, parameters: parameters)
    }

    /// A network holding these weights, to sample, predict or evaluate with: a reduced file's steps read its
    /// weights in its precision.
    public func makeInferenceModel() throws -> LanguageModel {
        try LanguageModel(config: config, parameters: parameters, precision: precision)
    }
}

extension CheckpointFile {
    /// Every parameter of `layout`'s tensor named `prefix` + its name, checked for shape and joined in layout order.
    public func joinedTensors(prefix: String, layout: ParameterLayout) throws -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(layout.count)
        for spec in layout.tensors { values += try floats(prefix + spec.name, shape: spec.shape) }
        return values
    }

    /// The F32 tensor `name`, which must have `shape`.
    public func floats(_ name: String, shape: [Int]) throws -> [Float] {
        let tensor = try tensor(named: name)
        guard tensor.shape == shape, let values = tensor.floats else {
            throw CheckpointError.damaged(path: path, problem: "tensor '\(name)' is \(tensor.dtype.rawValue) \(tensor.shape), expected F32 \(shape)")
        }
        return values
    }
}
