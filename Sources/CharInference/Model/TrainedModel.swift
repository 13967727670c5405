import Foundation

/// A trained model ready to sample from or predict with: the network, its tokenizer, and the file it came from.
///
/// Sendable, so that one loaded model serves any number of samplers and predictors on any threads (a server's
/// requests, an app's text fields): every property is a constant, the network is only ever read after loading, and the
/// tokenizer is `Sendable`. The conformance is unchecked only because `ModelFile` (plain values: configuration,
/// vocabulary, parameters, a version string) does not declare `Sendable` itself.
public struct TrainedModel: @unchecked Sendable {
    /// The network, holding the file's weights.
    public let model: LanguageModel
    /// The tokenizer of the model's vocabulary.
    public let tokenizer: Tokenizer
    /// The model file as read.
    public let file: ModelFile
    /// Where it was read from.
    public let url: URL
    /// What the user should hear about the file: a PyTorch model without a checksum, or one segmented under
    /// another Unicode version than this process's ICU, whose grapheme clusters may differ.
    public let warnings: [String]

    /// The model at `path`: a model file or training checkpoint, a run folder (its `best` checkpoint, else its
    /// `latest`), or a PyTorch model (see `ModelFile.read(from:vocabulary:)`) with its token list in `vocabulary`
    /// when its file has none.
    public static func load(_ path: String, vocabulary: [String]? = nil) throws -> TrainedModel {
        try load(from: RunPointer.resolve(path), vocabulary: vocabulary)
    }

    /// The model in the file at `url`.
    public static func load(from url: URL, vocabulary: [String]? = nil) throws -> TrainedModel {
        let (file, warnings) = try ModelFile.read(from: url, vocabulary: vocabulary)
        return try TrainedModel(file: file, url: url, readWarnings: warnings)
    }

    /// The model in `file`, already read from `url` (as part of a training checkpoint, say).
    public init(file: ModelFile, url: URL) throws {
        try self.init(file: file, url: url, readWarnings: [])
    }

    private init(file: ModelFile, url: URL, readWarnings: [String]) throws {
        self.model = try file.makeInferenceModel()
        self.tokenizer = try Tokenizer(vocabulary: file.vocabulary)
        self.file = file
        self.url = url
        self.warnings = readWarnings + [file.vocabulary.segmentationWarning()].compactMap { $0 }
    }
}
