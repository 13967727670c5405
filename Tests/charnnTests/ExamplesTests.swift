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

    @Test("the README shows each example as it is compiled", arguments: ["PredictExample", "SampleExample"])
    func readmeQuotesExample(name: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: root.appendingPathComponent("Examples/\(name)/main.swift"), encoding: .utf8)
        #expect(readme.contains("```swift\n" + source + "```\n"))
    }
}
