/// A quick check of a BLAS's products against a plain Float64 reference, on the shapes charnn's training and
/// sampling use, before its kernels are trusted.
///
/// Some OpenBLAS builds compute wrong results (or none) with some kernel sets on CPUs newer than the build, which is
/// why some environments pin OPENBLAS_CORETYPE. A kernel set that charnn chooses by itself must first reproduce
/// these products. Dimensions are small and deliberately not multiples of the kernels' vector and block widths, so
/// that the edges are exercised as well as the full-width loops; the whole check costs a few milliseconds.
public enum BLASCheck {
    /// One product the check runs: op(A) [m, k] x op(B) [k, n], added to beta * C.
    struct Product {
        let name: String
        let m: Int, n: Int, k: Int
        let transposeA: Bool, transposeB: Bool
        let beta: Float
    }

    /// Per-step recurrent products (forward NT, backward NN) at R = 28 rows and H = 37, window-wide projections and
    /// weight gradients, the decoder's small vocabulary, and a product large enough to run on several threads.
    static let products = [
        Product(name: "recurrent step h W_hh^T", m: 28, n: 148, k: 37, transposeA: false, transposeB: true, beta: 0),
        Product(name: "recurrent step da W_hh", m: 28, n: 37, k: 148, transposeA: false, transposeB: false, beta: 0),
        Product(name: "window projection x W_ih^T", m: 101, n: 148, k: 37, transposeA: false, transposeB: true, beta: 1),
        Product(name: "weight gradient da^T h", m: 148, n: 37, k: 101, transposeA: true, transposeB: false, beta: 1),
        Product(name: "decoder h W^T", m: 3, n: 65, k: 37, transposeA: false, transposeB: true, beta: 1),
        Product(name: "large product", m: 150, n: 130, k: 140, transposeA: false, transposeB: false, beta: 1),
    ]

    /// Matrix-vector products of sampling at batch 1: [4H, H] and the decoder's [V, H].
    static let vectorProducts = [(rows: 148, cols: 37), (rows: 65, cols: 37)]

    /// Nil when every product of `routines` agrees with the reference; else which product disagreed and by how much.
    ///
    /// An entry agrees when it is within 1e-4 of Σ_k |a_ik b_kj| + |beta c_ij| of the Float64 result: a correct
    /// float kernel's rounding error is bounded by k * 2^-24 times that sum (under 1e-5 for these k), while a wrong
    /// kernel is off by the size of the terms themselves.
    public static func firstDisagreement(of routines: BLASRoutines) -> String? {
        var rng = RandomSource(seed: 20_261_202)
        for p in products {
            let (aRows, aCols) = p.transposeA ? (p.k, p.m) : (p.m, p.k)
            let (bRows, bCols) = p.transposeB ? (p.n, p.k) : (p.k, p.n)
            let (aBuffer, bBuffer, cBuffer) = (random(aRows * aCols, &rng), random(bRows * bCols, &rng), random(p.m * p.n, &rng))
            let c0 = cBuffer.array
            routines.sgemm(aBuffer.matrix(rows: aRows, cols: aCols), p.transposeA, bBuffer.matrix(rows: bRows, cols: bCols),
                           p.transposeB, cBuffer.matrix(rows: p.m, cols: p.n), 1, p.beta)
            let (a, b, c) = (aBuffer.array, bBuffer.array, cBuffer.array)
            for i in 0..<p.m {
                for j in 0..<p.n {
                    var exact = Double(p.beta) * Double(c0[i * p.n + j])
                    var magnitude = abs(exact)
                    for l in 0..<p.k {
                        let x = Double(p.transposeA ? a[l * aCols + i] : a[i * aCols + l])
                        let y = Double(p.transposeB ? b[j * bCols + l] : b[l * bCols + j])
                        exact += x * y
                        magnitude += abs(x * y)
                    }
                    let error = abs(Double(c[i * p.n + j]) - exact)
                    if !(error <= 1e-4 * magnitude) {
                        return "sgemm \(p.name) [\(p.m)x\(p.k)]x[\(p.k)x\(p.n)] is off by \(error) at [\(i),\(j)]"
                    }
                }
            }
        }
        for (rows, cols) in vectorProducts {
            let (aBuffer, xBuffer, yBuffer) = (random(rows * cols, &rng), random(cols, &rng), random(rows, &rng))
            let y0 = yBuffer.array
            routines.sgemv(aBuffer.matrix(rows: rows, cols: cols), xBuffer.base, yBuffer.base, 1, 1)
            let (a, x, y) = (aBuffer.array, xBuffer.array, yBuffer.array)
            for i in 0..<rows {
                var exact = Double(y0[i]), magnitude = abs(Double(y0[i]))
                for l in 0..<cols {
                    exact += Double(a[i * cols + l]) * Double(x[l])
                    magnitude += abs(Double(a[i * cols + l]) * Double(x[l]))
                }
                let error = abs(Double(y[i]) - exact)
                if !(error <= 1e-4 * magnitude) { return "sgemv [\(rows)x\(cols)] is off by \(error) at [\(i)]" }
            }
        }
        return nil
    }

    /// `count` values uniform in [-1, 1).
    private static func random(_ count: Int, _ rng: inout RandomSource) -> FloatBuffer {
        let buffer = FloatBuffer(count: count)
        for i in 0..<count { buffer.base[i] = rng.nextUniform(bound: 1) }
        return buffer
    }
}
