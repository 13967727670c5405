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

/// Why a path names no model.
public enum ModelPathError: Error, CustomStringConvertible, Equatable {
    /// Nothing exists at the path.
    case notFound(path: String)
    /// The path is a folder without the pointers that would name a checkpoint in it.
    case notARun(path: String, pointers: [RunPointer])

    public var description: String {
        switch self {
        case .notFound(let path):
            "model \(path) does not exist; give a checkpoint file or a run folder"
        case let .notARun(path, pointers):
            "\(path) is a folder but not a charnn run (no \(pointers.map { "'\($0.rawValue)'" }.joined(separator: " or ")) pointer)"
        }
    }
}
