/// Hands out consecutive matrix views of one buffer, so a workspace is one allocation carved into named parts.
struct BufferCarver {
    let buffer: FloatBuffer
    private var offset = 0

    /// Carves from a new buffer of `count` values.
    init(count: Int) { buffer = FloatBuffer(count: count) }

    /// The next `rows` x `cols` values as a matrix.
    mutating func take(_ rows: Int, _ cols: Int) -> Matrix {
        defer { offset += rows * cols }
        return buffer.matrix(rows: rows, cols: cols, offset: offset)
    }
}
