import CharModel
import CharTokenizer
import CharTraining
import Foundation

/// A trained model ready to use: the network, its tokenizer, and where it came from.
struct LoadedModel {
    let model: LanguageModel
    let tokenizer: Tokenizer
    let checkpoint: TrainingCheckpoint
    /// The file it was read from.
    let file: URL

    /// The model at `path`: a checkpoint file, or a run folder (its `best` checkpoint, else its `latest`).
    /// Without a path, the shipped default model. A model segmented under another Unicode version gets a warning.
    static func load(_ path: String?) throws -> LoadedModel {
        let file = try path.map { try resolve($0) } ?? defaultModel()
        let checkpoint = try TrainingCheckpoint.read(from: file)
        if let warning = checkpoint.vocabulary.segmentationWarning() {
            log("warning: \(file.path): \(warning)")
        }
        return LoadedModel(model: try checkpoint.makeModel(), tokenizer: try Tokenizer(vocabulary: checkpoint.vocabulary),
                           checkpoint: checkpoint, file: file)
    }

    /// A checkpoint file as given, or the checkpoint a run folder's pointers name: the first of `pointers` it has.
    static func resolve(_ path: String, pointers: [String] = ["best", "latest"]) throws -> URL {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw CLIError.failed("model \(path) does not exist; give a checkpoint file or a run folder")
        }
        guard isDirectory.boolValue else { return url }
        let folder = RunFolder(url: url, keep: 1)
        guard let name = pointers.lazy.compactMap(folder.pointer).first else {
            throw CLIError.failed("\(path) is a folder but not a charnn run (no \(pointers.map { "'\($0)'" }.joined(separator: " or ")) pointer)")
        }
        return url.appendingPathComponent(name)
    }

    /// The shipped model: `$CHARNN_MODEL` if set, else `Models/default.safetensors` found above the executable
    /// (as in a source checkout's `.build/release/charnn`) or in the source tree this binary was built from.
    static func defaultModel() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["CHARNN_MODEL"], !path.isEmpty { return try resolve(path) }
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
