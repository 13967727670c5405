import CKernels

/// The kernel that runs batch-1 inference's products (and a completion search's few streams at once), chosen from
/// the CPU's features: Y [m, N] += X [m, K] W^T against weights packed once (`PackedWeights`), in fp32, bf16 or int8.
///
/// At batch 1 each weight is used once per step, so the step is bound by reading the weights; the kernels read
/// each packed weight once per tile of up to 4 rows of X and convert bf16 and int8 to fp32 in registers.
public enum MatVecKernel: String, CaseIterable, Sendable {
    /// 16-wide, on CPUs with AVX-512 F and BW.
    case avx512 = "AVX-512"
    /// 8-wide, on CPUs with AVX2 and FMA.
    case avx2 = "AVX2"
    /// Plain C, vectorised by the compiler for the package's baseline: every CPU, and the reference for the others.
    case portable = "C"

    /// What the kernel needs of the CPU.
    public var requirements: CPUFeatures {
        switch self {
        case .avx512: [.avx512f, .avx512bw]
        case .avx2: [.avx2, .fma]
        case .portable: []
        }
    }

    /// The fastest kernel a CPU with `features` can run (the cases are in that order).
    public static func choose(for features: CPUFeatures) -> MatVecKernel {
        allCases.first { features.isSuperset(of: $0.requirements) } ?? .portable
    }

    /// This machine's.
    public static let current = choose(for: .current)

    /// The kernels this machine can run, fastest first: what the tests force one by one.
    public static var runnable: [MatVecKernel] { allCases.filter { CPUFeatures.current.isSuperset(of: $0.requirements) } }

    /// The sum of `count` floats at `values`, read with this kernel's vector width: how fast a core reads a working
    /// set, for the floor `charnn bench` states.
    public func readSum(_ values: UnsafePointer<Float>, count: Int) -> Float {
        switch self {
        case .avx512: charnn_read_sum_avx512(values, count)
        case .avx2: charnn_read_sum_avx2(values, count)
        case .portable: charnn_read_sum_c(values, count)
        }
    }
}
