import Foundation

/// Why a durable write or a whole-file read failed; every case names the file and the system's reason.
public enum DurableFileError: Error, CustomStringConvertible, Equatable {
    /// The temporary file next to the target could not be created (missing or read-only folder).
    case cannotCreateTemporary(path: String, temporary: String, reason: String)
    /// Writing or closing the temporary file failed (typically a full disk).
    case cannotWrite(path: String, temporary: String, reason: String)
    /// Flushing the temporary file to disk failed.
    case cannotSync(path: String, temporary: String, reason: String)
    /// Renaming the temporary file over the target failed (e.g. the target is a folder).
    case cannotReplace(path: String, temporary: String, reason: String)
    /// The new file is in place but flushing its folder failed, so the rename may not survive a crash.
    case cannotSyncFolder(path: String, folder: String, reason: String)
    /// A file could not be opened or read.
    case cannotRead(path: String, reason: String)

    /// One line naming the file, the problem and what to do.
    public var description: String {
        switch self {
        case let .cannotCreateTemporary(path, temporary, reason):
            "cannot save \(path): cannot create temporary file \(temporary): \(reason); check that the folder exists and is writable"
        case let .cannotWrite(path, temporary, reason):
            "cannot save \(path): writing \(temporary) failed: \(reason); free some disk space and retry (the previous file is unchanged)"
        case let .cannotSync(path, temporary, reason):
            "cannot save \(path): flushing \(temporary) to disk failed: \(reason) (the previous file is unchanged)"
        case let .cannotReplace(path, temporary, reason):
            "cannot save \(path): renaming \(temporary) over it failed: \(reason) (the previous file is unchanged)"
        case let .cannotSyncFolder(path, folder, reason):
            "saved \(path) but flushing its folder \(folder) failed: \(reason); a system crash now could lose the new file"
        case let .cannotRead(path, reason):
            "cannot read \(path): \(reason)"
        }
    }
}
