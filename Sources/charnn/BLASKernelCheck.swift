import CharModel
import Foundation

/// Notices when OPENBLAS_CORETYPE holds OpenBLAS to kernels older than the CPU: on an AVX-512 CPU, OpenBLAS's
/// Haswell (AVX2) kernels reach about half of its AVX-512 kernels' sgemm rate (222 against 420 GFLOP/s measured on
/// the 2-core AVX-512 machine), and training is made of sgemms. The setting is the user's to keep; charnn only says
/// what it costs.
enum BLASKernelCheck {
    /// OpenBLAS core names whose kernels use AVX-512.
    private static let avx512Cores = ["skylakex", "cooperlake", "sapphirerapids"]

    /// A one-line warning when OPENBLAS_CORETYPE names a core without AVX-512 kernels on a CPU that has AVX-512.
    static func warning() -> String? {
        guard let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], !forced.isEmpty else { return nil }
        let description = blasDescription()
        guard description.hasPrefix("OpenBLAS"), cpuHasAVX512,
              !avx512Cores.contains(where: { description.lowercased().hasSuffix($0) }) else { return nil }
        return "charnn: OPENBLAS_CORETYPE=\(forced) holds OpenBLAS to its \(description.dropFirst("OpenBLAS ".count)) kernels "
            + "on this AVX-512 CPU; unset it for about twice the matrix-product speed"
    }

    private static var cpuHasAVX512: Bool {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        return flags.split(separator: " ").contains("avx512f")
    }
}
