/// A row-major Float32 matrix view: a pointer and a shape, no ownership.
///
/// Views point into a `FloatBuffer` that outlives them; they cost nothing to make, so the math can slice buffers into
/// per-step blocks (`rows(_:)`) without copying. `gemm` and `gemv` go through BLAS (`BLASBackend`); the per-step
/// recurrent products have kernels of their own (`PackedMatrix`).
public struct Matrix {
    /// The first element.
    public let base: UnsafeMutablePointer<Float>
    /// Number of rows.
    public let rows: Int
    /// Number of columns (row stride).
    public let cols: Int

    /// A view of `rows` x `cols` values starting at `base`.
    public init(_ base: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        self.base = base
        self.rows = rows
        self.cols = cols
    }

    /// Number of values.
    public var count: Int { rows * cols }

    /// The rows `range` as a matrix.
    public func rows(_ range: Range<Int>) -> Matrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "row range \(range) outside \(rows) rows")
        return Matrix(base + range.lowerBound * cols, rows: range.count, cols: cols)
    }

    /// Row `r` as a pointer to `cols` values.
    @inline(__always) public func row(_ r: Int) -> UnsafeMutablePointer<Float> { base + r * cols }

    /// Sets every value to zero.
    public func zero() { base.update(repeating: 0, count: count) }

    /// c = a ⊙ b, element by element (c may be a or b): a dropout mask applied to values or to their gradient.
    static func multiply(_ a: Matrix, _ b: Matrix, into c: Matrix) {
        precondition(a.count == b.count && b.count == c.count, "element-wise product of \(a.count), \(b.count) into \(c.count) values")
        for i in 0..<a.count { c.base[i] = a.base[i] * b.base[i] }
    }

    /// `C = alpha * op(A) * op(B) + beta * C`, where op transposes when asked. Shapes are checked.
    public static func gemm(
        _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
        into c: Matrix, alpha: Float = 1, beta: Float = 0
    ) {
        let (m, n, _) = productShape(a, transposeA: transposeA, b, transposeB: transposeB, into: c)
        guard m > 0, n > 0 else { return }
        BLASBackend.routines.sgemm(a, transposeA, b, transposeB, c, alpha, beta)
    }

    /// M, N and K of C [M, N] = op(A) [M, K] op(B) [K, N], checked: what every product's implementation checks first.
    static func productShape(
        _ a: Matrix, transposeA: Bool, _ b: Matrix, transposeB: Bool, into c: Matrix
    ) -> (m: Int, n: Int, k: Int) {
        let (m, k) = transposeA ? (a.cols, a.rows) : (a.rows, a.cols)
        let (kb, n) = transposeB ? (b.cols, b.rows) : (b.rows, b.cols)
        precondition(k == kb && c.rows == m && c.cols == n,
                     "gemm shapes: op(A) [\(m),\(k)] x op(B) [\(kb),\(n)] into C [\(c.rows),\(c.cols)]")
        return (m, n, k)
    }

    /// `y = alpha * A * x + beta * y` for a vector `x` of `cols` values and `y` of `rows` values.
    public static func gemv(_ a: Matrix, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, alpha: Float = 1, beta: Float = 0) {
        BLASBackend.routines.sgemv(a, x, y, alpha, beta)
    }

    /// Adds row r of `source` to row `indices[r]` of this matrix, for every row of `source`: the gradient of a
    /// row lookup (an embedding, or a table indexed by token).
    public func addRows(of source: Matrix, at indices: UnsafePointer<Int32>) {
        precondition(source.cols == cols, "addRows: [\(source.rows),\(source.cols)] into [\(rows),\(cols)]")
        for r in 0..<source.rows {
            let src = source.row(r), dst = row(Int(indices[r]))
            for j in 0..<cols { dst[j] += src[j] }
        }
    }

    /// Adds the column sums of this matrix to `sums` (`cols` values), and to `other` too when given: the gradient of
    /// a bias broadcast over rows.
    public func addColumnSums(into sums: UnsafeMutablePointer<Float>, and other: UnsafeMutablePointer<Float>? = nil) {
        for r in 0..<rows {
            let row = self.row(r)
            for j in 0..<cols { sums[j] += row[j] }
            if let other { for j in 0..<cols { other[j] += row[j] } }
        }
    }
}
