// Training from code: a corpus, a model and a run folder; the run writes its checkpoints as `charnn train` does.
import CharTraining
import Foundation

struct PrintEvaluations: TrainingMonitor {
    func report(_ progress: TrainingProgress) {
        if progress.evaluated { print("step \(progress.step): validation loss \(progress.lastValidationLoss ?? .nan)") }
    }
    var stopRequested: Bool { false }
}

let arguments = Array(CommandLine.arguments.dropFirst())
let corpus = try TrainingCorpus(path: arguments.first ?? "mytext.txt")
let model = try LanguageModel(config: ModelConfig(vocabularySize: corpus.vocabulary.count, embeddingSize: 32, hiddenSize: 32,
                                                  layers: 2, dropout: 0.1), seed: 1)
var config = TrainingConfig()
config.maxIterations = 60
config.evaluateEvery = 30
let folder = URL(fileURLWithPath: arguments.count > 1 ? arguments[1] : "runs/mine")
let run = try TrainingRun.start(corpus: corpus, model: model, config: config, folder: folder, threads: 2)
try run.run(monitor: PrintEvaluations())
