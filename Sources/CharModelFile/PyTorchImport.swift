import CharModel
import CharTokenizer
import Foundation

/// Models written by PyTorch: a safetensors file of an `nn.Embedding`, `nn.LSTM` and `nn.Linear` state_dict under
/// PyTorch's names (`embedding.weight`, `lstm.weight_ih_l{k}`, `lstm.weight_hh_l{k}`, `lstm.bias_ih_l{k}`,
/// `lstm.bias_hh_l{k}`, `decoder.weight`, `decoder.bias`, as `../shared/bench/torch_peer.py`'s `CharLSTM` names
/// them), with its vocabulary: the token of each index, in index order, as a JSON list of strings under the
/// `vocabulary` metadata key or in a file of its own.
///
/// PyTorch's tokens are Python's characters, that is Unicode scalars, and its indices have no unknown token, while
/// charnn's id 0 is `<unk>`. So the model file reads scalars without normalisation, every index moves up by one,
/// and `<unk>` gets a zero embedding and a decoder row that never takes probability: on a text of known tokens the
/// model's predictions and loss are PyTorch's.
extension ModelFile {
    /// The decoder bias of `<unk>` in an imported model: exp of it underflows to exactly 0 next to any real logit.
    static let unknownLogit: Float = -1e9

    /// The model in the file at `url`, which is a charnn model file or checkpoint, or a PyTorch file as described
    /// above. `vocabulary` is the PyTorch model's token list when its file has none. Returns the warnings worth a
    /// line: a PyTorch file without a checksum cannot be verified.
    public static func read(from url: URL, vocabulary: [String]?) throws -> (model: ModelFile, warnings: [String]) {
        let path = DurableFile.path(of: url)
        let file = try CheckpointFile.safetensors(DurableFile.read(from: url), path: path)
        if file.metadata[Key.modelConfig] != nil {
            return (try ModelFile(file: CheckpointFile.checked(file, path: path)), [])
        }
        try CheckpointFile.verifyChecksum(of: file, path: path)
        let warnings = file.metadata[CheckpointFile.checksumKey] == nil
            ? ["no checksum, so its contents cannot be verified"] : []
        return (try ModelFile(pytorch: file, path: path, vocabulary: vocabulary ?? tokens(in: file, path: path)), warnings)
    }

    /// The vocabulary in a PyTorch file's metadata.
    private static func tokens(in file: SafetensorsFile, path: String) throws -> [String] {
        guard let text = file.metadata[Key.vocabulary] else { throw ImportError.noVocabulary(path: path) }
        guard let tokens = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
            throw ImportError.invalidVocabulary(path: path, reason: "its 'vocabulary' metadata is not a JSON list of strings")
        }
        return tokens
    }

    /// A token list as written beside a PyTorch model: a JSON list of strings.
    public static func readTokens(from url: URL) throws -> [String] {
        let data = try Data(DurableFile.read(from: url))
        guard let tokens = try? JSONDecoder().decode([String].self, from: data) else {
            throw ImportError.invalidVocabulary(path: url.path, reason: "it is not a JSON list of strings")
        }
        return tokens
    }

    /// The charnn model of a PyTorch state_dict and its token list.
    init(pytorch file: SafetensorsFile, path: String, vocabulary tokens: [String]) throws {
        func tensor(_ name: String) throws -> SafetensorsTensor {
            guard let tensor = file[name] else { throw CheckpointError.missingTensor(path: path, name: name) }
            return tensor
        }
        let embedding = try tensor("embedding.weight"), weightHH = try tensor("lstm.weight_hh_l0")
        guard embedding.shape.count == 2, weightHH.shape.count == 2 else {
            throw CheckpointError.damaged(path: path, problem: "embedding.weight and lstm.weight_hh_l0 must be matrices")
        }
        let layers = (0...).prefix { file["lstm.weight_ih_l\($0)"] != nil }.count
        let (v, e, h) = (embedding.shape[0], embedding.shape[1], weightHH.shape[1])
        guard tokens.count == v else { throw ImportError.vocabularySize(path: path, tokens: tokens.count, rows: v) }
        if let bad = tokens.firstIndex(where: { $0.unicodeScalars.count != 1 }) {
            throw ImportError.invalidVocabulary(path: path, reason: "token \(bad) is \(tokens[bad].unicodeScalars.count) Unicode scalars, not one")
        }
        let config = ModelConfig(vocabularySize: v + 1, embeddingSize: e, hiddenSize: h, layers: layers)
        do { try config.validate() } catch { throw CheckpointError.damaged(path: path, problem: error.description) }
        var parameters: [Float] = []
        let layout = ParameterLayout(config: config)
        parameters.reserveCapacity(layout.count)
        for spec in layout.tensors {
            // Embedding and decoder rows are per token: PyTorch's have no <unk> row before them.
            let perToken = spec.name == "embedding.weight" || spec.name.hasPrefix("decoder.")
            let shape = perToken ? [spec.shape[0] - 1] + spec.shape.dropFirst() : spec.shape
            let values = try tensor(spec.name)
            guard values.shape == shape, let floats = values.floats else {
                throw CheckpointError.damaged(path: path, problem: "tensor '\(spec.name)' is \(values.dtype.rawValue) \(values.shape), expected F32 \(shape)")
            }
            if perToken {
                let unknownRow = spec.name == "decoder.bias" ? [Self.unknownLogit] : [Float](repeating: 0, count: spec.count / spec.shape[0])
                parameters += unknownRow
            }
            parameters += floats
        }
        do {
            self.init(config: config, vocabulary: try Vocabulary(settings: TokenizerSettings(normalize: false, unit: .scalar), graphemes: tokens),
                      parameters: parameters)
        } catch {
            throw ImportError.invalidVocabulary(path: path, reason: error.description)
        }
    }
}

/// Why a PyTorch model could not be read.
public enum ImportError: Error, CustomStringConvertible, Equatable {
    /// The file has no vocabulary and none was given.
    case noVocabulary(path: String)
    /// The vocabulary is not a list of distinct single tokens.
    case invalidVocabulary(path: String, reason: String)
    /// The vocabulary's length differs from the embedding's rows.
    case vocabularySize(path: String, tokens: Int, rows: Int)

    public var description: String {
        switch self {
        case .noVocabulary(let path):
            "\(path) has no vocabulary: give the token of each index, in order, as a JSON list of strings with --vocabulary FILE"
        case let .invalidVocabulary(path, reason):
            "the vocabulary of \(path) cannot be used: \(reason)"
        case let .vocabularySize(path, tokens, rows):
            "the vocabulary has \(tokens) tokens but the embedding of \(path) has \(rows) rows"
        }
    }
}
