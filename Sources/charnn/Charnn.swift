import CharModelFile
import ArgumentParser
import CharModel
import CharTraining

@main
struct Charnn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "charnn",
        abstract: "Character-level LSTM language models: train, sample, predict.",
        version: versionReport,
        subcommands: [
            TrainCommand.self, SampleCommand.self, PredictCommand.self, KeyboardCommand.self, EvalCommand.self,
            InspectCommand.self, ExportCommand.self, ImportCommand.self, VocabCommand.self, BenchCommand.self,
            ServeCommand.self,
        ]
    )
}

extension Charnn {
    /// charnn's version, then the CPU features seen and the kernels in use.
    static var versionReport: String {
        let blas = (try? BLASBackend.current()).map(\.summary) ?? "no BLAS"
        return ModelFile.currentVersion + "\n" + blas + "; \(StepKernel.current.rawValue) step kernel"
    }
}
