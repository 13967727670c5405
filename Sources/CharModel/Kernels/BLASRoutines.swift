#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// The two BLAS routines charnn calls, as values, so that a library's routines can be checked before they are put
/// in use (`BLASCheck`). Row-major throughout; leading dimensions are the matrices' `cols`.
public struct BLASRoutines: Sendable {
    /// `C = alpha * op(A) * op(B) + beta * C`, with `op` transposing where the flag says; shapes already checked.
    public var sgemm: @Sendable (_ a: Matrix, _ transposeA: Bool, _ b: Matrix, _ transposeB: Bool, _ c: Matrix, _ alpha: Float, _ beta: Float) -> Void
    /// `y = alpha * A * x + beta * y` for x [A.cols] and y [A.rows].
    public var sgemv: @Sendable (_ a: Matrix, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ alpha: Float, _ beta: Float) -> Void

    public init(
        sgemm: @escaping @Sendable (Matrix, Bool, Matrix, Bool, Matrix, Float, Float) -> Void,
        sgemv: @escaping @Sendable (Matrix, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Float, Float) -> Void
    ) {
        self.sgemm = sgemm
        self.sgemv = sgemv
    }

    /// The platform's BLAS: OpenBLAS as `BLASBackend` loaded it, or Accelerate. Only `BLASBackend` calls these
    /// directly, while it loads the library; everything else goes through `BLASBackend.routines`, which loads first.
    static let system = BLASRoutines(
        sgemm: { a, transposeA, b, transposeB, c, alpha, beta in
            let k = transposeA ? a.rows : a.cols
            #if canImport(Accelerate)
            cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                        Int32(c.rows), Int32(c.cols), Int32(k), alpha, a.base, Int32(a.cols), b.base, Int32(b.cols),
                        beta, c.base, Int32(c.cols))
            #else
            charnn_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(c.rows), Int32(c.cols), Int32(k), alpha,
                         a.base, Int32(a.cols), b.base, Int32(b.cols), beta, c.base, Int32(c.cols))
            #endif
        },
        sgemv: { a, x, y, alpha, beta in
            #if canImport(Accelerate)
            cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(a.rows), Int32(a.cols), alpha, a.base, Int32(a.cols), x, 1, beta, y, 1)
            #else
            charnn_sgemv(Int32(a.rows), Int32(a.cols), alpha, a.base, Int32(a.cols), x, beta, y)
            #endif
        }
    )
}
