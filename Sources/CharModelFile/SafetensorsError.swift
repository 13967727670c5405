/// Why a safetensors file could not be read, or a tensor set could not be stored.
///
/// Reading cases name the file and describe the damage; building cases name the offending tensor.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable {
    /// The file cannot even hold the 8-byte header length.
    case fileTooShort(path: String, size: Int)
    /// The header length points past the end of the file.
    case headerBeyondFile(path: String, headerLength: UInt64, fileSize: Int)
    /// The header is not JSON, or not a safetensors header (a repeated key, a missing or mistyped field).
    case invalidHeader(path: String, reason: String)
    /// A tensor's element type is not one of `SafetensorsTensor.DType`.
    case unknownDType(path: String, tensor: String, dtype: String)
    /// A tensor's byte range does not match its shape and element type.
    case sizeMismatch(path: String, tensor: String, expected: Int, actual: Int)
    /// A tensor's byte range ends past the data section.
    case offsetsOutOfRange(path: String, tensor: String, begin: Int, end: Int, dataSize: Int)
    /// Two tensors share bytes.
    case overlap(path: String, tensor: String, other: String)
    /// A stretch of the data section between tensors belongs to none of them.
    case unclaimedBytes(path: String, begin: Int, end: Int)
    /// Bytes follow the last tensor.
    case trailingBytes(path: String, count: Int)
    /// A tensor to store is inconsistent (shape versus values) or uses the reserved name `__metadata__`.
    case invalidTensor(name: String, reason: String)
    /// Two tensors to store share a name.
    case duplicateTensor(name: String)

    /// The file a reading error is about; nil for errors raised while building tensors to store.
    public var path: String? {
        switch self {
        case let .fileTooShort(path, _), let .headerBeyondFile(path, _, _), let .invalidHeader(path, _),
            let .unknownDType(path, _, _), let .sizeMismatch(path, _, _, _),
            let .offsetsOutOfRange(path, _, _, _, _), let .overlap(path, _, _), let .unclaimedBytes(path, _, _),
            let .trailingBytes(path, _):
            path
        case .invalidTensor, .duplicateTensor:
            nil
        }
    }

    /// What is wrong, without the file name, so that a caller can put it in its own sentence.
    public var problem: String {
        switch self {
        case let .fileTooShort(_, size):
            "it is \(size) bytes long, too short to hold the 8-byte header length (file truncated?)"
        case let .headerBeyondFile(_, headerLength, fileSize):
            "its \(headerLength)-byte header runs past the end of the \(fileSize)-byte file (file truncated?)"
        case let .invalidHeader(_, reason):
            reason
        case let .unknownDType(_, tensor, dtype):
            "tensor '\(tensor)' has dtype '\(dtype)'; charnn reads "
                + SafetensorsTensor.DType.allCases.map(\.rawValue).joined(separator: ", ")
        case let .sizeMismatch(_, tensor, expected, actual):
            "tensor '\(tensor)' needs \(expected) bytes for its dtype and shape but its data_offsets span \(actual)"
        case let .offsetsOutOfRange(_, tensor, begin, end, dataSize):
            "tensor '\(tensor)' occupies bytes \(begin)..<\(end) of the data section, which holds only \(dataSize) bytes (file truncated?)"
        case let .overlap(_, tensor, other):
            "tensors '\(other)' and '\(tensor)' overlap in the data section"
        case let .unclaimedBytes(_, begin, end):
            "bytes \(begin)..<\(end) of the data section belong to no tensor"
        case let .trailingBytes(_, count):
            "\(count) bytes of trailing garbage follow the last tensor"
        case let .invalidTensor(name, reason):
            "cannot store tensor '\(name)': \(reason)"
        case let .duplicateTensor(name):
            "cannot store two tensors named '\(name)'"
        }
    }

    /// One line naming the file, the problem and what to do.
    public var description: String {
        if let path { "safetensors file \(path) is damaged: \(problem)" } else { problem }
    }
}
