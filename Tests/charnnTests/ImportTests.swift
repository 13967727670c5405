import Foundation
import Testing
import TestSupport

/// A model trained in PyTorch (`scripts/torch-fixture`: torch_peer.py's CharLSTM, saved with safetensors'
/// save_file) loads, imports, samples and evaluates to PyTorch's own loss.
@Suite("PyTorch models")
struct ImportTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private static let fixtures = root.appendingPathComponent("Tests/Fixtures")
    /// PyTorch's mean cross-entropy on the held-out text, as `scripts/torch-fixture` printed it.
    private static let pytorchLoss = 3.118500

    /// Characters 20,000 to 22,000 of tiny-shakespeare, the text the fixture script evaluated, in `folder`.
    private static func heldOutText(in folder: URL) throws -> String {
        let corpus = try String(contentsOf: root.appendingPathComponent("../shared/corpora/tinyshakespeare.txt"), encoding: .utf8)
        let text = String(Array(corpus)[20000..<22000])
        let file = folder.appendingPathComponent("held-out.txt")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// The loss `charnn eval --json` reports.
    private static func loss(_ arguments: [String]) throws -> Double {
        let result = try CharnnProcess.run(["eval", "--json"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require((json?["result"] as? [String: Any])?["loss"] as? Double)
    }

    @Test("read directly, with the vocabulary in the file or beside it, the model gives PyTorch's loss; a missing checksum is warned about once")
    func readsDirectly() throws {
        try withTemporaryDirectory { folder in
            let text = try Self.heldOutText(in: folder)
            let model = Self.fixtures.appendingPathComponent("torch-lstm.safetensors").path
            #expect(abs(try Self.loss(["--model", model, text]) - Self.pytorchLoss) < 1e-4)
            let bare = Self.fixtures.appendingPathComponent("torch-lstm-bare.safetensors").path
            let vocabulary = Self.fixtures.appendingPathComponent("torch-lstm-vocabulary.json").path
            #expect(abs(try Self.loss(["--model", bare, "--vocabulary", vocabulary, text]) - Self.pytorchLoss) < 1e-4)

            let run = try CharnnProcess.run(["eval", "--model", model, text])
            #expect(run.stderrLines == ["warning: \(model): no checksum, so its contents cannot be verified"])
        }
    }

    @Test("charnn import writes a checked charnn model file that samples and evaluates as PyTorch does")
    func imports() throws {
        try withTemporaryDirectory { folder in
            let text = try Self.heldOutText(in: folder)
            let out = folder.appendingPathComponent("imported.safetensors").path
            let imported = try CharnnProcess.run(["import", Self.fixtures.appendingPathComponent("torch-lstm-bare.safetensors").path,
                                                  "--vocabulary", Self.fixtures.appendingPathComponent("torch-lstm-vocabulary.json").path,
                                                  "--out", out])
            #expect(imported.status == 0)
            #expect(imported.stderrLines.last?.hasSuffix("L=2 H=16 E=12 V=59 (<unk> + 58 tokens) into \(out)") == true)
            #expect(abs(try Self.loss(["--model", out, text]) - Self.pytorchLoss) < 1e-4)
            let evaluated = try CharnnProcess.run(["eval", "--model", out, text])
            #expect(evaluated.stderr == "")

            let sample = try CharnnProcess.run(["sample", "--model", out, "--length", "40", "--seed", "3", "--prime", "ROMEO:"])
            #expect(sample.status == 0)
            #expect(sample.stdout.hasPrefix("ROMEO:"))
            #expect(sample.stdout.count == "ROMEO:".count + 40 + 1)
        }
    }

    @Test("a PyTorch model without a vocabulary, or with one of the wrong size, is refused in one line")
    func refusals() throws {
        try withTemporaryDirectory { folder in
            let bare = Self.fixtures.appendingPathComponent("torch-lstm-bare.safetensors").path
            let none = try CharnnProcess.run(["import", bare, "--out", folder.appendingPathComponent("x.safetensors").path])
            #expect(none.status != 0)
            #expect(none.stderrLines.last == "error: \(bare) has no vocabulary: give the token of each index, in order, as a JSON list of strings with --vocabulary FILE")
            let short = folder.appendingPathComponent("short.json")
            try Data("[\"a\", \"b\"]".utf8).write(to: short)
            let wrong = try CharnnProcess.run(["import", bare, "--vocabulary", short.path, "--out", folder.appendingPathComponent("x.safetensors").path])
            #expect(wrong.status != 0)
            #expect(wrong.stderrLines.last == "error: the vocabulary has 2 tokens but the embedding of \(bare) has 58 rows")
            #expect(try contents(of: folder) == ["short.json"])
        }
    }
}
