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

    private static let metadataKey = "__metadata__"

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
            HeaderJSON.appendString(Self.metadataKey, to: &json)
            json.append(contentsOf: Array(":{".utf8))
            let keys = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { json.append(UInt8(ascii: ",")) }
                HeaderJSON.appendString(key, to: &json)
                json.append(UInt8(ascii: ":"))
                HeaderJSON.appendString(metadata[key]!, to: &json)
            }
            json.append(UInt8(ascii: "}"))
            needsComma = true
        }
        var offset = 0
        for tensor in tensors {
            if needsComma { json.append(UInt8(ascii: ",")) }
            needsComma = true
            HeaderJSON.appendString(tensor.name, to: &json)
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
        let json: HeaderJSON
        do {
            json = try HeaderJSON.parse(UnsafeRawBufferPointer(rebasing: file[8..<dataStart]))
        } catch {
            throw SafetensorsError.invalidJSON(path: path, offset: 8 + error.offset, reason: error.reason)
        }
        guard case let .object(members) = json else {
            throw SafetensorsError.invalidHeader(path: path, reason: "its header is not a JSON object")
        }

        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (key, value) in members {
            if key == metadataKey {
                metadata = try decodeMetadata(value, path: path)
            } else {
                entries.append(try decodeEntry(name: key, value, path: path))
            }
        }

        let dataSize = file.count - dataStart
        for entry in entries where entry.end > dataSize {
            throw SafetensorsError.offsetsOutOfRange(
                path: path, tensor: entry.name, begin: entry.begin, end: entry.end, dataSize: dataSize)
        }
        let ordered = entries.enumerated().sorted {
            ($0.element.begin, $0.element.end, $0.offset) < ($1.element.begin, $1.element.end, $1.offset)
        }.map(\.element)
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
        return try SafetensorsFile(tensors: tensors, metadata: metadata)
    }

    private static func decodeMetadata(_ value: HeaderJSON, path: String) throws -> [String: String] {
        guard case let .object(members) = value else {
            throw SafetensorsError.invalidHeader(path: path, reason: "its '\(metadataKey)' entry is not a JSON object")
        }
        var metadata: [String: String] = [:]
        for (key, value) in members {
            guard case let .string(text) = value else {
                throw SafetensorsError.invalidHeader(
                    path: path, reason: "its '\(metadataKey)' entry '\(key)' is not a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func decodeEntry(name: String, _ value: HeaderJSON, path: String) throws -> Entry {
        func invalid(_ reason: String) -> SafetensorsError {
            .invalidHeader(path: path, reason: "tensor '\(name)' \(reason)")
        }
        guard case let .object(fields) = value else { throw invalid("is not described by a JSON object") }
        var dtypeName: String?
        var shapeValues: [HeaderJSON]?
        var offsetValues: [HeaderJSON]?
        for (field, value) in fields {
            switch (field, value) {
            case let ("dtype", .string(text)): dtypeName = text
            case let ("shape", .array(elements)): shapeValues = elements
            case let ("data_offsets", .array(elements)): offsetValues = elements
            case ("dtype", _): throw invalid("has a 'dtype' that is not a string")
            case ("shape", _), ("data_offsets", _): throw invalid("has a '\(field)' that is not an array")
            default: throw invalid("has an unexpected field '\(field)'")
            }
        }
        guard let dtypeName else { throw invalid("has no 'dtype'") }
        guard let shapeValues else { throw invalid("has no 'shape'") }
        guard let offsetValues else { throw invalid("has no 'data_offsets'") }
        guard let dtype = SafetensorsTensor.DType(rawValue: dtypeName) else {
            throw SafetensorsError.unknownDType(path: path, tensor: name, dtype: dtypeName)
        }
        guard let shape = integers(shapeValues) else {
            throw invalid("has a 'shape' that is not a list of non-negative integers")
        }
        guard let offsets = integers(offsetValues), offsets.count == 2, offsets[0] <= offsets[1] else {
            throw invalid("has 'data_offsets' that are not two non-negative integers [begin, end] with begin <= end")
        }
        var expected = dtype.byteWidth
        for dimension in shape {
            let (next, overflow) = expected.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw invalid("has a shape \(shape) too large to address") }
            expected = next
        }
        guard expected == offsets[1] - offsets[0] else {
            throw SafetensorsError.sizeMismatch(path: path, tensor: name, expected: expected, actual: offsets[1] - offsets[0])
        }
        return Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    /// The values as non-negative Ints, or nil if any is something else (a fraction, a sign, an exponent, too big).
    private static func integers(_ values: [HeaderJSON]) -> [Int]? {
        var result: [Int] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard case let .number(literal) = value, literal.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                let integer = Int(literal)
            else { return nil }
            result.append(integer)
        }
        return result
    }
}
