import CharModel
import CharModelFile
import Foundation
import Testing

/// `charnn export --weights bf16|int8` and what `charnn inspect` says of the result; training refuses it.
@Suite struct ExportWeightsTests {
    struct Inspected: Decodable {
        var weights: String
        var weightsLoss: PrecisionLoss?
    }

    @Test func int8ExportMeasuresItsLossAndInspectReportsIt() throws {
        let scratch = try TrainingScratch("export-weights", corpusBytes: 6000)
        defer { scratch.remove() }
        let run = try scratch.train(out: "run", layers: 2, ["--max-iterations", "30"])
        let output = scratch.path("int8.safetensors")
        let export = try CharnnProcess.run(["export", run, output, "--weights", "int8"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stderrLines.contains { $0.hasPrefix("export: test loss ") && $0.contains(" with int8 weights against ") })
        let file = try ModelFile.read(from: URL(fileURLWithPath: output))
        #expect(file.precision == .int8)
        let measured = try #require(file.precisionLoss)
        #expect(measured.corpus == scratch.corpus && measured.split == "test" && measured.graphemes > 0)
        #expect(measured.loss.isFinite && abs(measured.increase) < 0.05)

        let plain = try CharnnProcess.run(["inspect", output])
        #expect(plain.status == 0)
        let expected = String(format: "weights:      int8 (a scale per row), for inference only; test loss %.4f against %.4f in fp32 (%+.2f%%) on %d graphemes of %@",
                              measured.loss, measured.fp32Loss, 100 * measured.increase, measured.graphemes, scratch.corpus)
        #expect(plain.stdout.split(separator: "\n").contains { $0 == expected })
        let json = try CharnnProcess.run(["inspect", "--json", output])
        let inspected = try JSONDecoder().decode(Inspected.self, from: Data(json.stdout.utf8))
        #expect(inspected.weights == "int8" && inspected.weightsLoss == measured)
        // An fp32 checkpoint says nothing of weights in plain text.
        let fp32 = try CharnnProcess.run(["inspect", run])
        #expect(!fp32.stdout.contains("weights:"))

        // The int8 file samples and predicts; training from it is refused in one line.
        #expect(try CharnnProcess.run(["sample", "--model", output, "--length", "20", "--seed", "1"]).status == 0)
        let train = try CharnnProcess.run(scratch.trainArguments(out: "again", layers: 2, ["--init-from", output, "--max-iterations", "1"]))
        #expect(train.status != 0)
        #expect(train.stderrLines.last == "error: the model holds int8 weights, which are for inference only; train from the fp32 checkpoint it was exported from")
        // Nor is it exported again.
        let twice = try CharnnProcess.run(["export", output, scratch.path("twice.safetensors"), "--weights", "bf16"])
        #expect(twice.stderrLines.last == "error: \(output) already holds int8 weights; export from the fp32 checkpoint")
    }

    @Test func bf16WithoutItsCorpusIsWrittenUnmeasured() throws {
        let scratch = try TrainingScratch("export-bf16", corpusBytes: 3000)
        defer { scratch.remove() }
        let run = try scratch.train(out: "run", layers: 1, ["--max-iterations", "5"])
        try FileManager.default.removeItem(atPath: scratch.corpus)
        let output = scratch.path("bf16.safetensors")
        let export = try CharnnProcess.run(["export", run, output, "--weights", "bf16"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stderrLines.first == "warning: the loss increase is not measured: cannot read the run's corpus \(scratch.corpus); give it with --corpus")
        let inspect = try CharnnProcess.run(["inspect", output])
        #expect(inspect.stdout.contains("weights:      bf16, for inference only; loss increase not measured (export it again with --corpus)\n"))
        // A corpus that cannot be read when named is an error, and --corpus needs reduced weights.
        let missing = try CharnnProcess.run(["export", run, scratch.path("x.safetensors"), "--weights", "int8", "--corpus", scratch.corpus])
        #expect(missing.status != 0)
        let fp32 = try CharnnProcess.run(["export", run, scratch.path("y.safetensors"), "--corpus", "a.txt"])
        #expect(fp32.stderrLines.last == "error: --corpus measures a reduced model's loss; add --weights bf16 or --weights int8")
    }
}
