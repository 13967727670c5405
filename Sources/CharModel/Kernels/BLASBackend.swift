#if !canImport(Accelerate)
import CBLAS
#endif
import Foundation

/// The BLAS that charnn's matrix products run on, and how its kernels were chosen.
///
/// On Linux, OpenBLAS is loaded at first use (`current`) with the kernel set chosen from the CPU's features
/// (`OpenBLASCore.candidates`). A kernel set chosen that way must first pass `BLASCheck`; one that fails is
/// unloaded and the next safer set tried, with one warning. A user's own OPENBLAS_CORETYPE is kept as it is, with
/// a warning when it is weaker than the CPU allows. Apple platforms use Accelerate.
///
/// OpenBLAS reads its core type from the environment while it loads, so the load sets OPENBLAS_CORETYPE for that
/// moment and then restores it: an app whose other threads read or change the environment should call `current`
/// before starting them.
public struct BLASBackend: Sendable {
    /// What the CPU can do.
    public let features: CPUFeatures
    /// The library and the kernel set it runs: "OpenBLAS Cooperlake", "Accelerate".
    public let kernels: String
    /// How the kernels were chosen.
    public let choice: Choice
    /// Lines for the user, each complete: a check that failed, or a forced kernel set weaker than the CPU allows.
    public let warnings: [String]

    /// How the kernels were chosen.
    public enum Choice: Sendable, Equatable {
        /// From the CPU's features, and checked.
        case features
        /// By the user's OPENBLAS_CORETYPE.
        case environment
        /// By OpenBLAS itself, when no kernel set of `OpenBLASCore` fits the CPU or passes the check.
        case openBLAS
        /// Accelerate, on Apple platforms, which chooses for itself.
        case accelerate
    }

    /// "AVX-512, AVX512_BF16; OpenBLAS Cooperlake kernels": what `charnn --version` and `charnn bench` report.
    public var summary: String { "\(features.summary); \(kernels)\(kernels == "Accelerate" ? "" : " kernels")" }

    /// The backend, loaded on first use.
    public static func current() throws(BLASError) -> BLASBackend { try loaded.get() }

    private static let loaded = Result { () throws(BLASError) in try load() }

    /// The routines, for `Matrix`. A BLAS that cannot load leaves nothing to compute with; `current()` is where a
    /// program learns why before it gets here.
    static var routines: BLASRoutines {
        if case .failure(let error) = loaded { fatalError(error.description) }
        return .system
    }

    #if canImport(Accelerate)
    private static func load() throws(BLASError) -> BLASBackend {
        BLASBackend(features: .current, kernels: "Accelerate", choice: .accelerate, warnings: [])
    }
    #else
    private static func load() throws(BLASError) -> BLASBackend {
        let features = CPUFeatures.current
        let best = OpenBLASCore.candidates(for: features).first
        if let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], !forced.isEmpty {
            try open(nil)
            let running = String(cString: charnn_blas_corename())
            var warnings: [String] = []
            if let best, let core = OpenBLASCore(openBLASName: running), best.isStronger(than: core) {
                warnings.append("charnn: OPENBLAS_CORETYPE=\(forced) holds OpenBLAS to its \(running) kernels on this CPU "
                                + "(\(features.summary)), which can run its \(best.rawValue) kernels; unset it for faster matrix products")
            }
            return BLASBackend(features: features, kernels: "OpenBLAS \(running)", choice: .environment, warnings: warnings)
        }
        let selection = try select(OpenBLASCore.candidates(for: features)) { core throws(BLASError) in
            try open(core.rawValue)
            // A build without this kernel set runs another one: not an error, just not the one asked for.
            guard OpenBLASCore(openBLASName: String(cString: charnn_blas_corename())) == core else {
                charnn_blas_close()
                return .unavailable
            }
            if let problem = BLASCheck.firstDisagreement(of: .system) {
                charnn_blas_close()
                return .failedCheck(problem)
            }
            return .passed
        }
        var warnings = selection.warning.map { [$0] } ?? []
        if selection.core == nil {
            try open(nil)
            if let problem = BLASCheck.firstDisagreement(of: .system) {
                warnings.append("charnn: OpenBLAS's own choice of kernels (\(String(cString: charnn_blas_corename()))) disagrees with "
                                + "a plain reference product too (\(problem)); results may be wrong")
            }
        }
        return BLASBackend(features: features, kernels: "OpenBLAS " + String(cString: charnn_blas_corename()),
                           choice: selection.core == nil ? .openBLAS : .features, warnings: warnings)
    }

    private static func open(_ core: String?) throws(BLASError) {
        var message = [CChar](repeating: 0, count: 512)
        guard charnn_blas_open(core, &message, message.count) == 0 else {
            throw .libraryNotFound(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }
    #endif

    /// What trying one kernel set gave.
    enum Trial: Equatable {
        /// It loaded as asked and passed `BLASCheck`: keep it.
        case passed
        /// The library does not have it.
        case unavailable
        /// It disagreed with the reference, as described.
        case failedCheck(String)
    }

    /// Tries `candidates` in order and stops at the first that passes: the selection itself, apart from loading,
    /// so that its fallback can be exercised with any outcome. Returns that core (nil when none passed) and one
    /// warning naming every kernel set that failed the check, or nil when none did.
    static func select(
        _ candidates: [OpenBLASCore], trial: (OpenBLASCore) throws(BLASError) -> Trial
    ) throws(BLASError) -> (core: OpenBLASCore?, warning: String?) {
        var failures: [String] = []
        var chosen: OpenBLASCore?
        for core in candidates {
            let outcome = try trial(core)
            if case .failedCheck(let problem) = outcome { failures.append("\(core.rawValue): \(problem)") }
            if outcome == .passed {
                chosen = core
                break
            }
        }
        guard !failures.isEmpty else { return (chosen, nil) }
        let instead = chosen.map { "using its \($0.rawValue) kernels instead" } ?? "leaving the choice to OpenBLAS"
        return (chosen, "charnn: OpenBLAS's kernels disagree with a plain reference product (\(failures.joined(separator: "; "))); \(instead)")
    }
}

/// Sets how many threads BLAS may use (OpenBLAS; Accelerate chooses for itself).
public func setBLASThreads(_ count: Int) {
    #if !canImport(Accelerate)
    _ = BLASBackend.routines
    charnn_blas_set_threads(Int32(max(1, count)))
    #endif
}

/// How many threads BLAS may use (1 for Accelerate, which chooses for itself).
func blasThreads() -> Int {
    #if canImport(Accelerate)
    1
    #else
    _ = BLASBackend.routines
    return Int(charnn_blas_threads())
    #endif
}
