import CharInference
import CharTokenizer
import Foundation

/// `charnn eval --keyboard`: simulates typing a text file with 3 completion suggestions (see `KeyboardSimulation`).
struct KeyboardEvaluation {
    var model: ModelSource
    var textPath: String
    var json: Bool

    struct Output: Codable {
        var model: String
        var text: String
        var suggestions: Int
        var result: KeyboardSimulation
    }

    func run() throws {
        let loaded = try model.load()
        let text = try CorpusReader().read(textPath).text
        let predictor = try Predictor(model: loaded.model, tokenizer: loaded.tokenizer)
        let result = try KeyboardSimulation.run(predictor: predictor, text: text, suggestions: 3)
        if json {
            try printJSON(Output(model: loaded.url.path, text: textPath, suggestions: 3, result: result))
            return
        }
        print("model:        \(loaded.url.path)")
        print("text:         \(textPath)")
        print("graphemes:    \(result.graphemes) (\(result.words) words)")
        print("keystrokes:   \(result.keystrokes) (\(result.typedGraphemes) typed, \(result.acceptedCompletions) suggestions accepted inserting \(result.skippedGraphemes) graphemes)")
        print(String(format: "savings:      %.2f%% of keystrokes", result.keystrokeSavings * 100))
        print(String(format: "top-1 / top-3 next-grapheme accuracy: %.2f%% / %.2f%%", result.top1Accuracy * 100, result.top3Accuracy * 100))
        print(String(format: "latency:      p50 %.0f us, p99 %.0f us per keystroke", result.latencyP50Microseconds, result.latencyP99Microseconds))
    }
}
