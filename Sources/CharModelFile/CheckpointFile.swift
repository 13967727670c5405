import Foundation

/// A training checkpoint on disk: one safetensors file whose metadata also records the checkpoint format
/// version and a checksum, written durably so a crash never leaves a half-written checkpoint under its name.
///
/// The checksum (`checksum` entry, `xxh64:` and 16 hex digits) is the XXH64 of the file exactly as it would be
/// written without that entry. It therefore covers the tensor bytes and the header alike: a flipped byte in a
/// value, a tensor name, a shape or a metadata string is caught on load, not just structural damage.
public struct CheckpointFile: Sendable {
    /// The format this code writes and the only one it reads.
    public static let formatVersion = "1"
    /// The metadata key holding the format version.
    public static let formatVersionKey = "format_version"
    /// The metadata key holding the checksum.
    public static let checksumKey = "checksum"

    /// The path the checkpoint was read from, as given.
    public let path: String
    /// The caller's metadata, without the format version and checksum entries.
    public let metadata: [String: String]
    private let contents: SafetensorsFile

    /// The tensors, in the order they were written.
    public var tensors: [SafetensorsTensor] { contents.tensors }

    /// Writes `tensors` and `metadata` to `url` as a checkpoint, replacing any previous file only once the new
    /// one is safely on disk.
    ///
    /// - Throws: `CheckpointError.reservedMetadataKey` if `metadata` uses `format_version` or `checksum`,
    ///   `SafetensorsError` for duplicate tensor names, `DurableFileError` if the file cannot be written.
    public static func write(tensors: [SafetensorsTensor], metadata: [String: String], to url: URL) throws {
        for key in [formatVersionKey, checksumKey] where metadata[key] != nil {
            throw CheckpointError.reservedMetadataKey(key: key)
        }
        var stored = metadata
        stored[formatVersionKey] = formatVersion
        stored[checksumKey] = checksum(of: try SafetensorsFile(tensors: tensors, metadata: stored))
        try SafetensorsFile(tensors: tensors, metadata: stored).write(to: url)
    }

    /// Reads the checkpoint at `url`, checking its structure, format version and checksum.
    ///
    /// - Throws: `DurableFileError.cannotRead` if the file cannot be read, `CheckpointError` if it is damaged,
    ///   of another format version, or not a charnn checkpoint.
    public static func read(from url: URL) throws -> CheckpointFile {
        try decode(DurableFile.read(from: url), path: DurableFile.path(of: url))
    }

    /// Checks and decodes a whole checkpoint file's bytes, as `read(from:)` does; `path` names it in errors.
    ///
    /// - Throws: `CheckpointError` if the bytes are damaged, of another format version, or not a charnn checkpoint.
    public static func decode(_ bytes: [UInt8], path: String) throws -> CheckpointFile {
        try checked(safetensors(bytes, path: path), path: path)
    }

    /// A whole safetensors file's bytes, decoded; `path` names it in errors.
    ///
    /// - Throws: `CheckpointError.damaged` if they are not a well-formed safetensors file.
    static func safetensors(_ bytes: [UInt8], path: String) throws -> SafetensorsFile {
        do {
            return try SafetensorsFile(decoding: bytes, path: path)
        } catch let error as SafetensorsError {
            throw CheckpointError.damaged(path: path, problem: error.problem)
        }
    }

    /// `file` as a checkpoint, once its format version and checksum are checked.
    static func checked(_ file: SafetensorsFile, path: String) throws -> CheckpointFile {
        guard let version = file.metadata[formatVersionKey] else {
            throw CheckpointError.missingMetadata(path: path, key: formatVersionKey)
        }
        guard version == formatVersion else { throw CheckpointError.unsupportedVersion(path: path, version: version) }
        guard file.metadata[checksumKey] != nil else {
            throw CheckpointError.missingMetadata(path: path, key: checksumKey)
        }
        try verifyChecksum(of: file, path: path)
        var unsigned = file.metadata
        unsigned[checksumKey] = nil
        unsigned[formatVersionKey] = nil
        return CheckpointFile(path: path, metadata: unsigned, contents: file)
    }

    /// The tensor named `name`, if the checkpoint has one.
    public subscript(tensor name: String) -> SafetensorsTensor? {
        contents[name]
    }

    /// The tensor named `name`.
    ///
    /// - Throws: `CheckpointError.missingTensor` if there is none.
    public func tensor(named name: String) throws -> SafetensorsTensor {
        guard let tensor = contents[name] else { throw CheckpointError.missingTensor(path: path, name: name) }
        return tensor
    }

    /// Decodes the metadata entry `key` as JSON into a `T`.
    ///
    /// - Throws: `CheckpointError.missingMetadata` if the entry is absent, `.invalidMetadataJSON` if it is not
    ///   valid JSON or does not describe a `T`.
    public func decodeJSON<T: Decodable>(_ type: T.Type, forKey key: String) throws -> T {
        guard let text = metadata[key] else { throw CheckpointError.missingMetadata(path: path, key: key) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw CheckpointError.invalidMetadataJSON(path: path, key: key, reason: Self.describe(error))
        }
    }

    /// `value` as a JSON string for a metadata entry, with sorted keys so equal values give equal files.
    ///
    /// - Throws: `CheckpointError.unencodableMetadata` if `value` cannot be JSON (e.g. a NaN Float).
    public static func encodeJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw CheckpointError.unencodableMetadata(type: String(describing: T.self), reason: describe(error))
        }
    }

    /// Checks `file` against the checksum its metadata records, if it records one.
    ///
    /// - Throws: `CheckpointError.checksumMismatch` if the contents do not hash to it.
    public static func verifyChecksum(of file: SafetensorsFile, path: String) throws {
        guard let stored = file.metadata[checksumKey] else { return }
        var unsigned = file.metadata
        unsigned[checksumKey] = nil
        let computed = checksum(of: try SafetensorsFile(tensors: file.tensors, metadata: unsigned))
        guard computed == stored else {
            throw CheckpointError.checksumMismatch(path: path, stored: stored, computed: computed)
        }
    }

    private static func checksum(of file: SafetensorsFile) -> String {
        var checksum = Checksum()
        file.encode { checksum.update($0) }
        let hex = String(checksum.finalize(), radix: 16)
        return "xxh64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// One line saying what Foundation's JSON coders objected to and where, without their nested dumps.
    private static func describe(_ error: Error) -> String {
        func location(_ path: [CodingKey]) -> String {
            path.isEmpty ? "" : " at '" + path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") + "'"
        }
        switch error {
        case let DecodingError.dataCorrupted(context):
            let underlying = (context.underlyingError as NSError?).map { ": " + $0.localizedDescription } ?? ""
            return context.debugDescription + underlying + location(context.codingPath)
        case let DecodingError.keyNotFound(key, context):
            return "missing key '\(key.stringValue)'" + location(context.codingPath)
        case let DecodingError.typeMismatch(type, context):
            return "expected \(type)" + location(context.codingPath)
        case let DecodingError.valueNotFound(type, context):
            return "expected \(type) but found null" + location(context.codingPath)
        case let EncodingError.invalidValue(value, context):
            return "cannot encode \(value)" + location(context.codingPath) + ": " + context.debugDescription
        default:
            return String(describing: error)
        }
    }
}
