/// Owned, zero-initialised, contiguous Float32 storage.
///
/// Every large array of the model (parameters, gradients, activations, workspaces) is one of these, allocated once
/// per shape and then reused: the step loops work on raw pointers into it and never allocate.
public final class FloatBuffer: @unchecked Sendable {
    /// Number of Float32 values.
    public let count: Int
    /// The first value; valid for `count` values while the buffer lives.
    public let base: UnsafeMutablePointer<Float>

    /// Allocates `count` values, all zero.
    public init(count: Int) {
        precondition(count >= 0, "FloatBuffer count must be non-negative")
        self.count = count
        // 64-byte alignment keeps SIMD loads on one cache line.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
    }

    /// Allocates a copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }

    /// The values as a buffer pointer.
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }

    /// A copy of the values.
    public var array: [Float] { Array(buffer) }

    /// Sets every value to zero.
    public func zero() { base.update(repeating: 0, count: count) }

    /// Copies all values from `other`, which must have the same count.
    public func copy(from other: FloatBuffer) {
        precondition(other.count == count, "FloatBuffer copy between counts \(other.count) and \(count)")
        base.update(from: other.base, count: count)
    }

    /// A `rows` x `cols` matrix view starting at value `offset`.
    public func matrix(rows: Int, cols: Int, offset: Int = 0) -> Matrix {
        precondition(offset >= 0 && offset + rows * cols <= count, "matrix view [\(rows),\(cols)] at \(offset) outside buffer of \(count)")
        return Matrix(base + offset, rows: rows, cols: cols)
    }
}
