import Foundation
import Testing

/// The README's library examples (`Examples/`), built as executables beside `charnn` and run on the shipped model.
@Suite("Examples")
struct ExamplesTests {
    private static let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Models/default.safetensors").path

    /// Runs the example executable `name` with `arguments` and returns its standard output; it must exit 0.
    private static func run(_ name: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = try CharnnProcess.executable().deletingLastPathComponent().appendingPathComponent(name)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self)
    }

    @Test("the prediction example suggests the next graphemes and words, and undoes one grapheme")
    func predict() throws {
        #expect(try Self.run("PredictExample", [Self.model]) == """
            next "e" 86%
            next "r" 5%
            next "a" 2%
            word "be" 68%
            word "bear" 4%
            word "bring" 2%
            now at "To be, or not to "

            """)
    }

    @Test("the sampling example continues its prime and evaluates a line")
    func sample() throws {
        #expect(try Self.run("SampleExample", [Self.model]) == """
            ROMEO:
            At no remedy supposed for a suit?

            ROMEO:
            O those that he h
            loss 1.498 nats/grapheme

            """)
    }

    @Test("the streaming example draws three samples at once from one model, predicts beside them, and cancels a stream")
    func stream() throws {
        #expect(try Self.run("StreamExample", [Self.model]) == """
            seed 1: What he camest were a foot upon the sun,
            seed 2: And yet what I'll not show the night and dead.
            seed 3: Where shall I weor in ones for my proper and his gentleman.
            completions ["be", "bear"]
            cancelled after fewer than 100000 graphemes

            """)
    }

    @Test("the training example trains into a run folder and reports each evaluation")
    func train() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("charnn-train-example-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = try Self.run("TrainExample", [root.appendingPathComponent("../shared/corpora/tinyshakespeare.txt").path, folder.path])
        let lines = output.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("step 30: validation loss ") == true)
        #expect(lines.last?.hasPrefix("step 60: validation loss ") == true)
        let losses = lines.compactMap { Double($0.split(separator: " ").last ?? "") }
        // ln 66 = 4.19 for a uniform guess over tiny-shakespeare's graphemes; 60 iterations already learn letter frequencies.
        #expect(losses.count == 2 && losses[1] < losses[0] && losses[1] < 3.6, "\(losses)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files.filter { !$0.hasSuffix(".safetensors") } == ["best", "latest", "loss.svg", "metrics.csv"])
        #expect(files.contains { $0.hasPrefix("step-00000060-") } && files.contains { $0.hasPrefix("best-step-00000060-") })
    }

    @Test("the README shows each example as it is compiled", arguments: ["PredictExample", "SampleExample", "TrainExample", "StreamExample"])
    func readmeQuotesExample(name: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: root.appendingPathComponent("Examples/\(name)/main.swift"), encoding: .utf8)
        #expect(readme.contains("```swift\n" + source + "```\n"))
    }
}
