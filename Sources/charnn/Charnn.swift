import ArgumentParser
import CharTraining

@main
struct Charnn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "charnn",
        abstract: "Character-level LSTM language models: train, sample, predict.",
        version: TrainingCheckpoint.currentVersion,
        subcommands: [
            TrainCommand.self, SampleCommand.self, PredictCommand.self, KeyboardCommand.self, EvalCommand.self,
            InspectCommand.self, ExportCommand.self, VocabCommand.self, BenchCommand.self,
        ]
    )
}
