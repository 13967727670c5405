import CharModel
import CharTokenizer
import Testing
@testable import CharInference

/// Keystroke counts worked out by hand on models whose next-grapheme distribution is fixed
/// (`PredictionFixtures.unigramPredictor`), so a completion's probability is the product of its graphemes'
/// probabilities times E, the probability of a grapheme that ends the word.
@Suite("Keyboard simulation")
struct KeyboardSimulationTests {
    /// The numbers `run` reports apart from the timings.
    struct Counts: Equatable {
        var graphemes, words, typed, accepted, skipped, keystrokes: Int
        var savings, top1, top3: Double

        init(graphemes: Int, words: Int, typed: Int, accepted: Int, skipped: Int, keystrokes: Int,
             savings: Double, top1: Double, top3: Double) {
            (self.graphemes, self.words, self.typed, self.accepted, self.skipped, self.keystrokes) =
                (graphemes, words, typed, accepted, skipped, keystrokes)
            (self.savings, self.top1, self.top3) = (savings, top1, top3)
        }

        init(_ result: KeyboardSimulation) {
            self.init(graphemes: result.graphemes, words: result.words, typed: result.typedGraphemes,
                      accepted: result.acceptedCompletions, skipped: result.skippedGraphemes, keystrokes: result.keystrokes,
                      savings: result.keystrokeSavings, top1: result.top1Accuracy, top3: result.top3Accuracy)
        }
    }

    /// p(a) = 0.5, p(b) = p(space) = 0.2, p(.) = p(line feed) = 0.05, so E = 0.3 and
    /// - next graphemes: a, b, space (b and space tie; the lower id comes first), so top-1 is "a" and top-3 is
    ///   everything but "." and the line feed;
    /// - next words (after a space, "." or a line feed, and at the start): a 0.15, aa 0.075, b 0.06 (then aaa 0.0375);
    /// - completions inside a word: "" 0.3, a 0.15, aa 0.075 (then b 0.06).
    /// A suggestion is taken only for the rest of a word of 2 graphemes or more, so only "aa" ever is: a word "aa",
    /// or the last two letters of a longer word ending in "aa".
    ///
    ///     aa     accepted at its start                      1 key for 2 graphemes
    ///     baa    b typed, then "aa" accepted                2 keys for 3
    ///     ab.    typed (ab is no suggestion, b alone is 1)  3 keys for 3
    ///     aab↵   typed (aab and ab are no suggestions)      4 keys for 4
    ///     aaa    a typed, then "aa" accepted                2 keys for 3
    ///     b      typed                                      1 key for 1
    ///     4 spaces typed                                    4 keys for 4
    ///
    /// 20 graphemes in 6 words: 14 typed, 3 accepted inserting 6, 17 keystrokes, savings (6 - 3) / 20; 10 of the
    /// graphemes are "a" (top-1) and all but "." and the line feed, 18, are among the top 3.
    @Test("only the rest of a word shown among the suggestions is accepted; the counts are worked out by hand")
    func handWorkedCounts() throws {
        let predictor = try PredictionFixtures.unigramPredictor(
            [("a", 0.5), ("b", 0.2), (" ", 0.2), (".", 0.05), ("\n", 0.05)])
        predictor.reset()
        #expect(predictor.nextGraphemes(k: 3).map(\.grapheme) == ["a", "b", " "])
        #expect(predictor.completions(k: 3).map(\.word) == ["a", "aa", "b"])
        predictor.append("b")
        #expect(predictor.completions(k: 3).map(\.suffix) == ["", "a", "aa"])
        let expected = Counts(graphemes: 20, words: 6, typed: 14, accepted: 3, skipped: 6, keystrokes: 17,
                              savings: 3.0 / 20, top1: 10.0 / 20, top3: 18.0 / 20)
        // The run starts from an empty text whatever the predictor held, so a second run counts the same.
        for _ in 0..<2 {
            let result = try KeyboardSimulation.run(predictor: predictor, text: "aa baa ab. aab\naaa b")
            #expect(Counts(result) == expected)
            #expect(result.latencyP50Microseconds > 0)
        }
    }

    /// p(a) = 0.8, p(space) = 0.15, p(line feed) = 0.05, so E = 0.2 and the next words are a 0.16, aa 0.128,
    /// aaa 0.1024 (then aaaa 0.08192); inside a word the completions are "" 0.2, a 0.16, aa 0.128.
    ///
    ///     aaa    accepted at its start                      1 key for 3 graphemes
    ///     aa     accepted at its start                      1 key for 2
    ///     aaaa   a, a typed (aaaa and aaa are no suggestions), then "aa" accepted   3 keys for 4
    ///     a      typed                                      1 key for 1
    ///     aa     accepted at its start, after a line feed   1 key for 2
    ///     3 spaces and the line feed typed                  4 keys for 4
    ///
    /// 16 graphemes in 5 words: 7 typed, 4 accepted inserting 9, 11 keystrokes, savings (9 - 4) / 16; 12 "a"s are
    /// top-1 and every grapheme is among the top 3.
    @Test("a word of three graphemes is accepted at its start, and after a line feed a new word starts")
    func longerSuggestions() throws {
        let predictor = try PredictionFixtures.unigramPredictor([("a", 0.8), (" ", 0.15), ("\n", 0.05)])
        let result = try KeyboardSimulation.run(predictor: predictor, text: "aaa aa aaaa a\naa")
        #expect(Counts(result) == Counts(graphemes: 16, words: 5, typed: 7, accepted: 4, skipped: 9, keystrokes: 11,
                                         savings: 5.0 / 16, top1: 12.0 / 16, top3: 1))
    }
}
