import CharTraining
import Foundation
import Testing

/// A run stopped by Ctrl-C or killed outright, then resumed, ends exactly where an uninterrupted run ends.
@Suite struct ResumeTests {
    /// Two layers with dropout between them and before the decoder and weight drop on W_hh, so the carried state and
    /// the dropout generator (every mask drawn from it) must both survive a resume; three epochs (336 iterations), so that the epoch
    /// boundary and its state reset are crossed.
    static let options = ["--dropout", "0.1", "--output-dropout", "0.2", "--weight-drop", "0.3", "--max-epochs", "3", "--eval-every", "25", "--checkpoint-every", "20", "--seed", "7"]

    /// Expects `run` to hold the same final and best tensors, to the byte, and the same metrics as `reference`, a run
    /// of `iterations` iterations.
    static func expectSameRun(_ run: String, as reference: String, iterations: Int = 336) throws {
        let finalFile = try TrainingScratch.checkpoint(run, "latest")
        #expect(finalFile.lastPathComponent == (try TrainingScratch.checkpoint(reference, "latest")).lastPathComponent)
        let final = try TrainingScratch.tensorBytes(finalFile)
        #expect(final.count == 35)
        #expect(final == (try TrainingScratch.tensorBytes(TrainingScratch.checkpoint(reference, "latest"))))
        let bestFile = try TrainingScratch.checkpoint(run, "best")
        #expect(bestFile.lastPathComponent == (try TrainingScratch.checkpoint(reference, "best")).lastPathComponent)
        #expect(try TrainingScratch.tensorBytes(bestFile) == (try TrainingScratch.tensorBytes(TrainingScratch.checkpoint(reference, "best"))))
        let rows = try TrainingScratch.metricsRows(run)
        #expect(rows.count == 1 + iterations / 25 + 1)
        #expect(rows == (try TrainingScratch.metricsRows(reference)))
        #expect(try TrainingScratch.files(run).filter { $0.hasPrefix("best-step-") } == [bestFile.lastPathComponent])
        #expect(try TrainingScratch.files(run).filter { $0.contains(".tmp-") } == [])
    }

    /// The split runs: 16 streams on 2 threads, so each window's streams are split between two parts, each with
    /// its own dropout rows and gradient buffer (`DataParallelPass`).
    static let splitOptions = options + ["--batch-size", "16", "--threads", "2"]

    /// The split runs again with bf16 products, where the CPU has AVX512_BF16.
    static let bf16Runs = TrainingPrecision.runnable.contains(.bf16) ? [(splitOptions + ["--precision", "bf16"], 84)] : []

    @Test("Ctrl-C then resume is byte-identical, with the streams on one thread and split between two, and in bf16",
          arguments: [(options, 336), (splitOptions, 84)] + bf16Runs)
    func ctrlCThenResumeIsByteIdentical(options: [String], iterations: Int) throws {
        let scratch = try TrainingScratch("resume-int")
        defer { scratch.remove() }
        let reference = try scratch.train(out: "reference", layers: 2, options)

        let running = try CharnnProcess.start(scratch.trainArguments(out: "run", layers: 2, options))
        let latest = scratch.path("run/latest")
        while running.isRunning && !FileManager.default.fileExists(atPath: latest) { usleep(1000) }
        running.send(SIGINT)
        let (stopped, signal) = try running.wait()
        #expect(signal == nil)
        #expect(stopped.status == 0, "\(stopped.stderr)")
        let line = try #require(stopped.stderrLines.last)
        let match = try #require(line.wholeMatch(of: /stopped at step (\d+); checkpoint saved\. Continue with: charnn train --resume (.+)/))
        let step = try #require(Int(match.1))
        #expect(step >= 20 && step < iterations, "the signal must arrive mid-run")
        #expect(match.2 == scratch.path("run"))
        #expect(try TrainingScratch.checkpoint(scratch.path("run"), "latest").lastPathComponent.hasPrefix(String(format: "step-%08d-", step)))

        let threads = options.contains("--threads") ? ["--threads", "2"] : []
        let resumed = try CharnnProcess.run(["train", "--resume", scratch.path("run")] + threads)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("at step \(step), epoch "))
        #expect(resumed.stderr.contains("finished at step \(iterations) (3.00 epochs)"))
        try Self.expectSameRun(scratch.path("run"), as: reference, iterations: iterations)
    }

    /// SIGKILL at arbitrary moments (during a step, an evaluation or a checkpoint write), then resume, again and
    /// again until the run completes: nothing is lost and nothing changes.
    @Test func killedAtRandomMomentsThenResumedIsByteIdentical() throws {
        let scratch = try TrainingScratch("resume-kill")
        defer { scratch.remove() }
        let reference = try scratch.train(out: "reference", layers: 2, Self.options)
        let run = scratch.path("run")
        var generator = SystemRandomNumberGenerator()
        var kills = 0, finished = false
        for attempt in 0..<200 where !finished {
            // Before the first checkpoint there is nothing to resume: start again, replacing the partial run.
            let arguments = FileManager.default.fileExists(atPath: run + "/latest")
                ? ["train", "--resume", run] : scratch.trainArguments(out: "run", layers: 2, Self.options + ["--force"])
            let running = try CharnnProcess.start(arguments)
            // Growing delays, so that the run always finishes in the end.
            usleep(UInt32.random(in: 2_000...40_000, using: &generator) + UInt32(attempt) * 2_000)
            running.send(SIGKILL)
            let (result, signal) = try running.wait()
            if signal == SIGKILL {
                kills += 1
            } else {
                #expect(result.status == 0, "\(result.stderr)")
                finished = true
            }
        }
        #expect(finished)
        #expect(kills >= 3)
        try Self.expectSameRun(run, as: reference)
    }

    /// Temporary files left by a killed writer are removed on resume; a live process's and unrelated files are not.
    @Test func resumeRemovesStaleTemporaryFiles() throws {
        let scratch = try TrainingScratch("resume-tmp")
        defer { scratch.remove() }
        let first = try CharnnProcess.start(scratch.trainArguments(out: "run", ["--max-iterations", "10", "--checkpoint-every", "10"]))
        let deadPID = first.pid
        #expect(try first.wait().result.status == 0)
        let run = scratch.path("run")
        let stale = [".step-00000020-val-3.4000.safetensors.tmp-\(deadPID)", ".latest.tmp-\(deadPID)",
                     ".metrics.csv.tmp-\(deadPID)", ".best-step-00000020-val-3.4000.safetensors.tmp-\(deadPID)"]
        let kept = [".notes", ".step-00000020-val-3.4000.safetensors.tmp-\(getpid())", "notes.tmp-\(deadPID)", ".other.txt.tmp-\(deadPID)"]
        for name in stale + kept { try Data("partial".utf8).write(to: URL(fileURLWithPath: run + "/" + name)) }

        let resumed = try CharnnProcess.run(["train", "--resume", run, "--max-iterations", "20"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let names = try TrainingScratch.files(run)
        #expect(names.filter { $0.hasPrefix(".") || $0.contains(".tmp-") } == kept.sorted())
    }
}
