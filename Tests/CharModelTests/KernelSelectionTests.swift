import Foundation
import Testing
@testable import CharModel

/// Feature sets of CPUs that charnn's machines and users have, as CPUID reports them with an OS that saves
/// AVX-512 state.
private enum KnownCPU {
    static let sse4: CPUFeatures = [.sse3, .ssse3, .sse41, .sse42]
    static let haswell: CPUFeatures = sse4.union([.avx, .fma, .avx2])
    static let zen3 = haswell
    static let skylakeSP = haswell.union(CPUFeatures.avx512)
    static let zen4 = skylakeSP.union(.avx512bf16)
    static let sapphireRapids = zen4  // and AVX512_FP16 and AMX, which no choice here looks at
    static let emeraldRapids = sapphireRapids
    /// A CPU that no table knows yet: AVX-512 with extensions beyond any listed here (the unknown bits set).
    static let futureAVX512 = CPUFeatures(rawValue: skylakeSP.rawValue | (1 << 20) | (1 << 21))
}

@Suite("Kernel selection from CPU features")
struct KernelSelectionTests {
    @Test("each CPU gets the strongest OpenBLAS kernel set its features allow, then the safer ones in order")
    func candidatesFromFeatures() {
        let avx2AndBelow: [OpenBLASCore] = [.haswell, .sandybridge, .nehalem, .core2, .prescott]
        #expect(OpenBLASCore.candidates(for: KnownCPU.haswell) == avx2AndBelow)
        #expect(OpenBLASCore.candidates(for: KnownCPU.zen3) == avx2AndBelow)
        #expect(OpenBLASCore.candidates(for: KnownCPU.zen4) == [.cooperlake, .skylakeX] + avx2AndBelow)
        #expect(OpenBLASCore.candidates(for: KnownCPU.sapphireRapids) == [.cooperlake, .skylakeX] + avx2AndBelow)
        #expect(OpenBLASCore.candidates(for: KnownCPU.emeraldRapids) == [.cooperlake, .skylakeX] + avx2AndBelow)
        #expect(OpenBLASCore.candidates(for: KnownCPU.skylakeSP) == [.skylakeX] + avx2AndBelow)
        #expect(OpenBLASCore.candidates(for: KnownCPU.futureAVX512) == [.skylakeX] + avx2AndBelow)
        #expect(OpenBLASCore.candidates(for: KnownCPU.sse4) == [.nehalem, .core2, .prescott])
        // AVX-512F alone (no BW/DQ/VL, as on Xeon Phi) is not enough for the AVX-512 kernels.
        #expect(OpenBLASCore.candidates(for: KnownCPU.haswell.union(.avx512f)).first == .haswell)
        #expect(OpenBLASCore.candidates(for: [.neon, .dotProduct]) == [.neoverseN1, .armv8])
        #expect(OpenBLASCore.candidates(for: [.neon, .dotProduct, .sve, .armBF16]) == [.neoverseV1, .neoverseN1, .armv8])
        #expect(OpenBLASCore.candidates(for: []) == [])
    }

    @Test("features are named as a person names them")
    func summaries() {
        #expect(KnownCPU.sapphireRapids.summary == "AVX-512, AVX512_BF16")
        #expect(KnownCPU.skylakeSP.summary == "AVX-512")
        #expect(KnownCPU.zen3.summary == "AVX2, FMA")
        #expect(KnownCPU.sse4.summary == "SSE4.2")
        #expect(CPUFeatures([.neon, .dotProduct, .sve]).summary == "NEON, dot product, SVE")
        #expect(CPUFeatures().summary == "no SIMD extensions detected")
    }

    @Test("OpenBLAS's own core names map back, Zen ranking as Haswell; unknown names do not")
    func openBLASNames() {
        #expect(OpenBLASCore(openBLASName: "COOPERLAKE") == .cooperlake)
        #expect(OpenBLASCore(openBLASName: "Zen") == .haswell)
        #expect(OpenBLASCore(openBLASName: "neoversen1") == .neoverseN1)
        #expect(OpenBLASCore(openBLASName: "Bulldozer") == nil)
        #expect(OpenBLASCore.cooperlake.isStronger(than: .haswell))
        #expect(!OpenBLASCore.haswell.isStronger(than: .haswell))
    }

