import CharModelFile
import Foundation
import Testing

/// `mpirun -np 2 charnn train`: real Open MPI ranks on this machine (`scripts/bootstrap --test` installs Open MPI).
@Suite struct MPITrainingTests {
    /// Two ranks on however many cores there are, as root too (CI's containers run as root).
    static let mpirun = ["mpirun", "--oversubscribe"] + (getuid() == 0 ? ["--allow-run-as-root"] : []) + ["-np", "2"]

    /// Two layers with dropout; 16 streams, so that each rank has 8 and one process on two threads splits the same
    /// way (`DataParallelPass.minimumStreamsPerPart`).
    static let options = ["--batch-size", "16", "--dropout", "0.1", "--eval-every", "25", "--checkpoint-every", "20", "--seed", "7"]

    @Test("two ranks of one thread train the same weights as one process of two threads, and only rank 0 speaks")
    func twoRanksEqualTwoThreads() throws {
        let scratch = try TrainingScratch("mpi-equal", corpusBytes: 20000)
        defer { scratch.remove() }
        let extra = Self.options + ["--max-iterations", "100"]
        let reference = try scratch.train(out: "threads", layers: 2, extra + ["--threads", "2"])
        let ranks = try CharnnProcess.run(scratch.trainArguments(out: "ranks", layers: 2, extra + ["--threads", "1"]), launcher: Self.mpirun)
        #expect(ranks.status == 0, "\(ranks.stderr)")
        let starts = ranks.stderrLines.filter { $0.hasPrefix("training ") }
        #expect(starts.count == 1)
        #expect(starts.first?.hasSuffix(", on 2 ranks of 8 streams each, gradients summed every window") == true)
        #expect(ranks.stderrLines.filter { $0.hasPrefix("finished at step 100 ") }.count == 1)

        let mine = try tensors(TrainingScratch.checkpoint(scratch.path("ranks"), "latest"))
        let theirs = try tensors(TrainingScratch.checkpoint(reference, "latest"))
        #expect(mine.count == 35 && Set(mine.keys) == Set(theirs.keys))
        let worst = mine.map { name, values in zip(values, theirs[name]!).map { abs($0 - $1) }.max() ?? 0 }.max() ?? .infinity
        #expect(worst <= 1e-5)
        #expect(try TrainingScratch.metricsRows(scratch.path("ranks")).count == 1 + 4)
    }

