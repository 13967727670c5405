import Testing
@testable import CharModel

@Suite("Per-step products against packed weights")
struct PackedMatrixTests {
    /// The kernels this machine can run; BLAS always.
    static let runnable = StepKernel.runnable

    @Test("the step kernel follows the CPU's features")
    func choice() {
        let avx2: CPUFeatures = [.sse3, .ssse3, .sse41, .sse42, .avx, .fma, .avx2]
        #expect(StepKernel.choose(for: avx2.union(CPUFeatures.avx512)) == .avx512)
        #expect(StepKernel.choose(for: avx2) == .avx2)
        #expect(StepKernel.choose(for: avx2.subtracting(.fma)) == .blas)
        #expect(StepKernel.choose(for: [.sse3, .ssse3, .sse41, .sse42]) == .blas)
        #expect(StepKernel.choose(for: [.neon, .dotProduct]) == .blas)
    }

    /// C = A B with B packed from `b` (or `b`^T), against a Float64 reference, at shapes that leave partial row
    /// tiles (m not a multiple of 4), partial panels (n not a multiple of 16) and partial 4-panel tiles.
    @Test("every kernel matches a Float64 reference, tails included", arguments: runnable)
    func matchesReference(kernel: StepKernel) {
        var rng = RandomSource(seed: 7)
        for (m, k, n) in [(1, 1, 1), (3, 37, 148), (4, 20, 80), (5, 33, 132), (9, 148, 37), (28, 64, 256), (2, 16, 16), (7, 5, 65)] {
            for transposed in [false, true] {
                let a = FloatBuffer(count: m * k), b = FloatBuffer(count: k * n), c = FloatBuffer(count: m * n + 1)
                for buffer in [a, b, c] {
                    for i in 0..<buffer.count { buffer.base[i] = rng.nextUniform(bound: 1) }
                }
                let sentinel = c.base[m * n]
                let packed = PackedMatrix(k: k, n: n, kernel: kernel, precision: .fp32)
                let bMatrix = transposed ? b.matrix(rows: n, cols: k) : b.matrix(rows: k, cols: n)
                packed.pack(bMatrix, transposed: transposed)
                packed.multiply(a.matrix(rows: m, cols: k), into: c.matrix(rows: m, cols: n))
                var worst = 0.0
                for i in 0..<m {
                    for j in 0..<n {
                        var exact = 0.0
                        for l in 0..<k {
                            exact += Double(a.base[i * k + l]) * Double(transposed ? b.base[j * k + l] : b.base[l * n + j])
                        }
                        worst = max(worst, abs(Double(c.base[i * n + j]) - exact))
                    }
                }
                #expect(worst < 2e-5 * Double(k), "\(kernel) m=\(m) k=\(k) n=\(n) transposed=\(transposed): off by \(worst)")
                #expect(c.base[m * n] == sentinel, "\(kernel) wrote past C")
            }
        }
    }

    /// The per-step products in bf16: against the Float64 product of the bf16-rounded operands, within fp32
    /// accumulation (`MatrixProductsTests` has the bounds).
    @Test("in bf16, the per-step product matches a Float64 reference of the rounded operands", .enabled(if: runsBF16))
    func bf16MatchesReference() {
        var rng = RandomSource(seed: 8)
        for (m, k, n) in [(1, 1, 1), (3, 37, 148), (28, 64, 256), (7, 5, 65), (12, 148, 37)] {
            for transposed in [false, true] {
                let a = FloatBuffer(count: m * k), b = FloatBuffer(count: k * n), c = FloatBuffer(count: m * n + 1)
                for buffer in [a, b, c] {
                    for i in 0..<buffer.count { buffer.base[i] = rng.nextUniform(bound: 1) }
                }
                let sentinel = c.base[m * n]
                let packed = PackedMatrix(k: k, n: n, kernel: .current, precision: .bf16)
                packed.pack(transposed ? b.matrix(rows: n, cols: k) : b.matrix(rows: k, cols: n), transposed: transposed)
                packed.multiply(a.matrix(rows: m, cols: k), into: c.matrix(rows: m, cols: n))
                var worst = 0.0
                for i in 0..<m {
                    for j in 0..<n {
                        var (rounded, magnitude) = (0.0, 0.0)
                        for l in 0..<k {
                            let product = bf16(a.base[i * k + l]) * bf16(transposed ? b.base[j * k + l] : b.base[l * n + j])
                            rounded += product
                            magnitude += abs(product)
                        }
                        worst = max(worst, abs(Double(c.base[i * n + j]) - rounded) / (4 * Double(k) * 0x1p-24 * (magnitude + 1)))
                    }
                }
                #expect(worst <= 1, "m=\(m) k=\(k) n=\(n) transposed=\(transposed): \(worst) of the accumulation bound")
                #expect(c.base[m * n] == sentinel, "wrote past C")
            }
        }
    }
}
