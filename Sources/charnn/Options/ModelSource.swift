import ArgumentParser
import CharInference
import Foundation

/// The model a command uses: `--model`, else the model shipped for it (`ShippedModel`); `--vocabulary` for a PyTorch
/// model's tokens.
struct ModelSource: ParsableArguments {
    @Option(help: ArgumentHelp("A model file, a checkpoint, a run folder (its best checkpoint) or a PyTorch model (default: the model shipped for the command).", valueName: "path"))
    var model: String?
    @Option(help: ArgumentHelp("A PyTorch model's tokens in index order, as a JSON list of strings, when its file has none.", valueName: "file"))
    var vocabulary: String?

    /// The model, with its warnings written to standard error; without `--model`, the `shipped` one.
    func load(default shipped: ShippedModel) throws -> TrainedModel {
        let tokens = try vocabulary.map { try ModelFile.readTokens(from: URL(fileURLWithPath: $0)) }
        return Self.warned(try TrainedModel.load(from: url(default: shipped), vocabulary: tokens))
    }

    /// The file `--model` names (a run folder resolved to its checkpoint), or the `shipped` one.
    func url(default shipped: ShippedModel) throws -> URL {
        try model.map { try RunPointer.resolve($0) } ?? shipped.url()
    }

    /// `loaded`, after its warnings are written to standard error.
    static func warned(_ loaded: TrainedModel) -> TrainedModel {
        for warning in loaded.warnings { log("warning: \(loaded.url.path): \(warning)") }
        return loaded
    }
}
