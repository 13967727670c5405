import Foundation

/// Reads a corpus into memory from a file, a directory of `.txt` files, or standard input.
///
/// A leading byte order mark is dropped from each file. Bytes that are not UTF-8 are an error naming the file and
/// the byte offset, unless the reader is lossy, which replaces them with U+FFFD. Line endings are kept as they
/// are (a CR LF pair is one grapheme cluster).
public struct CorpusReader: Sendable {
    /// The path that means standard input.
    public static let standardInputPath = "-"

    /// Whether invalid UTF-8 is replaced with U+FFFD (true) or is an error (false).
    public var lossy: Bool

    /// A reader that fails on invalid UTF-8, or replaces it with U+FFFD when `lossy`.
    public init(lossy: Bool = false) {
        self.lossy = lossy
    }

    /// Reads `path`: "-" for standard input, a file, or a directory whose `.txt` files (at any depth, skipping
    /// hidden entries) are read in sorted path order and joined, with a line feed added after a file that does
    /// not end with one.
    public func read(_ path: String) throws(TokenizerError) -> Corpus {
        if path == Self.standardInputPath {
            let bytes = try Self.readAll(descriptor: FileHandle.standardInput.fileDescriptor, name: "standard input")
            return try corpus(of: [(name: "standard input", bytes: bytes)], path: "standard input")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .pathNotFound(path: path)
        }
        guard isDirectory.boolValue else {
            return try corpus(of: [(name: path, bytes: Self.readFile(path))], path: path)
        }
        let files = try Self.textFiles(in: path)
        guard !files.isEmpty else { throw .noTextFiles(directory: path) }
        var contents: [(name: String, bytes: [UInt8])] = []
        for file in files {
            contents.append((file, try Self.readFile(file)))
        }
        return try corpus(of: contents, path: path)
    }

    /// The text of `bytes` read from `name`, without a leading byte order mark.
    public func decode(_ bytes: [UInt8], name: String) throws(TokenizerError) -> String {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let start = bytes.starts(with: bom) ? bom.count : 0
        if !lossy, let offset = UTF8Validation.firstInvalidOffset(bytes) {
            throw .invalidUTF8(path: name, byteOffset: offset)
        }
        return String(decoding: bytes[start...], as: UTF8.self)
    }

    private func corpus(of contents: [(name: String, bytes: [UInt8])], path: String) throws(TokenizerError) -> Corpus {
        var text = ""
        var byteCount = 0
        for (name, bytes) in contents {
            byteCount += bytes.count
            let part = try decode(bytes, name: name)
            if !text.isEmpty && !part.isEmpty && !text.hasSuffix("\n") && !text.hasSuffix("\r\n") {
                text += "\n"
            }
            text += part
        }
        guard !text.isEmpty else { throw .emptyCorpus(path: path) }
        return Corpus(text: text, files: contents.map(\.name), byteCount: byteCount)
    }

    private static func textFiles(in directory: String) throws(TokenizerError) -> [String] {
        let subpaths: [String]
        do {
            subpaths = try FileManager.default.subpathsOfDirectory(atPath: directory)
        } catch {
            throw .unreadable(path: directory, reason: "cannot list the directory")
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return subpaths
            .filter { subpath in
                subpath.lowercased().hasSuffix(".txt")
                    && !subpath.split(separator: "/").contains { $0.hasPrefix(".") }
            }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { base + $0 }
            .filter { file in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
    }

    private static func readFile(_ path: String) throws(TokenizerError) -> [UInt8] {
        do {
            return try WholeFile.read(path: path)
        } catch {
            throw .unreadable(path: path, reason: error.reason)
        }
    }

    private static func readAll(descriptor: Int32, name: String) throws(TokenizerError) -> [UInt8] {
        do {
            return try WholeFile.read(descriptor: descriptor)
        } catch {
            throw .unreadable(path: name, reason: error.reason)
        }
    }
}
