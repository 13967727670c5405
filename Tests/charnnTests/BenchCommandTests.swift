import Foundation
import Testing

@Suite("charnn bench")
struct BenchCommandTests {
    private static var cpuHasAVX512: Bool {
        ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").contains(" avx512f ")
    }

    @Test("the sgemm ceiling names OpenBLAS's kernels, and a core type below the CPU's is warned about, once")
    func namesKernelsAndWarnsAboutAForcedCore() throws {
        let forced = try CharnnProcess.run(["bench", "--only", "gemm", "--seconds", "0.05", "--threads", "1", "--json"],
                                           environment: ["OPENBLAS_CORETYPE": "Haswell"])
        #expect(forced.status == 0)
        let rows = try JSONSerialization.jsonObject(with: Data(forced.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.first?["blas"] as? String == "OpenBLAS Haswell")
        #expect((rows?.first?["value"] as? Double ?? 0) > 0)
        let warnings = forced.stderrLines.filter { $0.contains("OPENBLAS_CORETYPE") }
        if Self.cpuHasAVX512 {
            #expect(warnings == ["charnn: OPENBLAS_CORETYPE=Haswell holds OpenBLAS to its Haswell kernels on this AVX-512 CPU; unset it for about twice the matrix-product speed"])
        } else {
            #expect(warnings.isEmpty)
        }

        let chosen = try CharnnProcess.run(["bench", "--only", "gemm", "--seconds", "0.05", "--threads", "1"],
                                           environment: ["OPENBLAS_CORETYPE": nil])
        #expect(chosen.status == 0)
        #expect(chosen.stdout.contains("gemm n=2048 (OpenBLAS "))
        #expect(!chosen.stderr.contains("OPENBLAS_CORETYPE"))
    }
}
