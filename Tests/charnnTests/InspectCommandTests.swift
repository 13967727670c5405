import CharModelFile
import CharTraining
import Foundation
import Testing

/// `charnn inspect`: plain and JSON show what a checkpoint holds, matching the checkpoint itself.
@Suite struct InspectCommandTests {
    struct Output: Decodable {
        struct Model: Decodable {
            var layers: Int
            var hiddenSize: Int
            var embeddingSize: Int
            var vocabularySize: Int
        }

        struct Training: Decodable {
            var batchSize: Int
            var sequenceLength: Int
            var learningRate: Float
        }

        struct Record: Decodable {
            var step: Int
            var validationLoss: Float?
        }

        var file: String
        var formatVersion: String
        var resumable: Bool
        var model: Model
        var parameters: Int
        var training: Training
        var vocabularySize: Int
        var step: Int
        var epoch: Int
        var bestValidationLoss: Float?
        var history: [Record]
    }

    @Test func plainAndJSONShowTheCheckpoint() throws {
        let scratch = try TrainingScratch("inspect", corpusBytes: 3000)
        defer { scratch.remove() }
        // 3000 bytes give 41 windows per epoch: 50 iterations end in epoch 1.
        let run = try scratch.train(out: "run", layers: 2, ["--max-iterations", "50", "--eval-every", "20", "--checkpoint-every", "25",
                                                              "--output-dropout", "0.1", "--weight-drop", "0.2"])
        let file = try TrainingScratch.checkpoint(run, "latest")
        let checkpoint = try TrainingCheckpoint.read(from: file)

        let json = try CharnnProcess.run(["inspect", "--json", run])
        #expect(json.status == 0, "\(json.stderr)")
        let output = try JSONDecoder().decode(Output.self, from: Data(json.stdout.utf8))
        #expect(output.file == file.path)
        #expect(output.formatVersion == "1")
        #expect(output.resumable)
        #expect(output.model.layers == 2 && output.model.hiddenSize == 16 && output.model.embeddingSize == 16)
        #expect(output.model.vocabularySize == 30 && output.vocabularySize == 30)
        // Embedding 30x16, two layers of 4H x (16 + 16) weights and 2 x 4H biases, decoder 30x16 + 30.
        #expect(output.parameters == 30 * 16 + 2 * (64 * 32 + 2 * 64) + 30 * 16 + 30)
        #expect(output.training.batchSize == 4 && output.training.sequenceLength == 16 && output.training.learningRate == 0.002)
        #expect(output.step == 50)
        #expect(output.epoch == 1)
        // Step 50 is both a periodic checkpoint and the final evaluation: the checkpoint must hold that evaluation.
        #expect(output.history.map(\.step) == [20, 40, 50])
        let best = try #require(output.bestValidationLoss)
        #expect(best == output.history.compactMap(\.validationLoss).min())
        #expect(best == checkpoint.trainerState.bestValidationLoss)

        let plain = try CharnnProcess.run(["inspect", file.path])
        #expect(plain.status == 0)
        let lines = plain.stdout.split(separator: "\n")
        #expect(lines[0] == "checkpoint:   \(file.path)")
        #expect(lines[1] == "format:       version 1, written by charnn \(ModelFile.currentVersion)")
        #expect(lines[2] == "model:        L=2 H=16 E=16 V=30 dropout=\(ModelConfig.defaultDropout) output-dropout=0.1 weight-drop=0.2, \(output.parameters) parameters")
        #expect(lines[3].hasPrefix("training:     adam lr=0.002 constant schedule, B=4 S=16, clip 5.0, seed 1"))
        #expect(lines.contains { $0.hasPrefix("vocabulary:   30 ids (<unk> + 29): ") })
        #expect(lines.contains { $0.hasPrefix("progress:     step 50, epoch 1, ") })
        #expect(lines.contains(Substring(String(format: "best val:     %.4f nats/grapheme", best))))
        #expect(lines.filter { $0.hasPrefix("              ") }.count == 3, "one history row per evaluation")
    }
}