    @Test("a kernel set that fails the check is passed over for the next safer one, with one warning")
    func fallbackAfterFailedCheck() throws {
        var tried: [OpenBLASCore] = []
        let selection = try BLASBackend.select([.cooperlake, .skylakeX, .haswell]) { core in
            tried.append(core)
            return core == .cooperlake ? .failedCheck("sgemm off by 0.5 at [0,0]") : .passed
        }
        #expect(tried == [.cooperlake, .skylakeX])
        #expect(selection.core == .skylakeX)
        #expect(selection.warning == "charnn: OpenBLAS's kernels disagree with a plain reference product "
            + "(Cooperlake: sgemm off by 0.5 at [0,0]); using its SkylakeX kernels instead")
    }

    @Test("a kernel set the library lacks is passed over without a warning; when none passes, OpenBLAS chooses")
    func unavailableAndExhausted() throws {
        let skipping = try BLASBackend.select([.cooperlake, .skylakeX]) { $0 == .cooperlake ? .unavailable : .passed }
        #expect(skipping.core == .skylakeX)
        #expect(skipping.warning == nil)

        let none = try BLASBackend.select([.haswell, .sandybridge]) { core in
            core == .haswell ? .failedCheck("a") : .failedCheck("b")
        }
        #expect(none.core == nil)
        #expect(none.warning == "charnn: OpenBLAS's kernels disagree with a plain reference product "
            + "(Haswell: a; Sandybridge: b); leaving the choice to OpenBLAS")
    }

    @Test("the check passes the BLAS in use and catches a product or a matrix-vector product that is off")
    func checkCatchesWrongProducts() {
        #expect(BLASCheck.firstDisagreement(of: BLASBackend.routines) == nil)

        // A correct product with rounding noise far above float's (a relative 1e-6 on every entry) still passes.
        let noisy = BLASRoutines(
            sgemm: { a, ta, b, tb, c, alpha, beta in
                BLASBackend.routines.sgemm(a, ta, b, tb, c, alpha, beta)
                for i in 0..<c.count { c.base[i] *= 1 + 1e-6 }
            },
            sgemv: BLASBackend.routines.sgemv)
        #expect(BLASCheck.firstDisagreement(of: noisy) == nil)

        // One wrong entry in a tail row of the first product is found and located.
        let wrongEdge = BLASRoutines(
            sgemm: { a, ta, b, tb, c, alpha, beta in
                BLASBackend.routines.sgemm(a, ta, b, tb, c, alpha, beta)
                c.base[c.count - 1] += 0.01
            },
            sgemv: BLASBackend.routines.sgemv)
        let sgemmProblem = BLASCheck.firstDisagreement(of: wrongEdge)
        #expect(sgemmProblem?.hasPrefix("sgemm recurrent step h W_hh^T [28x37]x[37x148] is off by 0.0") == true)
        #expect(sgemmProblem?.hasSuffix("at [27,147]") == true)

        // A matrix-vector product that ignores beta (drops y's old value) is found too.
        let wrongVector = BLASRoutines(
            sgemm: BLASBackend.routines.sgemm,
            sgemv: { a, x, y, alpha, _ in BLASBackend.routines.sgemv(a, x, y, alpha, 0) })
        #expect(BLASCheck.firstDisagreement(of: wrongVector)?.hasPrefix("sgemv [148x37] is off by") == true)
    }

    @Test("the backend in use says how its kernels were chosen: by the environment when it names a core, else from features")
    func backendInUse() throws {
        let backend = try BLASBackend.current()
        #if canImport(Accelerate)
        #expect(backend.kernels == "Accelerate")
        #expect(backend.choice == .library)
        #else
        if let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], !forced.isEmpty {
            #expect(backend.choice == .environment)
        } else {
            let best = try #require(OpenBLASCore.candidates(for: .current).first)
            #expect(backend.choice == .features)
            #expect(backend.kernels == "OpenBLAS \(best.rawValue)")
            #expect(backend.warnings == [])
        }
        #endif
    }
}

#if os(Linux) && arch(x86_64)
@Suite("CPU features from CPUID")
struct CPUFeaturesTests {
    @Test("CPUID and XCR0 read the same extensions as the kernel reports in /proc/cpuinfo")
    func matchesProcCPUInfo() throws {
        let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let line = try #require(info.split(separator: "\n").first { $0.hasPrefix("flags") })
        let flags = Set(line.split(separator: " ").map(String.init))
        let names: [(CPUFeatures, String)] = [
            (.sse3, "pni"), (.ssse3, "ssse3"), (.sse41, "sse4_1"), (.sse42, "sse4_2"), (.avx, "avx"), (.fma, "fma"),
            (.avx2, "avx2"), (.avx512f, "avx512f"), (.avx512cd, "avx512cd"), (.avx512bw, "avx512bw"),
            (.avx512dq, "avx512dq"), (.avx512vl, "avx512vl"), (.avx512bf16, "avx512_bf16"),
        ]
        for (feature, flag) in names {
            #expect(CPUFeatures.current.contains(feature) == flags.contains(flag), "\(flag)")
        }
    }
}
#endif
