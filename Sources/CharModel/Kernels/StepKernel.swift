/// The kernel that runs a window's per-step recurrent products, chosen from the CPU's features.
///
/// Every step of a window multiplies a few rows (R, about B/2 per core) by the same W_hh. BLAS repacks W_hh on
/// every call and its kernels are tuned for large M; charnn's own kernels read W_hh packed once per window
/// (`PackedMatrix`) and keep a tile of the result in registers. Where neither vector extension is there, BLAS runs
/// these products too.
public enum StepKernel: String, CaseIterable, Sendable {
    /// 16-wide, on CPUs with AVX-512 F.
    case avx512 = "AVX-512"
    /// 8-wide, on CPUs with AVX2 and FMA.
    case avx2 = "AVX2"
    /// BLAS sgemm on the unpacked weights.
    case blas = "BLAS"

    /// What the kernel needs of the CPU.
    public var requirements: CPUFeatures {
        switch self {
        case .avx512: [.avx512f]
        case .avx2: [.avx2, .fma]
        case .blas: []
        }
    }

    /// The fastest kernel a CPU with `features` can run (the cases are in that order).
    public static func choose(for features: CPUFeatures) -> StepKernel {
        allCases.first { features.isSuperset(of: $0.requirements) } ?? .blas
    }

    /// This machine's.
    public static let current = choose(for: .current)

    /// The kernels this machine can run, fastest first: what the tests force one by one.
    public static var runnable: [StepKernel] { allCases.filter { CPUFeatures.current.isSuperset(of: $0.requirements) } }
}
