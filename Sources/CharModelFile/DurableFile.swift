#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CharTokenizer
import Foundation

/// Whole-file writes that a crash or a full disk cannot leave half-done, and whole-file reads.
///
/// A write goes to `<folder>/.<name>.tmp-<pid>`, is flushed with `fsync`, renamed over the target, and then the
/// folder is flushed so the rename itself survives a power loss. Until the rename the target keeps its previous
/// content, so any failure leaves the old file intact (and the temporary file removed). POSIX calls are used
/// directly, not Foundation's atomic write, because only they guarantee the two `fsync`s.
/// Two writers in one process must not target the same file at the same time: they would share a temporary name.
public enum DurableFile {
    /// Where a `write(to:producing:)` body sends its bytes, in order; valid only while that body runs.
    public struct Sink {
        fileprivate let descriptor: Int32
        fileprivate let target: String
        fileprivate let temporary: String

        /// Appends `bytes` to the file being written.
        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard var next = bytes.baseAddress else { return }
            var remaining = bytes.count
            while remaining > 0 {
                let written = systemWrite(descriptor, next, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw DurableFileError.cannotWrite(path: target, temporary: temporary, reason: errnoText())
                }
                next += written
                remaining -= written
            }
        }

        /// Appends an array's bytes to the file being written.
        public func write(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { try write($0) }
        }
    }

    /// Replaces the file at `url` with `bytes`, durably.
    public static func write(_ bytes: [UInt8], to url: URL) throws {
        try write(to: url) { sink in try sink.write(bytes) }
    }

    /// Replaces the file at `url` with the bytes `body` sends to its sink, durably.
    ///
    /// If `body` throws, its error is rethrown after the temporary file is removed; the target is untouched.
    public static func write(to url: URL, producing body: (Sink) throws -> Void) throws {
        let target = path(of: url)
        let (folder, name) = split(target)
        let temporary = (folder == "/" ? "" : folder) + "/.\(name).tmp-\(getpid())"

        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw DurableFileError.cannotCreateTemporary(path: target, temporary: temporary, reason: errnoText())
        }
        var isOpen = true
        do {
            try body(Sink(descriptor: descriptor, target: target, temporary: temporary))
            guard fsync(descriptor) == 0 else {
                throw DurableFileError.cannotSync(path: target, temporary: temporary, reason: errnoText())
            }
            isOpen = false
            // close can report a deferred write error (NFS, quotas), so its result counts.
            guard close(descriptor) == 0 else {
                throw DurableFileError.cannotWrite(path: target, temporary: temporary, reason: errnoText())
            }
        } catch {
            if isOpen { close(descriptor) }
            unlink(temporary)
            throw error
        }
        guard rename(temporary, target) == 0 else {
            let reason = errnoText()
            unlink(temporary)
            throw DurableFileError.cannotReplace(path: target, temporary: temporary, reason: reason)
        }
        try syncFolder(folder, target: target)
    }

    /// The whole content of the file at `url`.
    public static func read(from url: URL) throws -> [UInt8] {
        let path = Self.path(of: url)
        do { return try WholeFile.read(path: path) } catch { throw DurableFileError.cannotRead(path: path, reason: error.reason) }
    }

    /// The path to open `url` by and to show in messages: as the user typed it when it is relative to the
    /// working directory (so errors read `runs/x.safetensors`), absolute otherwise.
    public static func path(of url: URL) -> String {
        guard let base = url.baseURL, base.path == FileManager.default.currentDirectoryPath else { return url.path }
        return url.relativePath
    }

    private static func syncFolder(_ folder: String, target: String) throws {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw DurableFileError.cannotSyncFolder(path: target, folder: folder, reason: errnoText())
        }
        defer { close(descriptor) }
        // Some file systems cannot fsync a folder and say so with EINVAL; their renames need no such flush.
        guard fsync(descriptor) == 0 || errno == EINVAL else {
            throw DurableFileError.cannotSyncFolder(path: target, folder: folder, reason: errnoText())
        }
    }

    private static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }
}

private func errnoText() -> String {
    String(cString: strerror(errno))
}

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}
