import CharModel
import CharTokenizer
import Testing
@testable import CharInference

@Suite("Keyboard simulation")
struct KeyboardSimulationTests {
    @Test("counts add up, rates are in range, and a second run gives the same counts")
    func consistent() throws {
        let predictor = try PredictionFixtures.predictor(["a", "b", " ", "."], seed: 11)
        let text = "ab ba aab. ba ab a"
        let result = try KeyboardSimulation.run(predictor: predictor, text: text)
        #expect(result.graphemes == 18)
        #expect(result.words == 6)
        #expect(result.typedGraphemes + result.skippedGraphemes == result.graphemes)
        #expect(result.keystrokes == result.typedGraphemes + result.acceptedCompletions)
        #expect(result.skippedGraphemes >= 2 * result.acceptedCompletions)
        #expect(result.keystrokeSavings == Double(result.skippedGraphemes - result.acceptedCompletions) / 18)
        #expect(result.keystrokeSavings >= 0 && result.keystrokeSavings <= 1)
        #expect(result.top1Accuracy <= result.top3Accuracy && result.top3Accuracy <= 1)
        #expect(result.latencyP50Microseconds > 0 && result.latencyP50Microseconds <= result.latencyP99Microseconds)
        let again = try KeyboardSimulation.run(predictor: predictor, text: text)
        #expect([again.typedGraphemes, again.acceptedCompletions, again.skippedGraphemes]
            == [result.typedGraphemes, result.acceptedCompletions, result.skippedGraphemes])
        #expect(again.top1Accuracy == result.top1Accuracy && again.top3Accuracy == result.top3Accuracy)
    }

    @Test("a word shown among the suggestions is accepted with one key")
    func accepts() throws {
        // With one letter, words are runs of "a": the three shortest are the likeliest suggestions after a space.
        let predictor = try PredictionFixtures.predictor(["a", " "], seed: 5)
        predictor.reset(context: "aa ")
        let shown = predictor.completions(k: 3).map(\.word)
        let result = try KeyboardSimulation.run(predictor: predictor, text: "aa aa aa")
        #expect(shown.contains("aa"))
        #expect(result.acceptedCompletions >= 2)
        #expect(result.keystrokeSavings > 0)
        #expect(result.keystrokeSavings == Double(result.skippedGraphemes - result.acceptedCompletions) / 8)
    }
}
