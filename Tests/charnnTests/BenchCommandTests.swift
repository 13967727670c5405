import CharModel
import Foundation
import Testing

@Suite("charnn bench")
struct BenchCommandTests {
    /// The kernel set charnn chooses on this machine, from its features.
    private static let best = OpenBLASCore.candidates(for: .current).first

    @Test("the sgemm ceiling names the CPU's features and OpenBLAS's kernels, and a core type below the CPU's is warned about, once")
    func namesKernelsAndWarnsAboutAForcedCore() throws {
        let forced = try CharnnProcess.run(["bench", "--only", "gemm", "--seconds", "0.05", "--threads", "1", "--json"],
                                           environment: ["OPENBLAS_CORETYPE": "Haswell"])
        #expect(forced.status == 0)
        let rows = try JSONSerialization.jsonObject(with: Data(forced.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.first?["blas"] as? String == "OpenBLAS Haswell")
        #expect(rows?.first?["cpu"] as? String == CPUFeatures.current.summary)
        #expect((rows?.first?["value"] as? Double ?? 0) > 0)
        let warnings = forced.stderrLines.filter { $0.contains("OPENBLAS_CORETYPE") }
        if let best = Self.best, best.isStronger(than: .haswell) {
            #expect(warnings == ["charnn: OPENBLAS_CORETYPE=Haswell holds OpenBLAS to its Haswell kernels on this CPU "
                + "(\(CPUFeatures.current.summary)), which can run its \(best.rawValue) kernels; unset it for faster matrix products"])
        } else {
            #expect(warnings.isEmpty)
        }

        let chosen = try CharnnProcess.run(["bench", "--only", "gemm", "--seconds", "0.05", "--threads", "1"],
                                           environment: ["OPENBLAS_CORETYPE": nil])
        #expect(chosen.status == 0)
        #expect(chosen.stdout.split(separator: "\n").dropFirst().first?.hasPrefix("gemm n=2048 (\(CPUFeatures.current.summary); "
            + "OpenBLAS \(Self.best?.rawValue ?? "?"); \(StepKernel.choose(for: .current).rawValue) step kernel)") == true)
        #expect(chosen.stderrLines == ["bench: gemm..."])
    }

    @Test("with no OPENBLAS_CORETYPE, the kernels in use are the strongest this CPU's features allow, and --version says so")
    func chosenKernelsAreTheStrongest() throws {
        let version = try CharnnProcess.run(["--version"], environment: ["OPENBLAS_CORETYPE": nil])
        #expect(version.status == 0)
        #expect(version.stdout == "0.1.0\n\(CPUFeatures.current.summary); OpenBLAS \(Self.best?.rawValue ?? "?") kernels; "
            + "\(StepKernel.choose(for: .current).rawValue) step kernel\n")
        #expect(version.stderr == "")
    }
}
