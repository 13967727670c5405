import Foundation

/// A trained model ready to sample from or predict with: the network, its tokenizer, and the file it came from.
public struct TrainedModel {
    /// The network, holding the file's weights.
    public let model: LanguageModel
    /// The tokenizer of the model's vocabulary.
    public let tokenizer: Tokenizer
    /// The model file as read.
    public let file: ModelFile
    /// Where it was read from.
    public let url: URL

    /// The model at `path`: a model file or training checkpoint, or a run folder (its `best` checkpoint, else its
    /// `latest`).
    public static func load(_ path: String) throws -> TrainedModel {
        try load(from: RunPointer.resolve(path))
    }

    /// The model in the file at `url`.
    public static func load(from url: URL) throws -> TrainedModel {
        let file = try ModelFile.read(from: url)
        return TrainedModel(model: try file.makeModel(), tokenizer: try Tokenizer(vocabulary: file.vocabulary), file: file, url: url)
    }

    /// A warning when the model's corpus was segmented under another Unicode version than this process's ICU,
    /// whose grapheme clusters may differ.
    public var segmentationWarning: String? { file.vocabulary.segmentationWarning() }
}
