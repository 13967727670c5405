/// The OpenBLAS kernel sets ("core types") charnn chooses between, each with the CPU features its kernels use.
///
/// Chosen from features, never from CPU model numbers: OpenBLAS's own choice looks the model up in a table, and a
/// CPU newer than the build (Debian's 0.3.21 on a current Xeon) falls back to its SSE3 kernels at a fraction of the
/// speed. The cases of each architecture run from weakest to strongest.
public enum OpenBLASCore: String, CaseIterable, Sendable {
    // x86-64
    case prescott = "Prescott"
    case core2 = "Core2"
    case nehalem = "Nehalem"
    case sandybridge = "Sandybridge"
    case haswell = "Haswell"
    case skylakeX = "SkylakeX"
    case cooperlake = "Cooperlake"
    // AArch64
    case armv8 = "ARMV8"
    case neoverseN1 = "NeoverseN1"
    case neoverseV1 = "NeoverseV1"

    /// What the kernels need of the CPU.
    public var requirements: CPUFeatures {
        switch self {
        case .prescott: [.sse3]
        case .core2: [.sse3, .ssse3]
        case .nehalem: [.sse3, .ssse3, .sse41, .sse42]
        case .sandybridge: [.sse3, .ssse3, .sse41, .sse42, .avx]
        case .haswell: [.sse3, .ssse3, .sse41, .sse42, .avx, .avx2, .fma]
        case .skylakeX: CPUFeatures.avx512.union([.sse3, .ssse3, .sse41, .sse42, .avx, .avx2, .fma])
        case .cooperlake: CPUFeatures.avx512.union([.sse3, .ssse3, .sse41, .sse42, .avx, .avx2, .fma, .avx512bf16])
        case .armv8: [.neon]
        case .neoverseN1: [.neon, .dotProduct]
        case .neoverseV1: [.neon, .dotProduct, .sve]
        }
    }

    /// The core types a CPU with `features` can run, strongest first: the first is the choice, the rest are the
    /// safer ones to fall back to. Empty when none fits (OpenBLAS then chooses for itself).
    public static func candidates(for features: CPUFeatures) -> [OpenBLASCore] {
        allCases.reversed().filter { features.isSuperset(of: $0.requirements) }
    }

    /// The case for a core name as OpenBLAS reports or accepts it, in any letter case. OpenBLAS's Zen kernel set is
    /// built from the same AVX2 kernels as its Haswell set, so it ranks as Haswell. Nil for names outside this list.
    public init?(openBLASName name: String) {
        let lowered = name.lowercased()
        if lowered == "zen" {
            self = .haswell
            return
        }
        guard let core = Self.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else { return nil }
        self = core
    }

    /// Whether `other`'s kernels use less of the CPU than this core's (both of one architecture).
    public func isStronger(than other: OpenBLASCore) -> Bool {
        requirements.isStrictSuperset(of: other.requirements)
    }
}
