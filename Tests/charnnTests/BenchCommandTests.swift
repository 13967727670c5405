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

    @Test("each training row is followed by its products' GFLOP/s and their share of the sgemm ceiling measured beside it")
    func trainingProductRates() throws {
        let run = try CharnnProcess.run(["bench", "--only", "gemm", "train", "--hidden", "8", "--seconds", "0.05", "--threads", "1", "--json"])
        #expect(run.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        let gemm = try #require(rows.first?["value"] as? Double)
        let trained = rows.filter { ($0["item"] as? String)?.hasPrefix("train") == true && $0["unit"] as? String == "chars/s" }
        #expect(trained.count == TrainingPrecision.runnable.count)
        // V = 65, E = H = 8, L = 2, one part of B*S = 2500 rows, so layer 0 reads the token table. Forward per window:
        // decoder 2*2500*8*65, layer 0 2*2500*32*8, layer 1 2*2500*32*16, table 2*65*8*32; backward twice that.
        let flopsPerChar = 3.0 * (2_600_000 + 1_280_000 + 2_560_000 + 33_280) / 2500
        for train in trained {
            let item = try #require(train["item"] as? String)
            #expect(train["flopsPerChar"] as? Double == flopsPerChar)
            let rate = try #require(rows.first { $0["item"] as? String == item + " products" })
            let gflops = try #require(rate["value"] as? Double)
            #expect(rate["unit"] as? String == "GFLOP/s")
            #expect(abs(gflops - (train["value"] as? Double ?? 0) * flopsPerChar / 1e9) <= 1e-9 * gflops)
            #expect(abs((rate["ofCeiling"] as? Double ?? 0) - gflops / gemm) <= 1e-9)
        }

        let table = try CharnnProcess.run(["bench", "--only", "gemm", "train", "--hidden", "8", "--seconds", "0.05", "--threads", "1"])
        let line = table.stdout.split(separator: "\n").first { $0.hasPrefix("train products L=2 H=8 B=50 S=50 (") }
        #expect(line?.contains("% of gemm)") == true && line?.contains("GFLOP/s") == true)
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
