import CCPUFeatures

/// The instruction-set extensions of the CPU that charnn's kernel choice looks at.
///
/// Read once from CPUID (x86-64) or the operating system (AArch64). An extension counts only when the operating
/// system also saves its registers, so a set from `current` names only what kernels can safely use.
public struct CPUFeatures: OptionSet, Sendable, Hashable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    // x86-64
    public static let sse3 = CPUFeatures(rawValue: CHARNN_CPU_SSE3)
    public static let ssse3 = CPUFeatures(rawValue: CHARNN_CPU_SSSE3)
    public static let sse41 = CPUFeatures(rawValue: CHARNN_CPU_SSE41)
    public static let sse42 = CPUFeatures(rawValue: CHARNN_CPU_SSE42)
    public static let avx = CPUFeatures(rawValue: CHARNN_CPU_AVX)
    public static let fma = CPUFeatures(rawValue: CHARNN_CPU_FMA)
    public static let avx2 = CPUFeatures(rawValue: CHARNN_CPU_AVX2)
    public static let avx512f = CPUFeatures(rawValue: CHARNN_CPU_AVX512F)
    public static let avx512cd = CPUFeatures(rawValue: CHARNN_CPU_AVX512CD)
    public static let avx512bw = CPUFeatures(rawValue: CHARNN_CPU_AVX512BW)
    public static let avx512dq = CPUFeatures(rawValue: CHARNN_CPU_AVX512DQ)
    public static let avx512vl = CPUFeatures(rawValue: CHARNN_CPU_AVX512VL)
    public static let avx512bf16 = CPUFeatures(rawValue: CHARNN_CPU_AVX512BF16)

    // AArch64
    public static let neon = CPUFeatures(rawValue: CHARNN_CPU_NEON)
    public static let dotProduct = CPUFeatures(rawValue: CHARNN_CPU_DOTPROD)
    public static let sve = CPUFeatures(rawValue: CHARNN_CPU_SVE)
    public static let sve2 = CPUFeatures(rawValue: CHARNN_CPU_SVE2)
    public static let armBF16 = CPUFeatures(rawValue: CHARNN_CPU_ARM_BF16)

    /// The AVX-512 subsets that every AVX-512 CPU since Skylake-SP has, and that AVX-512 BLAS kernels assume.
    public static let avx512: CPUFeatures = [.avx512f, .avx512cd, .avx512bw, .avx512dq, .avx512vl]

    /// This machine's.
    public static let current = CPUFeatures(rawValue: charnn_cpu_features())

    /// The strongest groups, as a person names them: "AVX-512, AVX512_BF16", "AVX2, FMA", "NEON, dot product".
    public var summary: String {
        var names: [String] = []
        if isSuperset(of: .avx512) {
            names.append("AVX-512")
            if contains(.avx512bf16) { names.append("AVX512_BF16") }
        } else if isSuperset(of: [.avx2, .fma]) {
            names += ["AVX2", "FMA"]
        } else if contains(.avx) {
            names.append("AVX")
        } else if contains(.sse42) {
            names.append("SSE4.2")
        } else if contains(.sse3) {
            names.append("SSE3")
        }
        if contains(.neon) {
            names.append("NEON")
            for (feature, name) in [(CPUFeatures.dotProduct, "dot product"), (.sve, "SVE"), (.sve2, "SVE2"), (.armBF16, "BF16")]
            where contains(feature) {
                names.append(name)
            }
        }
        return names.isEmpty ? "no SIMD extensions detected" : names.joined(separator: ", ")
    }
}
