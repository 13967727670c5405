#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One named tensor of a safetensors file: a shape and row-major little-endian values of one element type.
///
/// Two tensors are equal when name, shape, element type and stored bytes are equal, so NaN equals the same NaN
/// and 0 differs from -0: exactly what a checkpoint must reproduce.
public struct SafetensorsTensor: Sendable, Equatable {
    /// The element types charnn reads and writes, spelled as in a safetensors header: Float32, which is all a
    /// charnn model, checkpoint or PyTorch state_dict holds, and the bf16 and int8 of reduced-precision model files
    /// (`ReducedWeights`). A file with any other type is refused as `SafetensorsError.unknownDType`.
    public enum DType: String, Sendable, CaseIterable {
        /// IEEE Float32.
        case f32 = "F32"
        /// bfloat16: the top 16 bits of a Float32.
        case bf16 = "BF16"
        /// Signed 8-bit integers.
        case i8 = "I8"

        /// Bytes per element.
        public var byteWidth: Int {
            switch self {
            case .f32: 4
            case .bf16: 2
            case .i8: 1
            }
        }
    }

    /// The values, in row-major order, with their element type.
    public enum Values: Sendable {
        /// Float32 values.
        case f32([Float])
        /// bfloat16 values as their bit patterns.
        case bf16([UInt16])
        /// Signed 8-bit integers.
        case i8([Int8])
    }

    /// The name the tensor is stored under, e.g. `lstm.weight_ih_l0`.
    public let name: String
    /// The dimensions, outermost first; `[]` is a scalar.
    public let shape: [Int]
    /// The values; their count is the product of `shape`.
    public let values: Values

    /// A tensor of `values` viewed as `shape`.
    ///
    /// - Throws: `SafetensorsError.invalidTensor` if a dimension is negative or the shape does not hold
    ///   exactly as many elements as `values`.
    public init(name: String, shape: [Int], values: Values) throws {
        var product = 1
        for dimension in shape {
            guard dimension >= 0 else {
                throw SafetensorsError.invalidTensor(name: name, reason: "shape \(shape) has a negative dimension")
            }
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw SafetensorsError.invalidTensor(name: name, reason: "shape \(shape) holds too many elements")
            }
            product = next
        }
        self.name = name
        self.shape = shape
        self.values = values
        guard product == elementCount else {
            throw SafetensorsError.invalidTensor(
                name: name, reason: "shape \(shape) holds \(product) elements but \(elementCount) values were given")
        }
    }

    /// A Float32 tensor of `floats` viewed as `shape`.
    public init(name: String, shape: [Int], floats: [Float]) throws {
        try self.init(name: name, shape: shape, values: .f32(floats))
    }

    /// Copies a tensor's bytes out of a file buffer whose header has already been validated.
    init(name: String, shape: [Int], dtype: DType, bytes: UnsafeRawBufferPointer) {
        self.name = name
        self.shape = shape
        switch dtype {
        case .f32: values = .f32(Self.copy(bytes))
        case .bf16: values = .bf16(Self.copy(bytes))
        case .i8: values = .i8(Self.copy(bytes))
        }
    }

    /// The element type of `values`.
    public var dtype: DType {
        switch values {
        case .f32: .f32
        case .bf16: .bf16
        case .i8: .i8
        }
    }

    /// The number of elements.
    public var elementCount: Int {
        switch values {
        case let .f32(array): array.count
        case let .bf16(array): array.count
        case let .i8(array): array.count
        }
    }

    /// The number of bytes the values occupy in a file.
    public var byteCount: Int { elementCount * dtype.byteWidth }

    /// The values, if they are Float32.
    public var floats: [Float]? {
        if case let .f32(array) = values { array } else { nil }
    }

    /// Calls `body` with the values' bytes, as they are laid out in a file.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        switch values {
        case let .f32(array): try array.withUnsafeBytes(body)
        case let .bf16(array): try array.withUnsafeBytes(body)
        case let .i8(array): try array.withUnsafeBytes(body)
        }
    }

    /// True when name, shape, element type and stored bytes all match (see the type's documentation).
    public static func == (left: SafetensorsTensor, right: SafetensorsTensor) -> Bool {
        guard left.name == right.name, left.shape == right.shape, left.dtype == right.dtype,
            left.elementCount == right.elementCount
        else { return false }
        return left.withUnsafeBytes { leftBytes in
            right.withUnsafeBytes { rightBytes in
                leftBytes.count == 0 || memcmp(leftBytes.baseAddress!, rightBytes.baseAddress!, leftBytes.count) == 0
            }
        }
    }

    private static func copy<Element>(_ bytes: UnsafeRawBufferPointer) -> [Element] {
        let count = bytes.count / MemoryLayout<Element>.stride
        return [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            }
            initialized = count
        }
    }
}
