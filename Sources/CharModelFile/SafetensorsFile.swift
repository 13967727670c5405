import Foundation

/// A set of named tensors plus string metadata in Hugging Face's safetensors layout, so PyTorch, NumPy and
/// the `safetensors` library can read what charnn writes:
///
/// ```
/// [8 bytes: N, little-endian UInt64] [N bytes: JSON header, space-padded] [data section: tensor bytes]
/// header = {"__metadata__":{"key":"value",...},"name":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},...}
/// ```
///
/// Offsets count from the start of the data section. Writing is deterministic, so equal contents give
/// byte-identical files: tensors in the order given, packed without gaps; header keys in a fixed order
/// (`__metadata__` first, its keys sorted by UTF-8 bytes, then each tensor's `dtype`, `shape`, `data_offsets`);
/// the header padded with spaces to a multiple of 8 bytes so every tensor starts 8-byte aligned.
/// Reading trusts nothing: every length and offset is checked against the file before it is used, and the
/// tensors must tile the data section exactly. Values are little-endian, the byte order of every platform
/// Swift runs charnn on, so they are copied without conversion.
public struct SafetensorsFile: Sendable, Equatable {
    /// The tensors, in data-section order (for a file charnn wrote, the order they were given in).
    public let tensors: [SafetensorsTensor]
    /// The `__metadata__` entries.
    public let metadata: [String: String]
    private let positions: [String: Int]

    private static let metadataKey = SafetensorsHeader.metadataKey

    /// Collects tensors and metadata to be written.
    ///
    /// - Throws: `SafetensorsError.duplicateTensor` if two tensors share a name, `.invalidTensor` for a tensor
    ///   named `__metadata__`.
    public init(tensors: [SafetensorsTensor], metadata: [String: String] = [:]) throws {
        var positions: [String: Int] = [:]
        for (position, tensor) in tensors.enumerated() {
            guard tensor.name != Self.metadataKey else {
                throw SafetensorsError.invalidTensor(name: tensor.name, reason: "the name is reserved for the metadata")
            }
            guard positions.updateValue(position, forKey: tensor.name) == nil else {
                throw SafetensorsError.duplicateTensor(name: tensor.name)
            }
        }
        self.tensors = tensors
        self.metadata = metadata
        self.positions = positions
    }

    /// The tensor named `name`, if there is one.
    public subscript(name: String) -> SafetensorsTensor? {
        positions[name].map { tensors[$0] }
    }

