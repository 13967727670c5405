import CharModelFile
import ArgumentParser
import CharModel
import CharTokenizer
import CharTraining
import Foundation

/// `charnn inspect`: what a checkpoint holds, without loading it into a model; for a bf16 or int8 model file, also
/// its precision and the loss increase `charnn export --weights` measured.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a checkpoint holds: hyperparameters, vocabulary, progress and loss history."
    )

    @Argument(help: "A checkpoint file or a run folder (its latest checkpoint).") var checkpoint: String
    @Option(help: ArgumentHelp("How many vocabulary entries to list.", valueName: "n")) var vocabularySample = 20
    @Flag(help: "Print everything as JSON.") var json = false

    struct Output: Codable {
        var file: String
        var formatVersion: String
        var charnnVersion: String
        var resumable: Bool
        var model: ModelConfig
        var parameters: Int
        /// How the weight matrices are stored: fp32, bf16 or int8.
        var weights: WeightPrecision
        /// For bf16 and int8: the loss against the fp32 model's, as export measured it.
        var weightsLoss: PrecisionLoss?
        var training: TrainingConfig
        var corpus: CorpusRecord
        var tokenizer: TokenizerSettings
        var segmentedWith: UnicodeVersionInfo
        var vocabularySize: Int
        var vocabularySample: [String]
        var step: Int
        var epoch: Int
        var bestValidationLoss: Float?
        var history: [MetricsRecord]
    }

    func run() throws {
        let url = try RunPointer.resolve(checkpoint, pointers: [.latest])
        let c = try TrainingCheckpoint.read(from: url)
        let output = Output(
            file: url.path, formatVersion: CheckpointFile.formatVersion, charnnVersion: c.model.charnnVersion,
            resumable: c.isResumable, model: c.model.config, parameters: ParameterLayout(config: c.model.config).count,
            weights: c.model.precision, weightsLoss: c.model.precisionLoss,
            training: c.trainingConfig, corpus: c.corpus, tokenizer: c.model.vocabulary.settings, segmentedWith: c.model.vocabulary.versions,
            vocabularySize: c.model.vocabulary.count, vocabularySample: Array(c.model.vocabulary.graphemes.prefix(max(0, vocabularySample))),
            step: c.trainerState.step, epoch: c.trainerState.epoch, bestValidationLoss: c.trainerState.bestValidationLoss,
            history: c.trainerState.history)
        if json {
            try printJSON(output)
            return
        }
        let m = c.model.config, t = c.trainingConfig
        print("checkpoint:   \(url.path)")
        print("format:       version \(CheckpointFile.formatVersion), written by charnn \(c.model.charnnVersion)\(c.isResumable ? "" : ", weights only")")
        print("model:        L=\(m.layers) H=\(m.hiddenSize) E=\(m.embeddingSize) V=\(m.vocabularySize) dropout=\(m.dropout)\(m.outputDropout > 0 ? " output-dropout=\(m.outputDropout)" : "")\(m.weightDrop > 0 ? " weight-drop=\(m.weightDrop)" : ""), \(output.parameters) parameters")
        if c.model.precision != .fp32 { print("weights:      \(weightsSummary(c.model))") }
        print("training:     \(t.optimizer.rawValue) lr=\(t.learningRate) \(t.schedule.rawValue) schedule, B=\(t.batchSize) S=\(t.sequenceLength), clip \(t.gradientClip), seed \(t.seed)\(t.productPrecision == .fp32 ? "" : ", \(t.productPrecision.rawValue) products")")
        print("corpus:       \(c.corpus.path) (\(c.corpus.byteCount) bytes, \(c.corpus.tokenCount) graphemes)")
        print("tokenizer:    \(c.model.vocabulary.settings.unit.rawValue)s, NFC \(c.model.vocabulary.settings.normalize ? "on" : "off"), \(c.model.vocabulary.versions)")
        let sample = output.vocabularySample.map(GraphemeDisplay.escaped).joined(separator: " ")
        print("vocabulary:   \(c.model.vocabulary.count) ids (<unk> + \(c.model.vocabulary.graphemes.count)): \(sample)\(c.model.vocabulary.graphemes.count > output.vocabularySample.count ? " ..." : "")")
        print("progress:     step \(c.trainerState.step), epoch \(c.trainerState.epoch), \(String(format: "%.0f", c.trainerState.elapsedSeconds)) s of training")
        print("best val:     \(c.trainerState.bestValidationLoss.map { String(format: "%.4f nats/grapheme", $0) } ?? "none yet")")
        if !c.trainerState.history.isEmpty {
            print("history:      step  epoch  train    validation")
            for r in c.trainerState.history {
                print(String(format: "              %5d  %5d  %.4f   %@", r.step, r.epoch, r.trainLoss, r.validationLoss.map { String(format: "%.4f", $0) } ?? "-"))
            }
        }
    }

    /// A reduced model's precision and what it costs: "int8 (a scale per row), test loss 1.2345 against 1.2300 in
    /// fp32 (+0.37%) on 12345 graphemes of PATH".
    private func weightsSummary(_ model: ModelFile) -> String {
        let storage = model.precision == .int8 ? "int8 (a scale per row)" : model.precision.rawValue
        guard let measured = model.precisionLoss else {
            return storage + ", for inference only; loss increase not measured (export it again with --corpus)"
        }
        return storage + String(format: ", for inference only; %@ loss %.4f against %.4f in fp32 (%+.2f%%) on %d graphemes of %@",
                                measured.split, measured.loss, measured.fp32Loss, 100 * measured.increase, measured.graphemes, measured.corpus)
    }
}
