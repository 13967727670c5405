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
