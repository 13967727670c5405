import CharInference
import CharTokenizer
import Foundation

/// `charnn eval --keyboard`: simulates typing a text file with word suggestions (see `KeyboardSimulation`).
struct KeyboardEvaluation {
    var model: ModelSource
    var profile: ProfileOption
    var textPath: String
    var slots: Int
    var perLine: Bool
    var json: Bool

    struct Output: Codable {
        var model: String
        var text: String
        var perLine: Bool
        var personalised: Bool
        var result: KeyboardSimulation
    }

    func run() throws {
        let loaded = try model.load(default: .keyboard)
        let session = try profile.open(for: loaded.model)
        let text = try CorpusReader().read(textPath).text
        let predictor = try Predictor(model: loaded.model, tokenizer: loaded.tokenizer, personalisation: session.personalisation)
        let result = try KeyboardSimulation.run(predictor: predictor, text: text, slots: slots, perLine: perLine)
        try session.save()
        if json {
            try printJSON(Output(model: loaded.url.path, text: textPath, perLine: perLine, personalised: session.personalisation != nil,
                                 result: result))
            return
        }
        print("model:        \(loaded.url.path)")
        print("text:         \(textPath)\(perLine ? " (\(result.phrases) phrases, one a line)" : "")")
        print("graphemes:    \(result.graphemes) (\(result.words) words)")
        print("keystrokes:   \(result.keystrokes) (\(result.typedGraphemes) typed, \(result.acceptedSuggestions) of \(result.slots) suggestions picked, entering \(result.insertedGraphemes) graphemes)")
        print(String(format: "savings:      %.2f%% of keystrokes", result.keystrokeSavings * 100))
        print(String(format: "top-1 / top-3 next-grapheme accuracy: %.2f%% / %.2f%%", result.top1Accuracy * 100, result.top3Accuracy * 100))
        print(String(format: "latency:      p50 %.0f us, p99 %.0f us per keystroke", result.latencyP50Microseconds, result.latencyP99Microseconds))
        if session.personalisation != nil {
            print(String(format: "personalised: %d steps; keystrokes with a step p50 %.0f us, p99 %.0f us",
                         result.personalisationSteps, result.personalisedKeystrokeP50Microseconds, result.personalisedKeystrokeP99Microseconds))
        }
    }
}