    /// The 8-byte header length followed by the space-padded JSON header.
    public func encodedHeader() -> [UInt8] {
        var json: [UInt8] = []
        json.append(UInt8(ascii: "{"))
        var needsComma = false
        if !metadata.isEmpty {
            Self.appendJSONString(Self.metadataKey, to: &json)
            json.append(contentsOf: Array(":{".utf8))
            let keys = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { json.append(UInt8(ascii: ",")) }
                Self.appendJSONString(key, to: &json)
                json.append(UInt8(ascii: ":"))
                Self.appendJSONString(metadata[key]!, to: &json)
            }
            json.append(UInt8(ascii: "}"))
            needsComma = true
        }
        var offset = 0
        for tensor in tensors {
            if needsComma { json.append(UInt8(ascii: ",")) }
            needsComma = true
            Self.appendJSONString(tensor.name, to: &json)
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            let end = offset + tensor.byteCount
            json.append(contentsOf: Array(
                ":{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}".utf8))
            offset = end
        }
        json.append(UInt8(ascii: "}"))
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))

        var header: [UInt8] = []
        header.reserveCapacity(8 + json.count)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { header.append(contentsOf: $0) }
        header.append(contentsOf: json)
        return header
    }

    /// Sends the whole file to `emit`: the header, then each tensor's bytes straight from its storage.
    public func encode(into emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try encodedHeader().withUnsafeBytes { try emit($0) }
        for tensor in tensors {
            try tensor.withUnsafeBytes { try emit($0) }
        }
    }

    /// The whole file as bytes.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        encode { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Writes the file durably (see `DurableFile`), streaming tensors without copying them.
    public func write(to url: URL) throws {
        try DurableFile.write(to: url) { sink in try encode(into: sink.write) }
    }

    /// Reads and validates the file at `url`.
    ///
    /// - Throws: `DurableFileError.cannotRead` if the file cannot be read, `SafetensorsError` if it is damaged.
    public init(contentsOf url: URL) throws {
        try self.init(decoding: DurableFile.read(from: url), path: DurableFile.path(of: url))
    }

    /// Validates and decodes a whole file's bytes; `path` names the file in errors.
    public init(decoding bytes: [UInt8], path: String) throws {
        self = try bytes.withUnsafeBytes { try Self.decode($0, path: path) }
    }

    private struct Entry {
        let name: String
        let dtype: SafetensorsTensor.DType
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    private static func decode(_ file: UnsafeRawBufferPointer, path: String) throws -> SafetensorsFile {
        guard file.count >= 8 else { throw SafetensorsError.fileTooShort(path: path, size: file.count) }
        let headerLength = UInt64(littleEndian: file.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(file.count - 8) else {
            throw SafetensorsError.headerBeyondFile(path: path, headerLength: headerLength, fileSize: file.count)
        }
        let dataStart = 8 + Int(headerLength)
        let header: SafetensorsHeader
        do {
            header = try SafetensorsHeader.decode(Data(file[8..<dataStart]))
        } catch {
            throw SafetensorsError.invalidHeader(path: path, reason: error.reason)
        }
        let entries = try header.entries.map { try checkedEntry($0, path: path) }

        let dataSize = file.count - dataStart
        let ordered = entries.sorted { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        for entry in ordered where entry.end > dataSize {
            throw SafetensorsError.offsetsOutOfRange(
                path: path, tensor: entry.name, begin: entry.begin, end: entry.end, dataSize: dataSize)
        }
        var covered = 0
        var previous: String?
        for entry in ordered {
            if entry.begin < covered, let previous {
                throw SafetensorsError.overlap(path: path, tensor: entry.name, other: previous)
            }
            if entry.begin > covered {
                throw SafetensorsError.unclaimedBytes(path: path, begin: covered, end: entry.begin)
            }
            if entry.end > entry.begin || previous == nil { previous = entry.name }
            covered = max(covered, entry.end)
        }
        guard covered == dataSize else { throw SafetensorsError.trailingBytes(path: path, count: dataSize - covered) }

        let tensors = ordered.map { entry in
            SafetensorsTensor(
                name: entry.name, shape: entry.shape, dtype: entry.dtype,
                bytes: UnsafeRawBufferPointer(rebasing: file[(dataStart + entry.begin)..<(dataStart + entry.end)]))
        }
        return try SafetensorsFile(tensors: tensors, metadata: header.metadata)
    }

    /// Checks a tensor's description against the types charnn reads and against its own shape.
    private static func checkedEntry(_ entry: SafetensorsHeader.Entry, path: String) throws -> Entry {
        guard let dtype = SafetensorsTensor.DType(rawValue: entry.dtype) else {
            throw SafetensorsError.unknownDType(path: path, tensor: entry.name, dtype: entry.dtype)
        }
        var expected = dtype.byteWidth
        for dimension in entry.shape {
            let (next, overflow) = expected.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw SafetensorsError.invalidHeader(
                    path: path, reason: "tensor '\(entry.name)' has a shape \(entry.shape) too large to address")
            }
            expected = next
        }
        let (begin, end) = (entry.dataOffsets[0], entry.dataOffsets[1])
        guard expected == end - begin else {
            throw SafetensorsError.sizeMismatch(path: path, tensor: entry.name, expected: expected, actual: end - begin)
        }
        return Entry(name: entry.name, dtype: dtype, shape: entry.shape, begin: begin, end: end)
    }

    /// Appends `string` as a JSON string literal: quotes, backslashes and control characters escaped, the rest
    /// as UTF-8. Written by hand rather than with `JSONEncoder` so that the bytes of a file never change with
    /// Foundation's escaping choices (it escapes `/`, for one).
    private static func appendJSONString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case UInt8(ascii: "\n"): output.append(contentsOf: Array("\\n".utf8))
            case UInt8(ascii: "\r"): output.append(contentsOf: Array("\\r".utf8))
            case UInt8(ascii: "\t"): output.append(contentsOf: Array("\\t".utf8))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
