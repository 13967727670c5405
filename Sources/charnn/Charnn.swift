import ArgumentParser

@main
struct Charnn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "charnn",
        abstract: "Character-level LSTM language models: train, sample, predict.",
        version: "0.1.0",
        subcommands: [VocabCommand.self, TrainCommand.self, BenchCommand.self]
    )
}
