import CharInference
import Foundation

/// How the commands find the model they use: `--model`, else the shipped default.
enum LoadedModel {
    /// The model at `path` (see `TrainedModel.load`), or without a path the shipped default model. A model segmented
    /// under another Unicode version gets a warning.
    static func load(_ path: String?) throws -> TrainedModel {
        let loaded = try TrainedModel.load(from: path.map { try RunPointer.resolve($0) } ?? defaultModel())
        if let warning = loaded.segmentationWarning { log("warning: \(loaded.url.path): \(warning)") }
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
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: source.path) { return source }
        throw CLIError.failed("no model given and the default model \(relative) was not found; pass --model or set CHARNN_MODEL")
    }
}
