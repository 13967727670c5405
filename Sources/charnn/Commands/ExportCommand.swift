import CharModelFile
import ArgumentParser
import CharTraining
import Foundation

/// `charnn export`: a checkpoint without the optimizer's moments and the carried state: a third of the size,
/// enough to sample, predict and evaluate, and what `Models/` ships.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a weights-only copy of a checkpoint, for sampling and shipping.",
        discussion: "The copy keeps the model tensors and every metadata entry; it can seed a new run with --init-from but not be resumed."
    )

    @Argument(help: "A checkpoint file or a run folder (its best checkpoint).") var model: String
    @Argument(help: "The file to write.") var output: String

    func run() throws {
        let source = try RunPointer.resolve(model)
        let checkpoint = try TrainingCheckpoint.read(from: source)
        let target = URL(fileURLWithPath: output)
        try checkpoint.weightsOnly.write(to: target)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: target.path)[.size] as? Int) ?? 0
        log("wrote \(target.path) (\(bytes) bytes, weights only) from \(source.path)")
    }
}
