import CharModelFile
import ArgumentParser
import CharInference
import CharModel
import CharTraining
import Foundation

/// `charnn export`: a checkpoint without the optimizer's moments and the carried state: a third of the size,
/// enough to sample, predict and evaluate, and what `Models/` ships. With `--weights bf16` or `int8`, the weight
/// matrices are stored reduced (`ReducedTensors`): a half or a quarter of the size again, and faster steps. The
/// loss that costs is measured on the test split of the run's corpus, both models computed in fp32 (the reduced one
/// from its reduced weights, the function its kernels compute), and kept in the file for `charnn inspect`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a weights-only copy of a checkpoint, for sampling and shipping.",
        discussion: """
        The copy keeps the model tensors and every metadata entry; it can seed a new run with --init-from but not be \
        resumed. With --weights bf16 or int8 it is for inference only, and records its loss on the test split of the \
        run's corpus against the fp32 model's, which charnn inspect shows.
        """
    )

    @Argument(help: "A checkpoint file or a run folder (its best checkpoint).") var model: String
    @Argument(help: "The file to write.") var output: String
    @Option(help: "How to store the weight matrices: fp32, bf16, or int8 with a scale per row.") var weights = WeightPrecision.fp32
    @Option(help: ArgumentHelp("With --weights bf16 or int8: the corpus whose test split measures the loss (default: the run's).", valueName: "path"))
    var corpus: String?

    func validate() throws {
        if weights == .fp32 && corpus != nil { throw CLIError.failed("--corpus measures a reduced model's loss; add --weights bf16 or --weights int8") }
    }

    func run() throws {
        let source = try RunPointer.resolve(model)
        var checkpoint = try TrainingCheckpoint.read(from: source).weightsOnly
        guard checkpoint.model.precision == .fp32 else {
            throw CLIError.failed("\(source.path) already holds \(checkpoint.model.precision.rawValue) weights; export from the fp32 checkpoint")
        }
        if weights != .fp32 {
            let reduced = try checkpoint.model.reduced(to: weights)
            checkpoint.model = try measured(reduced, against: checkpoint)
        }
        let target = URL(fileURLWithPath: output)
        try checkpoint.write(to: target)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: target.path)[.size] as? Int) ?? 0
        log("wrote \(target.path) (\(bytes) bytes, weights only\(weights == .fp32 ? "" : ", \(weights.rawValue)")) from \(source.path)")
    }

    /// `reduced` with its loss on the test split against `fp32`'s model, or as it is (with a warning) when the
    /// corpus cannot be read.
    private func measured(_ reduced: ModelFile, against fp32: TrainingCheckpoint) throws -> ModelFile {
        let path = corpus ?? fp32.corpus.path
        let text: String
        do {
            text = try CorpusReader().read(path).text
        } catch {
            guard corpus == nil else { throw error }
            log("warning: the loss increase is not measured: cannot read the run's corpus \(path); give it with --corpus")
            return reduced
        }
        let tokenizer = try Tokenizer(vocabulary: fp32.model.vocabulary)
        let ids = tokenizer.encode(text)
        let config = fp32.trainingConfig
        let test = CorpusSplits(count: ids.count, trainFraction: config.trainFraction, validationFraction: config.validationFraction).test
        let split = Array(ids[test])
        log("export: measuring the loss of fp32 and \(weights.rawValue) weights on \(split.count) graphemes of \(path) (test split)...")
        let before = try evaluate(model: try fp32.model.makeInferenceModel(), ids: split)
        let after = try evaluate(model: try reduced.makeInferenceModel(), ids: split)
        var result = reduced
        result.precisionLoss = PrecisionLoss(corpus: path, split: "test", graphemes: split.count, fp32Loss: before.loss, loss: after.loss)
        log(String(format: "export: test loss %.4f with %@ weights against %.4f with fp32 (%+.2f%%)", after.loss, weights.rawValue,
                   before.loss, 100 * (after.loss - before.loss) / before.loss))
        return result
    }
}

/// `--weights fp32|bf16|int8`.
extension WeightPrecision: ExpressibleByArgument {}
