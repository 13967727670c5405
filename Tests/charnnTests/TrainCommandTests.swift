import CharTraining
import Foundation
import Testing

/// `charnn train`: a normal run's folder, bad input refused with one line, divergence stopped at the right step.
@Suite struct TrainCommandTests {
    @Test func tinyRunWritesCheckpointsPointersAndMetrics() throws {
        let scratch = try TrainingScratch("train-ok")
        defer { scratch.remove() }
        let result = try CharnnProcess.run(scratch.trainArguments(out: "run", ["--max-iterations", "50", "--eval-every", "10", "--checkpoint-every", "10"]))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines.first?.hasPrefix("training 3166 parameters (L=1 H=16 E=16 V=") == true)
        #expect(result.stderrLines.last?.hasPrefix("finished at step 50 (") == true)
        let run = scratch.path("run")
        let names = try TrainingScratch.files(run)
        // The last 3 periodic checkpoints are kept (the default --keep), plus the best one.
        #expect(names.filter { $0.hasPrefix("step-") }.map { String($0.prefix(13)) } == ["step-00000030", "step-00000040", "step-00000050"])
        #expect(names.filter { $0.hasPrefix("best-step-") }.count == 1)
        #expect(names.contains("metrics.csv") && names.contains("loss.svg"))
        let latest = try TrainingCheckpoint.read(from: TrainingScratch.checkpoint(run, "latest"))
        #expect(latest.trainerState.step == 50)
        let best = try TrainingCheckpoint.read(from: TrainingScratch.checkpoint(run, "best"))
        let validations = latest.trainerState.history.compactMap(\.validationLoss)
        #expect(validations.count == 5)
        #expect(best.trainerState.lastValidationLoss == validations.min())
        #expect(best.trainerState.bestValidationLoss == validations.min())
        let rows = try TrainingScratch.metricsRows(run)
        #expect(rows.first == "step,epoch,train_loss,validation_loss,learning_rate")
        #expect(rows.dropFirst().map { $0.split(separator: ",")[0] } == ["10", "20", "30", "40", "50"])
    }

    /// Each mistake and a fragment its one-line error must hold.
    static let mistakes: [(arguments: [String], message: String)] = [
        (["--batch-size", "0"], "invalid training option: batch size must be at least 1, got 0"),
        (["--seq-length", "0"], "invalid training option: sequence length must be at least 1, got 0"),
        (["--layers", "0"], "invalid model hyperparameter: number of layers must be at least 1, got 0"),
        (["--hidden-size", "0"], "invalid value 0 for --hidden-size: expected at least 1"),
        (["--lr", "0"], "invalid training option: learning rate must be positive, got 0.0"),
        (["--lr=-0.5"], "invalid training option: learning rate must be positive, got -0.5"),
        (["--lr", "nan"], "invalid training option: learning rate must be positive, got nan"),
        (["--train-fraction", "1"], "invalid training option: train fraction must be in (0, 1), got 1.0"),
        (["--val-fraction", "0"], "invalid training option: validation fraction must be in (0, 1 - train fraction], got 0.0"),
        (["--train-fraction", "0.9", "--val-fraction", "0.2"], "invalid training option: validation fraction must be in (0, 1 - train fraction], got 0.2"),
        (["--dropout", "1"], "invalid model hyperparameter: dropout must be in [0, 1), got 1.0"),
        (["--output-dropout=-0.1"], "invalid model hyperparameter: output dropout must be in [0, 1), got -0.1"),
        (["--weight-drop", "1"], "invalid model hyperparameter: weight drop must be in [0, 1), got 1.0"),
        (["--max-iterations", "0"], "invalid training option: max iterations must be at least 1, got 0"),
        (["--threads", "0"], "invalid value 0 for --threads: expected at least 1"),
    ]

    @Test(arguments: 0..<mistakes.count)
    func outOfRangeOptionsAreRefused(_ index: Int) throws {
        let scratch = try TrainingScratch("train-range")
        defer { scratch.remove() }
        let (extra, message) = Self.mistakes[index]
        let result = try CharnnProcess.run(scratch.trainArguments(out: "run", ["--max-iterations", "5"] + extra))
        #expect(result.errorMessage == message, "\(extra): \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("run")), "no folder for a refused run")
    }

    @Test func badCorporaAreRefused() throws {
        let scratch = try TrainingScratch("train-corpus")
        defer { scratch.remove() }
        let missing = scratch.path("missing.txt")
        var result = try CharnnProcess.run(["train", missing, "--out", scratch.path("a")])
        #expect(result.errorMessage == "corpus not found: \(missing) (check the path; use - to read standard input)")

        let empty = scratch.path("empty.txt")
        try Data().write(to: URL(fileURLWithPath: empty))
        result = try CharnnProcess.run(["train", empty, "--out", scratch.path("b")])
        #expect(result.errorMessage == "corpus \(empty) is empty: give a file with some text")

        // 40 graphemes: 36 for training, but 4 x 16 steps need 65.
        let small = scratch.path("small.txt")
        try Data(String(repeating: "abcd", count: 10).utf8).write(to: URL(fileURLWithPath: small))
        result = try CharnnProcess.run(["train", small, "--out", scratch.path("c"), "--layers", "1"] + TrainingScratch.tinyModel)
        #expect(result.errorMessage
                == "corpus too small: the training split has 36 graphemes; batch size 4 x sequence length 16 needs at least 65")
        for name in ["a", "b", "c"] { #expect(!FileManager.default.fileExists(atPath: scratch.path(name))) }
    }

    @Test("a run in fp32 continues in bf16 and back, each checkpoint recording its precision",
          .enabled(if: TrainingPrecision.runnable.contains(.bf16)))
    func precisionChangesOnResume() throws {
        let scratch = try TrainingScratch("train-precision")
        defer { scratch.remove() }
        let run = try scratch.train(out: "run", ["--max-iterations", "10", "--checkpoint-every", "10"])
        func precision() throws -> TrainingPrecision? {
            try TrainingCheckpoint.read(from: TrainingScratch.checkpoint(run, "latest")).trainingConfig.precision
        }
        #expect(try precision() == nil)
        var resumed = try CharnnProcess.run(["train", "--resume", run, "--precision", "bf16", "--max-iterations", "20"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try precision() == .bf16)
        let inspect = try CharnnProcess.run(["inspect", run])
        #expect(inspect.stdout.split(separator: "\n").contains { $0.hasPrefix("training:") && $0.hasSuffix("seed 1, bf16 products") },
                "\(inspect.stdout)")
        resumed = try CharnnProcess.run(["train", "--resume", run, "--max-iterations", "30"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try precision() == .bf16)
        resumed = try CharnnProcess.run(["train", "--resume", run, "--precision", "fp32", "--max-iterations", "40"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try precision() == .fp32)
        #expect(resumed.stderr.contains("finished at step 40"))
    }

    @Test func existingRunIsRefusedUnlessResumeOrForce() throws {
        let scratch = try TrainingScratch("train-exists")
        defer { scratch.remove() }
        let options = ["--max-iterations", "10", "--checkpoint-every", "10"]
        let run = try scratch.train(out: "run", options)
        let before = try TrainingScratch.files(run)
        let refused = try CharnnProcess.run(scratch.trainArguments(out: "run", options))
        #expect(refused.errorMessage == "output folder \(run) holds another run; use --resume \(run) to continue it or --force to replace it")
        #expect(try TrainingScratch.files(run) == before)

        let forced = try CharnnProcess.run(scratch.trainArguments(out: "run", options + ["--force", "--seed", "2"]))
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try TrainingCheckpoint.read(from: TrainingScratch.checkpoint(run, "latest")).trainingConfig.seed == 2)

        let other = scratch.path("other")
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: false)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: other + "/notes.txt"))
        let foreign = try CharnnProcess.run(scratch.trainArguments(out: "other", options + ["--force"]))
        #expect(foreign.errorMessage == "output folder \(other) is not empty and holds files that are not a charnn run; choose another folder")
        #expect(try TrainingScratch.files(other) == ["notes.txt"])
    }

    @Test func resumeRefusesConflictingOptionsByName() throws {
        let scratch = try TrainingScratch("train-conflict")
        defer { scratch.remove() }
        let run = try scratch.train(out: "run", ["--max-iterations", "10", "--checkpoint-every", "10"])
        let before = try TrainingScratch.files(run)
        let conflicting = try CharnnProcess.run(["train", "--resume", run, "--hidden-size", "32", "--output-dropout", "0.2", "--batch-size", "8",
                                                 "--lr", "0.1", "--seed", "1", "--max-iterations", "20"])
        // Equal values (--seed) and stop limits (--max-iterations) are no conflict.
        #expect(conflicting.errorMessage
                == "options contradict the checkpoint being resumed: --hidden-size, --output-dropout, --batch-size, --lr (drop them to continue as before, or start a new run)")
        let vocabulary = try CharnnProcess.run(["train", "--resume", run, "--max-vocab", "10"])
        #expect(vocabulary.errorMessage
                == "options contradict the checkpoint being resumed: vocabulary options (drop them to continue as before, or start a new run)")
        let withOut = try CharnnProcess.run(["train", "--resume", run, "--out", scratch.path("elsewhere")])
        #expect(withOut.errorMessage == "--resume continues a run in its own folder; it cannot be combined with --out or --init-from")
        let notRun = try CharnnProcess.run(["train", "--resume", scratch.path("nothing")])
        #expect(notRun.errorMessage
                == "\(scratch.path("nothing")) is not a charnn run folder (no 'latest' pointer); start a run there without --resume")
        #expect(try TrainingScratch.files(run) == before)
    }

    /// A learning rate of 1000 blows the loss up on the second iteration: the run stops naming that step, and
    /// `latest` still names the checkpoint of step 1, which loads.
    @Test func divergenceStopsAtTheStepAndKeepsLastGoodCheckpoint() throws {
        let scratch = try TrainingScratch("train-diverge")
        defer { scratch.remove() }
        let result = try CharnnProcess.run(scratch.trainArguments(out: "run", ["--lr", "1000", "--max-iterations", "100", "--checkpoint-every", "1"]))
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        let last = try #require(result.stderrLines.last)
        #expect(last.hasPrefix("error: training diverged at step 2: the loss "), "\(result.stderr)")
        #expect(last.hasSuffix("the last good checkpoint is kept as the latest (try a lower learning rate)"))
        let latest = try TrainingScratch.checkpoint(scratch.path("run"), "latest")
        #expect(latest.lastPathComponent == "step-00000001-val-none.safetensors")
        let checkpoint = try TrainingCheckpoint.read(from: latest)
        #expect(checkpoint.trainerState.step == 1)
        #expect(checkpoint.model.parameters.allSatisfy { $0.isFinite })
        #expect(try TrainingScratch.files(scratch.path("run")).filter { $0.hasPrefix("step-") } == [latest.lastPathComponent])
    }
}
