import Foundation
import Testing

/// The shipped models are what `charnn` uses without `--model`: `Models/default.safetensors`, a trained Shakespeare
/// model, for sampling, and `Models/keyboard.safetensors`, a trained English model, for prediction; not placeholders.
@Suite struct DefaultModelTests {
    /// The repository's root, from this file's place in it.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func sampleAndPredictUseTheShippedModel() throws {
        let sample = try CharnnProcess.run(["sample", "--length", "300", "--seed", "1"])
        #expect(sample.status == 0, "\(sample.stderr)")
        #expect(sample.stdout.count == 301, "300 graphemes and a final line feed")
        let json = try CharnnProcess.run(["sample", "--length", "10", "--seed", "1", "--json"])
        let model = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])["model"] as? String
        #expect(URL(fileURLWithPath: model ?? "").standardizedFileURL == Self.root.appendingPathComponent("Models/default.safetensors").standardizedFileURL)
        let predict = try CharnnProcess.run(["predict", "--k", "3", "See you tomor"])
        #expect(predict.status == 0, "\(predict.stderr)")
        // The keyboard model's own figures: "tomor" is finished as "tomorrow", far ahead of the rest.
        #expect(predict.stdout == """
            next graphemes:
              "r"       99.33%
              "o"        0.13%
              "d"        0.11%
            completions of "tomor":
              "tomorrow"            98.35%
              "tomorrough"           0.12%
              "tomorrows"            0.12%

            """)
        let shakespeare = try CharnnProcess.run(["predict", "--k", "3", "--model", Self.root.appendingPathComponent("Models/default.safetensors").path,
                                                 "To be, or not to b"])
        // The Shakespeare model's: the text's "b" is completed as "be" first, far ahead of the rest.
        #expect(shakespeare.stdout == """
            next graphemes:
              "e"       85.98%
              "r"        5.28%
              "a"        1.85%
            completions of "b":
              "be"                  67.53%
              "bear"                 3.54%
              "bring"                1.72%

            """)
    }

    /// The shipped keyboard model is the int8 export of `Models/keyboard-fp32.safetensors`, the file to fine-tune from.
    @Test func theKeyboardModelIsSmallAndCapped() throws {
        for (name, weights, limit) in [("keyboard", "int8", 1_400_000), ("keyboard-fp32", "fp32", 4_000_000)] {
            let path = Self.root.appendingPathComponent("Models/\(name).safetensors").path
            let inspect = try CharnnProcess.run(["inspect", "--json", path])
            #expect(inspect.status == 0, "\(inspect.stderr)")
            let output = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
            #expect(output["vocabularySize"] as? Int == 100)
            #expect(output["parameters"] as? Int == 888_164)
            #expect(output["weights"] as? String == weights, "\(name)")
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
            #expect((size ?? .max) <= limit, "\(name): at most \(limit) bytes on disk")
        }
    }

    @Test func itPredictsShakespeareWell() throws {
        // The last 4,000 characters of tiny-shakespeare: the test split the model never trained on.
        let corpus = Self.root.deletingLastPathComponent().appendingPathComponent("shared/corpora/tinyshakespeare.txt")
        let text = try Data(contentsOf: corpus).suffix(4000)
        let excerpt = FileManager.default.temporaryDirectory.appendingPathComponent("charnn-default-\(UUID().uuidString).txt")
        try text.write(to: excerpt)
        defer { try? FileManager.default.removeItem(at: excerpt) }
        let result = try CharnnProcess.run(["eval", "--json", excerpt.path])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let loss = try #require((output?["result"] as? [String: Any])?["loss"] as? Double)
        // ln 65 = 4.17 for a uniform guess; the shipped model scores 1.506 on the whole test split.
        #expect(loss < 1.7, "loss \(loss)")
    }
}
