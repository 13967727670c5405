import Foundation
import Testing
@testable import CharModel

/// The inference kernels (`PackedWeights` on every `MatVecKernel` this machine runs, the lower ones forced) against
/// a Float64 reference, in every `WeightPrecision`.
///
/// Tolerances, for output j of row r, with S_j = |y0_j| + Σ_k |w_jk x_k| (the sum the rounding errors scale with):
///   - the kernel's arithmetic, against Float64 over the weights as stored (w'): |y - ref'| <= 1e-5 S'_j, for
///     every precision (fp32 accumulation is all that differs);
///   - bf16 against the fp32 weights: |y - ref| <= 2^-8 S_j (rounding to bf16 moves a weight by at most 2^-9 of it);
///   - int8 against the fp32 weights: |y - ref| <= 0.51 s_j Σ_k |x_k| + 1e-5 S_j (a weight moves by at most s_j / 2).
@Suite("Inference kernels")
struct MatVecKernelTests {
    /// Shapes past one panel and one tile: a partial last panel (N = 17, 70), K = 1, and row counts that leave a
    /// partial tile of rows (M = 3, 5, 9).
    static let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (1, 17, 5), (1, 70, 33), (1, 130, 20), (2, 33, 7), (3, 70, 9),
                                                      (4, 16, 16), (5, 45, 12), (9, 70, 33)]

    /// Random weights with rows of very different scales (as a model's are), and inputs.
    static func operands(m: Int, n: Int, k: Int, seed: UInt64) -> (w: [Float], x: [Float], y0: [Float]) {
        var rng = RandomSource(seed: seed)
        let w = (0..<n * k).map { rng.nextUniform(bound: 1) * Float(1 + $0 / k % 5) }
        let x = (0..<m * k).map { _ in rng.nextUniform(bound: 2) }
        let y0 = (0..<m * n).map { _ in rng.nextUniform(bound: 1) }
        return (w, x, y0)
    }

    /// y = y0 + x W^T in Float64, and each output's S (see the suite).
    static func reference(w: [Float], x: [Float], y0: [Float], m: Int, n: Int, k: Int) -> (y: [Double], scale: [Double]) {
        var y = [Double](repeating: 0, count: m * n), scale = y
        for r in 0..<m {
            for j in 0..<n {
                var (sum, size) = (Double(y0[r * n + j]), abs(Double(y0[r * n + j])))
                for kk in 0..<k {
                    sum += Double(w[j * k + kk]) * Double(x[r * k + kk])
                    size += abs(Double(w[j * k + kk]) * Double(x[r * k + kk]))
                }
                (y[r * n + j], scale[r * n + j]) = (sum, size)
            }
        }
        return (y, scale)
    }

    /// Runs the product with `kernel` on copies of the operands; returns Y.
    static func product(_ w: [Float], _ x: [Float], _ y0: [Float], m: Int, n: Int, k: Int, precision: WeightPrecision,
                        kernel: MatVecKernel) -> [Float] {
        let weights = FloatBuffer(w)
        let packed = PackedWeights(weights.matrix(rows: n, cols: k), precision: precision, kernel: kernel)
        var y = y0
        x.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in packed.multiplyAdd(rows: m, x.baseAddress!, ldx: k, into: y.baseAddress!, ldy: n) }
        }
        return y
    }

    @Test("every kernel computes Y += X W^T over the stored weights to 1e-5, in every precision",
          arguments: MatVecKernel.runnable, WeightPrecision.allCases)
    func arithmeticMatchesFloat64(kernel: MatVecKernel, precision: WeightPrecision) {
        for (index, shape) in Self.shapes.enumerated() {
            let (m, n, k) = shape
            let (w, x, y0) = Self.operands(m: m, n: n, k: k, seed: UInt64(index + 1))
            let stored = w.withUnsafeBufferPointer { precision.reduced($0, rows: n, cols: k) }
            let expected = Self.reference(w: stored, x: x, y0: y0, m: m, n: n, k: k)
            let y = Self.product(w, x, y0, m: m, n: n, k: k, precision: precision, kernel: kernel)
            for i in y.indices {
                #expect(abs(Double(y[i]) - expected.y[i]) <= 1e-5 * expected.scale[i], "\(kernel) \(precision) \(shape) at \(i)")
            }
        }
    }

    @Test("bf16 and int8 stay within their stated bounds of the fp32 weights' product", arguments: MatVecKernel.runnable)
    func reducedWithinBounds(kernel: MatVecKernel) {
        for (index, shape) in Self.shapes.enumerated() {
            let (m, n, k) = shape
            let (w, x, y0) = Self.operands(m: m, n: n, k: k, seed: UInt64(index + 1))
            let exact = Self.reference(w: w, x: x, y0: y0, m: m, n: n, k: k)
            let bf16 = Self.product(w, x, y0, m: m, n: n, k: k, precision: .bf16, kernel: kernel)
            let int8 = Self.product(w, x, y0, m: m, n: n, k: k, precision: .int8, kernel: kernel)
            for r in 0..<m {
                let inputSize = (0..<k).reduce(0.0) { $0 + abs(Double(x[r * k + $1])) }
                for j in 0..<n {
                    let i = r * n + j
                    let scale = Double((0..<k).map { abs(w[j * k + $0]) }.max()!) / 127
                    #expect(abs(Double(bf16[i]) - exact.y[i]) <= exact.scale[i] / 256, "bf16 \(kernel) \(shape) at \(i)")
                    #expect(abs(Double(int8[i]) - exact.y[i]) <= 0.51 * scale * inputSize + 1e-5 * exact.scale[i], "int8 \(kernel) \(shape) at \(i)")
                }
            }
        }
        // The bounds are not loose enough to pass anything: int8 does differ from fp32.
        let (w, x, y0) = Self.operands(m: 1, n: 70, k: 33, seed: 3)
        #expect(Self.product(w, x, y0, m: 1, n: 70, k: 33, precision: .int8, kernel: kernel)
            != Self.product(w, x, y0, m: 1, n: 70, k: 33, precision: .fp32, kernel: kernel))
    }

    @Test("spare rows and columns around X and Y are neither read nor written, even when they hold NaN",
          arguments: MatVecKernel.runnable, WeightPrecision.allCases)
    func nanPoisonedSpareRowsStayApart(kernel: MatVecKernel, precision: WeightPrecision) {
        for (index, shape) in Self.shapes.enumerated() {
            let (m, n, k) = shape
            let (w, x, y0) = Self.operands(m: m, n: n, k: k, seed: UInt64(index + 1))
            let clean = Self.product(w, x, y0, m: m, n: n, k: k, precision: precision, kernel: kernel)
            // X [m, k] inside rows of k + 3, and Y [m, n] inside rows of n + 5, one spare row each; all else NaN.
            let (ldx, ldy) = (k + 3, n + 5)
            var paddedX = [Float](repeating: .nan, count: (m + 1) * ldx)
            var paddedY = [Float](repeating: .nan, count: (m + 1) * ldy)
            for r in 0..<m {
                for kk in 0..<k { paddedX[r * ldx + kk] = x[r * k + kk] }
                for j in 0..<n { paddedY[r * ldy + j] = y0[r * n + j] }
            }
            let weights = FloatBuffer(w)
            let packed = PackedWeights(weights.matrix(rows: n, cols: k), precision: precision, kernel: kernel)
            withExtendedLifetime(weights) {}
            paddedX.withUnsafeBufferPointer { x in
                paddedY.withUnsafeMutableBufferPointer { y in packed.multiplyAdd(rows: m, x.baseAddress!, ldx: ldx, into: y.baseAddress!, ldy: ldy) }
            }
            for r in 0...m {
                for j in 0..<ldy {
                    let value = paddedY[r * ldy + j]
                    if r < m && j < n {
                        #expect(value == clean[r * n + j], "\(kernel) \(precision) \(shape) [\(r),\(j)]")
                    } else {
                        #expect(value.isNaN, "\(kernel) \(precision) \(shape) wrote spare [\(r),\(j)]")
                    }
                }
            }
        }
    }

    @Test("the kernel is chosen from the CPU's features, AVX-512 first")
    func choice() {
        let haswell: CPUFeatures = [.sse3, .ssse3, .sse41, .sse42, .avx, .fma, .avx2]
        #expect(MatVecKernel.choose(for: haswell.union(CPUFeatures.avx512)) == .avx512)
        #expect(MatVecKernel.choose(for: haswell) == .avx2)
        // AVX-512 F without BW cannot widen bf16 and int8 16 at a time.
        #expect(MatVecKernel.choose(for: haswell.union(.avx512f)) == .avx2)
        #expect(MatVecKernel.choose(for: [.sse3, .sse41, .avx]) == .portable)
        #expect(MatVecKernel.choose(for: [.neon, .dotProduct]) == .portable)
        #expect(MatVecKernel.runnable.first == MatVecKernel.current)
        #expect(MatVecKernel.runnable.contains(.portable))
    }

    @Test("reducing reduced weights gives them back; bf16 rounds to nearest even and keeps NaN")
    func reductionIsIdempotent() {
        let (w, _, _) = Self.operands(m: 1, n: 70, k: 33, seed: 9)
        for precision in WeightPrecision.allCases {
            let once = w.withUnsafeBufferPointer { precision.reduced($0, rows: 70, cols: 33) }
            let twice = once.withUnsafeBufferPointer { precision.reduced($0, rows: 70, cols: 33) }
            #expect(twice == once, "\(precision)")
        }
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even one, 1.
        func bf16(_ values: [Float]) -> [Float] { WeightPrecision.widened(bf16: values.withUnsafeBufferPointer(WeightPrecision.bf16)) }
        #expect(bf16([1 + 0x1p-8, 1 + 3 * 0x1p-8, -2]) == [1, 1 + 4 * 0x1p-8, -2])
        #expect(bf16([.nan])[0].isNaN)
        // Rows [0, 0, 2], [-4, 1, 0.5] and an all-zero one, whose scale is 0.
        let (q, scales) = [0, 0, 2, -4, 1, 0.5, 0, 0, 0].withUnsafeBufferPointer { WeightPrecision.int8($0, rows: 3, cols: 3) }
        #expect(scales == [2 / 127, 4 / 127, 0])
        #expect(q == [0, 0, 127, -127, 32, 16, 0, 0, 0])
    }
}
