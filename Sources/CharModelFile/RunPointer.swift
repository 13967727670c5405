import Foundation

/// The pointers of a training run's folder: one-line files naming a checkpoint in the folder.
///
///     latest    the newest periodic, final or interrupt checkpoint: where a resume starts
///     best      the checkpoint with the lowest validation loss: what a model path given as the folder means
public enum RunPointer: String, CaseIterable, Sendable {
    case latest
    case best

    /// The checkpoint file name this pointer holds in `folder`, if the pointer exists.
    public func target(in folder: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(rawValue).path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Points this pointer in `folder` at `name`, durably.
    public func set(to name: String, in folder: URL) throws {
        try DurableFile.write(Array((name + "\n").utf8), to: folder.appendingPathComponent(rawValue))
    }

    /// The model a path names: a file as given, or in a run folder the checkpoint of the first of `pointers` that it
    /// has (by default `best`, else `latest`).
    public static func resolve(_ path: String, pointers: [RunPointer] = [.best, .latest]) throws(ModelPathError) -> URL {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { throw .notFound(path: path) }
        guard isDirectory.boolValue else { return url }
        guard let name = pointers.lazy.compactMap({ $0.target(in: url) }).first else {
            throw .notARun(path: path, pointers: pointers)
        }
        return url.appendingPathComponent(name)
    }
}
