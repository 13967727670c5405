import CharModel
import CharTokenizer
import Testing
@testable import CharInference

@Suite("Word completions")
struct WordCompletionTests {
    /// Every completion of the word at the end of `context` up to `maxLength` graphemes with its probability,
    /// by the definition in `Predictor.completions`, asking ICU directly at every step; most likely first.
    static func enumerate(context: String, prefix: String, maxLength: Int, model: LanguageModel,
                          tokenizer: Tokenizer) throws -> [(word: String, probability: Double)] {
        let boundaries = try WordBoundaries()
        let graphemes = tokenizer.vocabulary.graphemes
        func ends(_ word: String, _ next: String) -> Bool {
            if word.isEmpty { return !(boundaries.segments(in: next).first?.isWord ?? false) }
            return boundaries.segments(in: word + next).contains { $0.utf8Range.upperBound == word.utf8.count }
        }
        var results: [(String, Double)] = []
        func visit(_ state: InferenceState, word: String, probability: Double, length: Int) throws {
            let p = PredictionFixtures.softmax(state.logits)
            if !word.isEmpty && !(prefix.isEmpty && length == 0) {
                let end = graphemes.indices.filter { ends(word, graphemes[$0]) }.reduce(0.0) { $0 + p[$1 + 1] }
                results.append((word, probability * end))
            }
            guard length < maxLength else { return }
            for (index, grapheme) in graphemes.enumerated() where !ends(word, grapheme) {
                let child = model.makeInferenceState()
                child.copy(from: state)
                try model.step(token: Int32(index + 1), state: child)
                try visit(child, word: word + grapheme, probability: probability * p[index + 1], length: length + 1)
            }
        }
        try visit(PredictionFixtures.state(after: context, model: model, tokenizer: tokenizer), word: prefix, probability: 1, length: 0)
        return results.sorted { $0.1 > $1.1 }
    }

    @Test("completions are the k most likely by exhaustive enumeration", arguments: [
        (["a", "n", "t", " ", ".", "'"], "an", "an", 1 as UInt64),
        (["a", "n", "t", " ", ".", "'"], "at an", "an", 2),
        (["a", "n", "t", " ", ".", "'"], "tan ", "", 3),
        (["a", "n", "t", " ", ".", "'"], "ant.", "", 4),
        (["é", "t", "e", " ", ",", "l"], "l'été", "l'été", 5),
        (["é", "t", "e", " ", ",", "l"], "été ", "", 6),
        (["日", "本", "語", "は", "。", "を"], "日本", "日本", 7),
        (["日", "本", "語", "は", "。", "を"], "日本語。", "", 8),
        (["日", "本", "語", "は", "。", "を"], "日本語を", "を", 10),
        (["ก", "า", "ร", "น", " ", "ม"], "การ", "การ", 9),
    ])
    func matchesEnumeration(graphemes: [String], context: String, prefix: String, seed: UInt64) throws {
        let tokenizer = try PredictionFixtures.tokenizer(graphemes)
        // A hidden size of 4 keeps the distributions flat, so long completions compete.
        let model = try PredictionFixtures.model(for: tokenizer, seed: seed, hidden: 4)
        let predictor = try Predictor(model: model, tokenizer: tokenizer,
                                      configuration: .init(searchBudget: 2000, exactBoundaryThreshold: 0))
        predictor.append(context)
        #expect(predictor.currentWord == prefix)
        let maxLength = 4
        let expected = try Self.enumerate(context: context, prefix: prefix, maxLength: maxLength, model: model, tokenizer: tokenizer)
        let k = 8
        let found = predictor.completions(k: k, maxLength: maxLength)
        #expect(predictor.lastSearchWasExact)
        #expect(found.count == min(k, expected.count))
        #expect(found.map(\.word) == expected.prefix(k).map(\.word))
        for (completion, reference) in zip(found, expected) {
            #expect(abs(completion.probability - reference.probability) <= 1e-6 * reference.probability)
            #expect(completion.word == prefix + completion.suffix)
            #expect(completion.suffixLength == tokenizer.units(of: completion.suffix).count)
        }
        // The search expands only what can still enter the top k: far fewer steps than the tree has nodes.
        #expect(predictor.lastSearchSteps < 5 + 25 + 125 + 625)
    }

    @Test("a search cut by its budget says so and still returns valid completions in order")
    func budget() throws {
        let predictor = try PredictionFixtures.predictor(["a", "b", " "], seed: 2, configuration: .init(searchBudget: 3))
        predictor.append("ab")
        let found = predictor.completions(k: 5, maxLength: 10)
        #expect(!predictor.lastSearchWasExact)
        #expect(predictor.lastSearchSteps == 3)
        #expect(!found.isEmpty)
        #expect(found.map(\.probability) == found.map(\.probability).sorted(by: >))
        #expect(found.allSatisfy { $0.word.hasPrefix("ab") && !$0.word.contains(" ") })
    }

    @Test("word ends follow ICU in English, French, Japanese and Thai", arguments: [
        ("hell", "o", false), ("hello", " ", true), ("hello", ",", true), ("don", "'", true), ("hello", "\n", true),
        ("B2", "B", false), ("hello", "\u{65E5}", true),
        ("caf", "é", false), ("café", " ", true), ("cafe", "\u{301}", false), ("l", "'", true), ("été", ",", true),
        ("日本", "語", false), ("日本語", "は", true),
        ("สวัส", "ดี", false),
    ])
    func wordEnds(word: String, next: String, ends: Bool) throws {
        let graphemes = Array(Set(word.map(String.init) + [next]))
        let rules = try WordEndRules(vocabulary: Vocabulary(settings: TokenizerSettings(normalize: false), graphemes: graphemes))
        let id = graphemes.firstIndex(of: next)! + 1
        let last = graphemes.firstIndex(of: String(word.last!))! + 1
        #expect(rules.ends(word: { word }, lastIsSimple: rules.isSimple[last], next: id) == ends)
        // The table's shortcut and ICU itself agree.
        #expect(rules.ends(word: { word }, lastIsSimple: false, next: id) == ends)
    }

    @Test("the word at the cursor is ICU's last word, empty after a space or punctuation")
    func currentWord() throws {
        let predictor = try PredictionFixtures.predictor(["a", " "])
        for (text, word) in [("hello wor", "wor"), ("hello ", ""), ("l'été", "l'été"), ("«été", "été"), ("ok.", ""), ("", ""), ("日本語は", "は"), ("日本語。", "")] {
            predictor.reset(context: text)
            #expect(predictor.currentWord == word, "\(text)")
        }
    }
}
