#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// charnn's one whole-file reader, with POSIX calls: the corpus reader's files and standard input, and (through
/// CharModelFile's `DurableFile`, which sits above this module) model files and checkpoints.
///
/// It reads to the end of the file: a regular file's size (from `fstat`) sizes the buffer, so such a file is read
/// straight into the array it is returned in; a pipe, a terminal or a file that grows meanwhile is read on in 1 MiB
/// chunks. A failure carries the system's reason (`strerror`), which each caller words into its own error.
public enum WholeFile {
    /// Why a read failed: the system's reason, e.g. "No such file or directory".
    public struct Failure: Error, Equatable, Sendable {
        public let reason: String

        public init(reason: String) {
            self.reason = reason
        }
    }

    /// The whole content of the file at `path` (as given: relative to the working directory or absolute).
    public static func read(path: String) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(reason: errnoText()) }
        defer { close(descriptor) }
        return try read(descriptor: descriptor)
    }

    /// Everything left to read from the open `descriptor` (standard input is 0), up to its end; it stays open.
    public static func read(descriptor: Int32) throws(Failure) -> [UInt8] {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Failure(reason: errnoText()) }
        // One byte more than the size, so that the read that finds the end needs no room of its own.
        let capacity = max(0, Int(status.st_size)) + 1
        var failure: String?
        var atEnd = false
        var bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            initialized = 0
            while initialized < capacity {
                let got = systemRead(descriptor, buffer.baseAddress! + initialized, capacity - initialized)
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = errnoText()
                    return
                }
                if got == 0 {
                    atEnd = true
                    return
                }
                initialized += got
            }
        }
        if let failure { throw Failure(reason: failure) }
        guard !atEnd else { return bytes }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let got = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress!, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw Failure(reason: errnoText())
            }
            if got == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<got])
        }
    }
}

private func errnoText() -> String {
    String(cString: strerror(errno))
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(descriptor, buffer, count)
    #else
    Darwin.read(descriptor, buffer, count)
    #endif
}
