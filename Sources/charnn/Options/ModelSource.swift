import ArgumentParser
import CharInference
import Foundation

/// The model a command uses: `--model`, else the shipped default; `--vocabulary` for a PyTorch model's tokens.
struct ModelSource: ParsableArguments {
    @Option(help: ArgumentHelp("A model file, a checkpoint, a run folder (its best checkpoint) or a PyTorch model (default: the shipped model).", valueName: "path"))
    var model: String?
    @Option(help: ArgumentHelp("A PyTorch model's tokens in index order, as a JSON list of strings, when its file has none.", valueName: "file"))
    var vocabulary: String?

    /// The model, with its warnings written to standard error.
    func load() throws -> TrainedModel {
        let tokens = try vocabulary.map { try ModelFile.readTokens(from: URL(fileURLWithPath: $0)) }
        return Self.warned(try TrainedModel.load(from: url(), vocabulary: tokens))
    }

    /// The file `--model` names: a run folder resolved to its checkpoint, or the shipped model.
    func url() throws -> URL {
        try model.map { try RunPointer.resolve($0) } ?? Self.defaultModel()
    }

    /// `loaded`, after its warnings are written to standard error.
    static func warned(_ loaded: TrainedModel) -> TrainedModel {
        for warning in loaded.warnings { log("warning: \(loaded.url.path): \(warning)") }
        return loaded
    }

    /// The shipped model: `$CHARNN_MODEL` if set, else `Models/default.safetensors` found above the executable
    /// (as in a source checkout's `.build/release/charnn`) or in the source tree this binary was built from.
    static func defaultModel() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["CHARNN_MODEL"], !path.isEmpty { return try RunPointer.resolve(path) }
        let relative = "Models/default.safetensors"
        var folder = CharnnExecutable.url.deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = folder.appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            folder.deleteLastPathComponent()
        }
        // This file is Sources/charnn/Options/ModelSource.swift: four levels below the package root.
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }
        let source = root.appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: source.path) { return source }
        throw CLIError.failed("no model given and the default model \(relative) was not found; pass --model or set CHARNN_MODEL")
    }
}
