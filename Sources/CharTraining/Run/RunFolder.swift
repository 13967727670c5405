#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CharModelFile
import Foundation

/// A training run's folder: its checkpoints, the `latest` and `best` pointers, `metrics.csv` and `loss.svg`.
///
///     step-00001000-val-1.4321.safetensors    periodic, final and interrupt checkpoints (the last K periodic kept)
///     best-step-00000800-val-1.4100.safetensors   the checkpoint with the lowest validation loss so far
///     latest, best                            one line each: the file name of that checkpoint
///     metrics.csv, loss.svg                   rewritten at every evaluation
///
/// Every file is written to a temporary name, fsynced and renamed, and a pointer moves only after its checkpoint
/// is safely on disk: whatever stops the process, `latest` names a complete checkpoint.
public struct RunFolder: Sendable {
    /// The folder.
    public let url: URL
    /// Periodic checkpoints to keep.
    public let keep: Int

    /// A folder for a new run at `url`: created if missing; an empty folder is fine. A folder holding a run is
    /// refused unless `force`, which removes that run's files (and nothing else); any other non-empty folder is refused.
    public static func create(at url: URL, keep: Int, force: Bool) throws -> RunFolder {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw TrainingError.runFolder("output path \(url.path) exists and is not a folder") }
            let folder = RunFolder(url: url, keep: keep)
            let contents = try manager.contentsOfDirectory(atPath: url.path).filter { !$0.hasPrefix(".") }
            let runFiles = contents.filter(folder.isRunFile)
            if !runFiles.isEmpty && !force {
                throw TrainingError.runFolder("output folder \(url.path) holds another run; use --resume \(url.path) to continue it or --force to replace it")
            }
            if runFiles.count < contents.count {
                throw TrainingError.runFolder("output folder \(url.path) is not empty and holds files that are not a charnn run; choose another folder")
            }
            for name in runFiles { try manager.removeItem(at: url.appendingPathComponent(name)) }
            folder.removeStaleTemporaryFiles()
            return folder
        }
        do {
            try manager.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.runFolder("cannot create output folder \(url.path): \(error.localizedDescription)")
        }
        return RunFolder(url: url, keep: keep)
    }

    /// The existing run at `url`.
    public static func open(_ url: URL, keep: Int) throws -> RunFolder {
        let folder = RunFolder(url: url, keep: keep)
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent(RunPointer.latest.rawValue).path) else {
            throw TrainingError.runFolder("\(url.path) is not a charnn run folder (no 'latest' pointer); start a run there without --resume")
        }
        return folder
    }

    /// Removes the temporary files (`.<name>.tmp-<pid>`, see `DurableFile`) that a process killed in the middle of a
    /// write left behind: those of the run's own files whose process is gone. A live process's are left alone, in
    /// case it is still writing. Returns the names removed.
    @discardableResult
    public func removeStaleTemporaryFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        var removed: [String] = []
        for name in names where name.hasPrefix(".") {
            guard let marker = name.range(of: ".tmp-", options: .backwards),
                  let pid = Int32(name[marker.upperBound...]), pid > 0,
                  isRunFile(String(name[name.index(after: name.startIndex)..<marker.lowerBound])),
                  pid != getpid(), kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            if (try? FileManager.default.removeItem(at: url.appendingPathComponent(name))) != nil { removed.append(name) }
        }
        return removed
    }

    /// The folder at `url`, unchecked: for reading its pointers.
    public init(url: URL, keep: Int) {
        self.url = url
        self.keep = keep
    }

    /// Saves `checkpoint` as a periodic (or final, or interrupt) checkpoint and moves `latest` to it; prunes all
    /// but the last `keep` periodic checkpoints. Returns its file.
    @discardableResult
    public func saveLatest(_ checkpoint: TrainingCheckpoint) throws -> URL {
        let file = url.appendingPathComponent(Self.fileName(prefix: "step", checkpoint.trainerState))
        try checkpoint.write(to: file)
        try RunPointer.latest.set(to: file.lastPathComponent, in: url)
        try prune()
        return file
    }

    /// Saves `checkpoint` as the best one, moves `best` to it and removes every other best file: the previous one,
    /// and any that a process killed between moving the pointer and removing the old file left behind.
    @discardableResult
    public func saveBest(_ checkpoint: TrainingCheckpoint) throws -> URL {
        let file = url.appendingPathComponent(Self.fileName(prefix: "best-step", checkpoint.trainerState))
        try checkpoint.write(to: file)
        try RunPointer.best.set(to: file.lastPathComponent, in: url)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        for name in names where name.hasPrefix("best-step-") && name.hasSuffix(".safetensors") && name != file.lastPathComponent {
            try? FileManager.default.removeItem(at: url.appendingPathComponent(name))
        }
        return file
    }

    /// Rewrites `metrics.csv` and `loss.svg` from the loss history.
    public func writeMetrics(_ history: [MetricsRecord], title: String) throws {
        try DurableFile.write(Array(MetricsTable.csv(history).utf8), to: url.appendingPathComponent("metrics.csv"))
        try DurableFile.write(Array(LossPlot.svg(history, title: title).utf8), to: url.appendingPathComponent("loss.svg"))
    }

    /// The newest checkpoint that loads, trying `latest` first and then the periodic files newest first.
    /// Returns it with one warning per damaged file passed over.
    public func loadLatest() throws -> (checkpoint: TrainingCheckpoint, file: URL, warnings: [String]) {
        var candidates: [String] = []
        if let latest = RunPointer.latest.target(in: url) { candidates.append(latest) }
        candidates += periodicFiles().reversed().filter { $0 != candidates.first }
        var warnings: [String] = []
        for name in candidates {
            let file = url.appendingPathComponent(name)
            do {
                return (try TrainingCheckpoint.read(from: file), file, warnings)
            } catch {
                warnings.append("skipped: \(error)")
            }
        }
        throw TrainingError.checkpoint("no usable checkpoint in \(url.path)" + (warnings.isEmpty ? "" : ": " + warnings.joined(separator: "; ")))
    }

    /// Periodic checkpoint names, oldest first (the zero-padded step sorts them).
    private func periodicFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasPrefix("step-") && $0.hasSuffix(".safetensors") }.sorted()
    }

    private func prune() throws {
        let latest = RunPointer.latest.target(in: url)
        for name in periodicFiles().dropLast(keep) where name != latest {
            try FileManager.default.removeItem(at: url.appendingPathComponent(name))
        }
    }

    private func isRunFile(_ name: String) -> Bool {
        RunPointer(rawValue: name) != nil || ["metrics.csv", "loss.svg"].contains(name)
            || ((name.hasPrefix("step-") || name.hasPrefix("best-step-")) && name.hasSuffix(".safetensors"))
    }

    /// `step-00001000-val-1.4321.safetensors`: the step, zero-padded so names sort by it, and the last
    /// validation loss (or `none` before the first evaluation).
    static func fileName(prefix: String, _ state: TrainerState) -> String {
        let loss = state.lastValidationLoss.map { String(format: "%.4f", $0) } ?? "none"
        return String(format: "%@-%08d-val-%@.safetensors", prefix, state.step, loss)
    }
}
