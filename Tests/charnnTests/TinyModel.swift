import Foundation

/// A tiny model trained once per test run by `charnn train` on a generated corpus of ten words (two with
/// diacritics), for the commands that need a model.
enum TinyModel {
    /// The run folder, or the error that kept it from being made.
    private static let made: Result<String, Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("charnn-tiny-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let words = ["the", "cat", "sat", "on", "mat", "and", "then", "there", "café", "été"]
        var state: UInt64 = 1
        let text = (0..<3000).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return words[Int(state >> 33) % words.count]
        }.joined(separator: " ") + "\n"
        let corpus = folder.appendingPathComponent("corpus.txt")
        try Data(text.utf8).write(to: corpus)
        let run = folder.appendingPathComponent("run").path
        let result = try CharnnProcess.run(["train", corpus.path, "--out", run, "--hidden-size", "16", "--layers", "1",
                                            "--batch-size", "8", "--seq-length", "16", "--max-iterations", "150",
                                            "--eval-every", "50", "--lr", "0.02", "--threads", "1"])
        guard result.status == 0 else { throw CharnnProcess.Failure.executableNotFound(searched: ["train failed: \(result.stderr)"]) }
        return run
    }

    /// The run folder of the tiny model.
    static func path() throws -> String { try made.get() }
}
