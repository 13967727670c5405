import CharModelFile
import CharTraining
import Foundation

/// A test's own temporary folder with a small generated corpus, plus the tiny model every CLI training test uses
/// (H=16, B=4, S=16), so that a run takes a fraction of a second and parallel tests never share files.
struct TrainingScratch {
    /// The folder, removed by `remove()`.
    let folder: URL
    /// The generated corpus's path.
    let corpus: String

    /// The model and batch shape of every test run; L is given separately.
    static let tinyModel = ["--hidden-size", "16", "--batch-size", "4", "--seq-length", "16"]

    /// A fresh folder holding `corpus.txt` of about `corpusBytes` bytes of generated text.
    init(_ label: String, corpusBytes: Int = 8000) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("charnn-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        corpus = folder.appendingPathComponent("corpus.txt").path
        try Data(Self.text(bytes: corpusBytes).utf8).write(to: URL(fileURLWithPath: corpus))
    }

    /// A path inside the folder.
    func path(_ name: String) -> String {
        folder.appendingPathComponent(name).path
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// `charnn train` arguments for a new tiny run of `layers` layers into `out`, followed by `extra`.
    func trainArguments(out: String, layers: Int = 1, _ extra: [String] = []) -> [String] {
        ["train", corpus, "--out", path(out), "--layers", "\(layers)"] + Self.tinyModel + extra
    }

    /// Trains a tiny run into `out` and returns its folder's path; the run must succeed.
    func train(out: String, layers: Int = 1, _ extra: [String]) throws -> String {
        let result = try CharnnProcess.run(trainArguments(out: out, layers: layers, extra))
        guard result.status == 0 else { throw Failure.trainingFailed(result.stderr) }
        return path(out)
    }

    /// The checkpoint file that a run folder's pointer (`latest` or `best`) names.
    static func checkpoint(_ run: String, _ pointer: String) throws -> URL {
        let folder = URL(fileURLWithPath: run)
        guard let name = RunPointer(rawValue: pointer)?.target(in: folder) else { throw Failure.noPointer(run, pointer) }
        return folder.appendingPathComponent(name)
    }

    /// Every tensor of a checkpoint (model, optimizer moments, carried state) by name, as raw bytes.
    static func tensorBytes(_ url: URL) throws -> [String: [UInt8]] {
        let file = try CheckpointFile.read(from: url)
        return Dictionary(uniqueKeysWithValues: file.tensors.map { tensor in
            (tensor.name, tensor.withUnsafeBytes { Array($0) })
        })
    }

    /// The rows of a run's `metrics.csv` cut to step, epoch, train loss, validation loss and learning rate: the
    /// columns that do not depend on the machine's speed.
    static func metricsRows(_ run: String) throws -> [String] {
        let text = try String(contentsOfFile: URL(fileURLWithPath: run).appendingPathComponent("metrics.csv").path, encoding: .utf8)
        return text.split(separator: "\n").map { $0.split(separator: ",").prefix(5).joined(separator: ",") }
    }

    /// The names in a folder.
    static func files(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    /// Lines of short words from a fixed list, drawn by a fixed generator: learnable, and the same every time.
    static func text(bytes: Int) -> String {
        let words = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "and", "cat", "sat", "on", "mat",
                     "with", "a", "hat", "to", "be", "or", "not"]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var text = ""
        while text.utf8.count < bytes {
            text += (0..<(4 + next(7))).map { _ in words[next(words.count)] }.joined(separator: " ") + ".\n"
        }
        return text
    }

    enum Failure: Error, CustomStringConvertible {
        case trainingFailed(String)
        case noPointer(String, String)

        var description: String {
            switch self {
            case .trainingFailed(let stderr): "charnn train failed: \(stderr)"
            case .noPointer(let run, let pointer): "\(run) has no '\(pointer)' pointer"
            }
        }
    }
}

extension CharnnProcess.Result {
    /// A user mistake's message as it should be reported: with a non-zero exit, nothing on standard output and one
    /// `error: ` line on standard error, that line without its prefix; nil for anything else.
    var errorMessage: String? {
        guard status != 0, stdout.isEmpty, stderrLines.count == 1, stderr.hasPrefix("error: ") else { return nil }
        return String(stderrLines[0].dropFirst("error: ".count))
    }
}