    @Test("a rank killed mid-run stops the others within seconds with one line; resuming on 2 ranks ends byte-identical",
          arguments: [1, 4])
    func killedRankThenResumeIsByteIdentical(syncEvery: Int) throws {
        let scratch = try TrainingScratch("mpi-kill")
        defer { scratch.remove() }
        // H = 64, so that the run lasts long enough to be killed mid-way.
        let extra = Self.options + ["--hidden-size", "64", "--max-iterations", "400", "--threads", "1"]
            + (syncEvery > 1 ? ["--sync-every", "\(syncEvery)"] : [])
        let reference = try CharnnProcess.run(scratch.trainArguments(out: "reference", layers: 2, extra), launcher: Self.mpirun)
        #expect(reference.status == 0, "\(reference.stderr)")

        let running = try CharnnProcess.start(scratch.trainArguments(out: "run", layers: 2, extra), launcher: Self.mpirun)
        let latest = scratch.path("run/latest")
        var waited = 0
        while running.isRunning && !FileManager.default.fileExists(atPath: latest) && waited < 60_000 {
            usleep(1000)
            waited += 1
        }
        let rank1 = try #require(Self.rank(1, under: running.pid))
        kill(rank1, SIGKILL)
        let killedAt = Date()
        let (stopped, _) = try running.wait()
        #expect(Date().timeIntervalSince(killedAt) < 15, "the other rank must stop within seconds")
        #expect(stopped.status != 0)
        #expect(stopped.stderr.contains("charnn: mpirun is stopping the job (Ctrl-C, or a rank died); the checkpoints in \(scratch.path("run")) are intact: resume with mpirun -np 2 charnn train --resume \(scratch.path("run"))"))
        let step = try #require(Int(try TrainingScratch.checkpoint(scratch.path("run"), "latest").lastPathComponent.dropFirst(5).prefix(8)))
        #expect(step >= 20 && step < 400, "the kill must come mid-run")

        let resumed = try CharnnProcess.run(["train", "--resume", scratch.path("run"), "--threads", "1"], launcher: Self.mpirun)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("at step \(step), epoch "))
        let final = try TrainingScratch.tensorBytes(TrainingScratch.checkpoint(scratch.path("run"), "latest"))
        #expect(final.count == 35)
        #expect(final == (try TrainingScratch.tensorBytes(TrainingScratch.checkpoint(scratch.path("reference"), "latest"))))
        #expect(try TrainingScratch.metricsRows(scratch.path("run")) == (try TrainingScratch.metricsRows(scratch.path("reference"))))
    }

    @Test("local SGD (--sync-every 4) trains a different model from summed gradients, and learns")
    func localSGDDiffersAndLearns() throws {
        let scratch = try TrainingScratch("mpi-local", corpusBytes: 20000)
        defer { scratch.remove() }
        let extra = Self.options + ["--max-iterations", "100", "--threads", "1"]
        for (out, k) in [("summed", [String]()), ("averaged", ["--sync-every", "4"])] {
            let result = try CharnnProcess.run(scratch.trainArguments(out: out, layers: 2, extra + k), launcher: Self.mpirun)
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try TrainingScratch.tensorBytes(TrainingScratch.checkpoint(scratch.path("averaged"), "latest"))
            != (try TrainingScratch.tensorBytes(TrainingScratch.checkpoint(scratch.path("summed"), "latest"))))
        let losses = try TrainingScratch.metricsRows(scratch.path("averaged")).dropFirst().map { Double($0.split(separator: ",")[3])! }
        #expect(losses.count == 4 && losses.last! < losses.first! - 0.2)
    }

    @Test("bad input under mpirun: one error line from rank 0, and a run resumed on another rank count is refused")
    func badInputSaysOneLine() throws {
        let scratch = try TrainingScratch("mpi-errors")
        defer { scratch.remove() }
        let odd = try CharnnProcess.run(scratch.trainArguments(out: "odd", layers: 2, ["--batch-size", "5"]), launcher: Self.mpirun)
        #expect(odd.status != 0)
        #expect(odd.stderrLines.filter { $0.hasPrefix("error:") } == ["error: invalid training option: batch size 5 does not divide among 2 ranks; use a multiple of 2"])

        let alone = try scratch.train(out: "alone", layers: 1, ["--max-iterations", "20", "--batch-size", "8"])
        let onTwo = try CharnnProcess.run(["train", "--resume", alone], launcher: Self.mpirun)
        #expect(onTwo.status != 0)
        #expect(onTwo.stderrLines.filter { $0.hasPrefix("error:") } == ["error: the run was trained on 1 rank and cannot resume on 2: only the same count continues it exactly; resume it without mpirun, or start a new run from it with --init-from"])

        let ranks = try CharnnProcess.run(scratch.trainArguments(out: "ranks", layers: 1, ["--max-iterations", "20", "--batch-size", "8"]), launcher: Self.mpirun)
        #expect(ranks.status == 0, "\(ranks.stderr)")
        let onOne = try CharnnProcess.run(["train", "--resume", scratch.path("ranks"), "--max-iterations", "30"])
        #expect(onOne.status != 0)
        #expect(onOne.stderrLines == ["error: the run was trained on 2 ranks and cannot resume on 1: only the same count continues it exactly; resume it with mpirun -np 2, or start a new run from it with --init-from"])

        let local = try CharnnProcess.run(scratch.trainArguments(out: "local", layers: 1, ["--sync-every", "4"]))
        #expect(local.stderrLines == ["error: --sync-every sets how often the ranks of an MPI job meet; run charnn train under mpirun to use it"])
    }

    /// Every tensor of a checkpoint as floats.
    private func tensors(_ url: URL) throws -> [String: [Float]] {
        let file = try CheckpointFile.read(from: url)
        return Dictionary(uniqueKeysWithValues: try file.tensors.map { ($0.name, try file.floats($0.name, shape: $0.shape)) })
    }

    /// The process id of rank `rank` among the children of `mpirun` (Open MPI starts a node's ranks as its
    /// children and tells each its rank in OMPI_COMM_WORLD_RANK).
    private static func rank(_ rank: Int, under mpirun: Int32) -> Int32? {
        let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int32($0) } ?? []
        // /proc/PID/stat: "PID (name) state PPID ...", and the name may hold spaces.
        return processes.first { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let fields = stat.split(separator: ")").last?.split(separator: " "), fields.count > 1,
                  Int32(fields[1]) == mpirun,
                  let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return environment.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == "OMPI_COMM_WORLD_RANK=\(rank)" }
        }
    }
}
