import Testing
@testable import CharModel

/// Whether this machine runs bf16 training (AVX512_BF16).
let runsBF16 = TrainingPrecision.runnable.contains(.bf16)

/// `x` rounded to bf16 (nearest, ties to even), as a Double.
func bf16(_ x: Float) -> Double {
    let bits = x.bitPattern
    return Double(Float(bitPattern: (bits &+ 0x7fff &+ ((bits >> 16) & 1)) & 0xffff_0000))
}

@Suite("Training products in bf16")
struct MatrixProductsTests {
    @Test("bf16 needs AVX512_BF16, and says so")
    func requirement() {
        let avx2: CPUFeatures = [.sse3, .ssse3, .sse41, .sse42, .avx, .fma, .avx2]
        #expect(throws: ModelError.unsupportedPrecision(
            "bf16 training needs a CPU with AVX512_BF16 (Cooper Lake, Sapphire Rapids, Zen 4 or newer); this one has AVX2, FMA: train in fp32 (--precision fp32, which also continues a bf16 run)")) {
            try TrainingPrecision.bf16.check(features: avx2)
        }
        #expect(throws: ModelError.self) { try TrainingPrecision.bf16.check(features: avx2.union(.avx512)) }
        #expect((try? TrainingPrecision.bf16.check(features: CPUFeatures.avx512.union(.avx512bf16))) != nil)
        #expect((try? TrainingPrecision.fp32.check(features: [])) != nil)
    }

    /// C = op(A) op(B) (+ C) in bf16 at shapes with partial row tiles (m not a multiple of 6), partial panels (n not a
    /// multiple of 16), odd k (a padded pair) and both packings' vector and scalar parts (k and m past 32 and 16).
    /// Against the Float64 product of the bf16-rounded operands it differs only by fp32 accumulation: within
    /// 4 k 2^-24 Σ|a b|. Against the unrounded operands, bf16's rounding (2^-9 relative, each operand) bounds it
    /// by 2^-7 Σ|a b|: the tolerance the model's bf16 checks build on.
    @Test("the bf16 product matches Float64 references, every transpose and tail", .enabled(if: runsBF16))
    func matchesReference() {
        var rng = RandomSource(seed: 5)
        for (m, k, n) in [(1, 1, 1), (7, 37, 148), (6, 64, 80), (13, 33, 17), (40, 148, 37), (28, 65, 256), (2, 2, 16)] {
            for (transposeA, transposeB, accumulate) in [(false, false, false), (true, false, true), (false, true, false), (true, true, true)] {
                let a = FloatBuffer(count: m * k), b = FloatBuffer(count: k * n), c = FloatBuffer(count: m * n + 1)
                for buffer in [a, b, c] {
                    for i in 0..<buffer.count { buffer.base[i] = rng.nextUniform(bound: 1) }
                }
                let before = c.array
                let aMatrix = transposeA ? a.matrix(rows: k, cols: m) : a.matrix(rows: m, cols: k)
                let bMatrix = transposeB ? b.matrix(rows: n, cols: k) : b.matrix(rows: k, cols: n)
                MatrixProducts(precision: .bf16).gemm(aMatrix, transposeA: transposeA, bMatrix, transposeB: transposeB,
                                                      into: c.matrix(rows: m, cols: n), beta: accumulate ? 1 : 0)
                var (worstRounded, worstExact) = (0.0, 0.0)
                for i in 0..<m {
                    for j in 0..<n {
                        var (rounded, exact, magnitude) = (accumulate ? Double(before[i * n + j]) : 0, accumulate ? Double(before[i * n + j]) : 0, 0.0)
                        for l in 0..<k {
                            let x = transposeA ? a.base[l * m + i] : a.base[i * k + l]
                            let y = transposeB ? b.base[j * k + l] : b.base[l * n + j]
                            rounded += bf16(x) * bf16(y)
                            exact += Double(x) * Double(y)
                            magnitude += abs(Double(x) * Double(y))
                        }
                        let got = Double(c.base[i * n + j])
                        worstRounded = max(worstRounded, abs(got - rounded) / (4 * Double(k) * 0x1p-24 * (magnitude + 1)))
                        worstExact = max(worstExact, abs(got - exact) / (0x1p-7 * magnitude + 0x1p-24))
                    }
                }
                let shape = "m=\(m) k=\(k) n=\(n) A\(transposeA ? "^T" : "") B\(transposeB ? "^T" : "")"
                #expect(worstRounded <= 1, "\(shape): \(worstRounded) of the accumulation bound from the rounded operands")
                #expect(worstExact <= 1, "\(shape): \(worstExact) of bf16's bound from the exact operands")
                #expect(c.base[m * n] == before[m * n], "\(shape) wrote past C")
            }
        }
    }
}
