import CharModel
import CharTokenizer
import Testing
@testable import CharInference

/// Keystroke counts worked out by hand on a model whose next-grapheme distribution is fixed
/// (`PredictionFixtures.unigramPredictor`):
///
///     p(a) = 0.5, p(b) = p(space) = 0.2, p(.) = p(line feed) = 0.05
///
/// so a word ends with probability E = 0.3 and
/// - the next words (at the start, after a space, "." or a line feed) rank a 0.15, aa 0.075, b 0.06, aaa 0.0375;
/// - inside a word the completions' suffixes rank "" 0.3, a 0.15, aa 0.075, b 0.06;
/// - the next graphemes rank a, b, space (b and space tie; the lower id comes first).
@Suite("Keyboard simulation")
struct KeyboardSimulationTests {
    /// The numbers `run` reports apart from the timings.
    struct Counts: Equatable, CustomStringConvertible {
        var graphemes, keystrokes, typed, accepted, inserted: Int

        init(graphemes: Int, keystrokes: Int, typed: Int, accepted: Int, inserted: Int) {
            (self.graphemes, self.keystrokes, self.typed, self.accepted, self.inserted) = (graphemes, keystrokes, typed, accepted, inserted)
        }

        init(_ result: KeyboardSimulation) {
            self.init(graphemes: result.graphemes, keystrokes: result.keystrokes, typed: result.typedGraphemes,
                      accepted: result.acceptedSuggestions, inserted: result.insertedGraphemes)
        }

        var description: String { "\(graphemes) graphemes, \(keystrokes) keys (\(typed) typed, \(accepted) picked entering \(inserted))" }
    }

    static func simulate(_ text: String, slots: Int, perLine: Bool = false) throws -> KeyboardSimulation {
        let predictor = try PredictionFixtures.unigramPredictor([("a", 0.5), ("b", 0.2), (" ", 0.2), (".", 0.05), ("\n", 0.05)])
        return try KeyboardSimulation.run(predictor: predictor, text: text, slots: slots, perLine: perLine)
    }

    @Test("the fixture suggests what the worked examples assume")
    func fixture() throws {
        let predictor = try PredictionFixtures.unigramPredictor([("a", 0.5), ("b", 0.2), (" ", 0.2), (".", 0.05), ("\n", 0.05)])
        #expect(predictor.nextGraphemes(k: 3).map(\.grapheme) == ["a", "b", " "])
        #expect(predictor.completions(k: 4).map(\.word) == ["a", "aa", "b", "aaa"])
        predictor.append("b")
        #expect(predictor.completions(k: 4).map(\.suffix) == ["", "a", "aa", "b"])
    }

    /// "a a" with one slot: "a" is the first suggestion at the first letter and enters "a " (1 key for 2 graphemes);
    /// the last "a" ends the text, so it enters "a" alone (1 key for 1).
    @Test("the first suggestion is right at the first letter; a word that ends the text enters no space")
    func firstSuggestionAtTheFirstLetter() throws {
        let result = try Self.simulate("a a", slots: 1)
        #expect(Counts(result) == Counts(graphemes: 3, keystrokes: 2, typed: 0, accepted: 2, inserted: 3))
        #expect(result.keystrokeSavings == 1.0 / 3)
        // a is the first choice before each "a", the space only the third.
        #expect(result.top1Accuracy == 2.0 / 3)
        #expect(result.top3Accuracy == 1)
    }

    /// "bb bb": "bb" is never among the next words (a, aa, b) nor, after "b", among the completions ("", a, aa), so
    /// all 5 graphemes are typed.
    @Test("no suggestion is ever right: every grapheme is typed and nothing is saved")
    func noSuggestionIsRight() throws {
        let result = try Self.simulate("bb bb", slots: 3)
        #expect(Counts(result) == Counts(graphemes: 5, keystrokes: 5, typed: 5, accepted: 0, inserted: 0))
        #expect(result.keystrokeSavings == 0)
    }

    /// "b a": "b" is the third next word. With 3 slots it is picked (1 key for "b "), then "a" (1 key): 2 keys for
    /// 3 graphemes. With 2 slots "b" and the space are typed and "a" picked: 3 keys.
    @Test("the right word only in the last slot counts with that many slots and not with fewer")
    func rightWordOnlyInTheLastSlot() throws {
        #expect(Counts(try Self.simulate("b a", slots: 3)) == Counts(graphemes: 3, keystrokes: 2, typed: 0, accepted: 2, inserted: 3))
        #expect(Counts(try Self.simulate("b a", slots: 2)) == Counts(graphemes: 3, keystrokes: 3, typed: 2, accepted: 1, inserted: 1))
    }

    /// "aa. aa": "aa" is picked at its start, but a full stop follows it, so only "aa" is entered (1 key for 2);
    /// "." and the space are typed; the last "aa" is picked (1 key for 2): 4 keys for 6 graphemes. Without the full
    /// stop, "aa aa" takes 2 keys for 5: the first pick enters the space too.
    @Test("punctuation after a word is typed, and the pick enters no space before it")
    func punctuation() throws {
        #expect(Counts(try Self.simulate("aa. aa", slots: 2)) == Counts(graphemes: 6, keystrokes: 4, typed: 2, accepted: 2, inserted: 4))
        #expect(Counts(try Self.simulate("aa aa", slots: 2)) == Counts(graphemes: 5, keystrokes: 2, typed: 0, accepted: 2, inserted: 5))
    }

    /// Inside a word: "ba" has "b" typed (ba is no next word), then "a" picked as the rest (1 key for 1, and the
    /// space after it): "ba b" takes b, pick "a ", then "b" picked as the third next word: 3 keys for 4.
    @Test("a suggestion picked inside a word enters its rest and the space after it")
    func pickInsideAWord() throws {
        #expect(Counts(try Self.simulate("ba b", slots: 3)) == Counts(graphemes: 4, keystrokes: 3, typed: 1, accepted: 2, inserted: 3))
    }

    /// With --per-line each line is a phrase: "aa" (1 key) and "b" (1 key, the third next word at a phrase's start),
    /// and the line feed is not typed: 2 keys for 3 graphemes. As one text, the line feed is typed and "aa" enters
    /// no space before it: 3 keys for 4.
    @Test("per line, each line is typed from a fresh context and line feeds are not counted")
    func perLine() throws {
        let lines = try Self.simulate("aa\nb\n\n", slots: 3, perLine: true)
        #expect(Counts(lines) == Counts(graphemes: 3, keystrokes: 2, typed: 0, accepted: 2, inserted: 3))
        #expect(lines.phrases == 2)
        let whole = try Self.simulate("aa\nb", slots: 3)
        #expect(Counts(whole) == Counts(graphemes: 4, keystrokes: 3, typed: 1, accepted: 2, inserted: 3))
        #expect(whole.phrases == 1)
    }

    @Test("a predictor without personalisation reports no personalisation steps")
    func noPersonalisation() throws {
        let result = try Self.simulate("aa b", slots: 3)
        #expect(result.personalisationSteps == 0)
        #expect(result.personalisedKeystrokeP50Microseconds == 0)
        #expect(result.latencyP50Microseconds > 0 && result.latencyP50Microseconds <= result.latencyP99Microseconds)
    }
}
