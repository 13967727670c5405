import CharModelFile
import CharTraining
import Foundation
import Testing

/// A damaged checkpoint is refused, naming the file and the problem; a failed write loses nothing.
@Suite struct CheckpointDamageTests {
    /// Ways a checkpoint file goes bad, and what the refusal must say.
    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case truncated, flippedByte, wrongFormatVersion, badMetadataJSON

        var testDescription: String { rawValue }

        /// Whether `message` is the refusal of the damaged checkpoint at `path`; sizes and hashes vary with the run.
        func isRefusal(_ message: String, of path: String) -> Bool {
            guard message.hasPrefix("checkpoint \(path)") else { return false }
            let problem = message.dropFirst("checkpoint \(path)".count)
            return switch self {
            case .truncated:
                problem.wholeMatch(of: /\ is damaged: tensor '[^']+' occupies bytes \d+..<\d+ of the data section, which holds only \d+ bytes \(file truncated\?\)/) != nil
            case .flippedByte:
                problem.wholeMatch(of: /\ is damaged: checksum mismatch \(file truncated or modified\): it records xxh64:[0-9a-f]{16} but its contents hash to xxh64:[0-9a-f]{16}/) != nil
            case .wrongFormatVersion:
                problem == " was written by format version 9; this charnn reads version 1"
            case .badMetadataJSON:
                problem == ": metadata key 'model_config' is not valid JSON: The given data was not valid JSON."
            }
        }

        func apply(to url: URL) throws {
            var bytes = [UInt8](try Data(contentsOf: url))
            switch self {
            case .truncated:
                bytes.removeLast(bytes.count / 2)
            case .flippedByte:
                bytes[bytes.count - 101] ^= 0x10
            case .wrongFormatVersion:
                let entry = Array("\"format_version\":\"1\"".utf8)
                let start = try #require((0...(bytes.count - entry.count)).first { bytes[$0..<$0 + entry.count].elementsEqual(entry) })
                bytes[start + entry.count - 2] = UInt8(ascii: "9")
            case .badMetadataJSON:
                // A well-formed, correctly checksummed file whose model configuration is not JSON.
                let file = try CheckpointFile.read(from: url)
                var metadata = file.metadata
                metadata[ModelFile.Key.modelConfig] = "{\"layers\": 1,"
                try CheckpointFile.write(tensors: file.tensors, metadata: metadata, to: url)
                return
            }
            try Data(bytes).write(to: url)
        }
    }

    /// A run of 30 iterations with periodic checkpoints at 10, 20 and 30 (or only 10 with `iterations` 10).
    static func run(_ scratch: TrainingScratch, iterations: Int = 30, evalEvery: Int = 10) throws -> String {
        try scratch.train(out: "run", ["--max-iterations", "\(iterations)", "--eval-every", "\(evalEvery)", "--checkpoint-every", "10"])
    }

    @Test(arguments: Damage.allCases)
    func sampleAndInspectRefuseDamagedFile(_ damage: Damage) throws {
        let scratch = try TrainingScratch("damage-load")
        defer { scratch.remove() }
        let file = try TrainingScratch.checkpoint(try Self.run(scratch), "latest")
        try damage.apply(to: file)
        for arguments in [["sample", "--model", file.path, "--seed", "1", "-l", "10"], ["inspect", file.path],
                          ["inspect", "--json", scratch.path("run")], ["eval", "--model", file.path, scratch.corpus]] {
            let result = try CharnnProcess.run(arguments)
            #expect(result.errorMessage.map { damage.isRefusal($0, of: file.path) } == true, "\(arguments[0]): \(result.stderr)")
        }
    }

    @Test(arguments: Damage.allCases)
    func resumeFallsBackToOlderCheckpointWithWarning(_ damage: Damage) throws {
        let scratch = try TrainingScratch("damage-resume")
        defer { scratch.remove() }
        let run = try Self.run(scratch)
        let latest = try TrainingScratch.checkpoint(run, "latest")
        #expect(latest.lastPathComponent.hasPrefix("step-00000030-"))
        try damage.apply(to: latest)
        let result = try CharnnProcess.run(["train", "--resume", run, "--max-iterations", "40"])
        #expect(result.status == 0, "\(result.stderr)")
        let warning = try #require(result.stderrLines.first)
        #expect(warning.hasPrefix("warning: skipped: "))
        #expect(damage.isRefusal(String(warning.dropFirst("warning: skipped: ".count)), of: latest.path))
        let previous = try #require(try TrainingScratch.files(run).first { $0.hasPrefix("step-00000020-") })
        #expect(result.stderrLines[1] == "resuming \(run) from \(previous) at step 20, epoch 0")
        #expect(try TrainingScratch.checkpoint(run, "latest").lastPathComponent.hasPrefix("step-00000040-"))
        // The damaged step-30 file was replaced by a good one as the resumed run passed step 30.
        _ = try CheckpointFile.read(from: latest)
    }

    @Test(arguments: Damage.allCases)
    func resumeFailsWhenNoCheckpointIsGood(_ damage: Damage) throws {
        let scratch = try TrainingScratch("damage-none")
        defer { scratch.remove() }
        let run = try Self.run(scratch, iterations: 10)
        let only = try TrainingScratch.checkpoint(run, "latest")
        try damage.apply(to: only)
        let damaged = try Data(contentsOf: only)
        let result = try CharnnProcess.run(["train", "--resume", run])
        let prefix = "no usable checkpoint in \(run): skipped: "
        #expect(result.errorMessage.map { $0.hasPrefix(prefix) && damage.isRefusal(String($0.dropFirst(prefix.count)), of: only.path) } == true,
                "\(result.stderr)")
        #expect(try Data(contentsOf: only) == damaged, "a refused checkpoint is left as it was")
    }

    /// The next checkpoint's name is taken by a non-empty folder, so its rename fails: the run stops with an
    /// error naming the file, and the previous checkpoint and the `latest` pointer are untouched.
    @Test func failedWriteKeepsPreviousCheckpoint() throws {
        let scratch = try TrainingScratch("damage-write")
        defer { scratch.remove() }
        let run = try Self.run(scratch, iterations: 10, evalEvery: 1000)
        let previous = try TrainingScratch.checkpoint(run, "latest")
        let before = try Data(contentsOf: previous)
        // The final evaluation at step 10 names the next periodic file (no evaluation is due at step 20).
        let loss = try #require(previous.lastPathComponent.wholeMatch(of: /step-00000010-val-(.+)\.safetensors/)).1
        let blocked = "\(run)/step-00000020-val-\(loss).safetensors"
        try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: false)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: blocked + "/inside"))

        let result = try CharnnProcess.start(["train", "--resume", run, "--max-iterations", "30"]).wait().result
        #expect(result.status != 0)
        let last = try #require(result.stderrLines.last)
        #expect(last.hasPrefix("error: cannot save \(blocked): renaming "))
        #expect(last.hasSuffix("(the previous file is unchanged)"))
        #expect(result.stderr.components(separatedBy: "error: ").count == 2)
        #expect(try TrainingScratch.checkpoint(run, "latest") == previous)
        #expect(try Data(contentsOf: previous) == before)
        #expect(try TrainingScratch.files(run).filter { $0.contains(".tmp-") } == [])
        _ = try CheckpointFile.read(from: previous)
    }
}
