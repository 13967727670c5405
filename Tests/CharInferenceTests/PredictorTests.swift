import CharModel
import CharTokenizer
import Testing
@testable import CharInference

@Suite("Predictor")
struct PredictorTests {
    /// Expects `predictor`'s next-grapheme distribution to equal that of a fresh predictor fed its text at once.
    func expectMatchesFresh(_ predictor: Predictor, _ comment: Comment? = nil) throws {
        let fresh = try Predictor(model: predictor.model, tokenizer: predictor.tokenizer)
        fresh.append(predictor.text)
        #expect(fresh.text == predictor.text)
        #expect(fresh.graphemeCount == predictor.graphemeCount)
        let mine = PredictionFixtures.softmax(predictor.logits), theirs = PredictionFixtures.softmax(fresh.logits)
        let worst = zip(mine, theirs).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-5, "\(comment?.description ?? "") text \(predictor.text.debugDescription): differs by \(worst)")
    }

    @Test("typing one grapheme at a time, deleting and retyping gives the distribution of the final text fed at once")
    func incrementalEqualsBatch() throws {
        // An undo stack of 3 states: deleting 5 graphemes runs past it and re-reads the context.
        let predictor = try PredictionFixtures.predictor(["t", "h", "e", " ", "c", "a", "s", "\n", "é"],
                                                         configuration: .init(contextLimit: 64, undoDepth: 3))
        let script: [(String, Int)] = [("the cat", 2), ("a sat", 5), ("xs the", 1), ("he", 4), ("", 3), ("cafe\u{301} ", 0)]
        for (typed, deletions) in script {
            for character in typed {
                predictor.append(String(character))
                try expectMatchesFresh(predictor, "after typing")
            }
            for _ in 0..<deletions {
                #expect(predictor.deleteBackward())
                try expectMatchesFresh(predictor, "after deleting")
            }
        }
        #expect(predictor.text == "the ccafé ")
    }

    @Test("deleting everything, past the undo stack, returns to the start; one more delete does nothing")
    func deleteToStart() throws {
        let predictor = try PredictionFixtures.predictor(["a", "b", " "], configuration: .init(contextLimit: 16, undoDepth: 2))
        let start = Array(predictor.logits)
        predictor.append("ab ba")
        for _ in 0..<5 { #expect(predictor.deleteBackward()) }
        #expect(!predictor.deleteBackward())
        #expect(predictor.text == "")
        #expect(Array(predictor.logits) == start)
    }

    @Test("a combining accent typed after its letter replaces the letter's step by the composed grapheme's")
    func combiningMarkMerges() throws {
        let predictor = try PredictionFixtures.predictor(["c", "a", "f", "e", "é", " "], configuration: .init(undoDepth: 1))
        predictor.append("caf")
        predictor.append("e")
        predictor.append("\u{301}")
        #expect(predictor.text == "café")
        #expect(predictor.graphemeCount == 4)
        try expectMatchesFresh(predictor)
        // The merge used up the one undo state: this delete re-reads "caf".
        predictor.deleteBackward()
        #expect(predictor.text == "caf")
        try expectMatchesFresh(predictor)
    }

    @Test("a ZWJ family, CR LF and a flag typed piece by piece become one grapheme each")
    func sequencesMerge() throws {
        let predictor = try PredictionFixtures.predictor(["a", "\r\n", "\r", "\n", " "])
        for piece in ["a", "\u{1F468}", "\u{200D}", "\u{1F469}", "\u{200D}", "\u{1F467}", "\r", "\n", "\u{1F1EB}", "\u{1F1F7}", "a"] {
            predictor.append(piece)
        }
        #expect(predictor.text == "a\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\r\n\u{1F1EB}\u{1F1F7}a")
        #expect(predictor.graphemeCount == 5)
        try expectMatchesFresh(predictor)
        predictor.deleteBackward()
        predictor.deleteBackward()
        #expect(predictor.text == "a\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\r\n")
        try expectMatchesFresh(predictor)
    }

    @Test("the context keeps only the newest graphemes; reset starts from a given text")
    func contextIsCapped() throws {
        let predictor = try PredictionFixtures.predictor(["a", "b", "c", " "], configuration: .init(contextLimit: 8, undoDepth: 2))
        predictor.append("abc abc abc abc")
        #expect(predictor.graphemeCount == 8)
        #expect(predictor.text == " abc abc")
        predictor.reset(context: "ab cab cab")
        #expect(predictor.text == " cab cab")
        let reference = try PredictionFixtures.state(after: " cab cab", model: predictor.model, tokenizer: predictor.tokenizer)
        #expect(Array(predictor.logits) == Array(reference.logits))
    }

    @Test("next graphemes are the softmax's k largest, <unk> left out, most likely first")
    func nextGraphemes() throws {
        let predictor = try PredictionFixtures.predictor(["x", "y", "z", " ", "w"], seed: 3)
        predictor.append("xq y")
        let p = PredictionFixtures.softmax(predictor.logits)
        let expected = (1..<p.count).sorted { p[$0] > p[$1] }
        let all = predictor.nextGraphemes(k: 10)
        #expect(all.map(\.id) == expected.map { Int32($0) })
        #expect(all.map(\.grapheme) == expected.map { predictor.tokenizer.vocabulary.graphemes[$0 - 1] })
        // The predictor exponentiates in Float32, the reference in Float64.
        for prediction in all { #expect(abs(prediction.probability - p[Int(prediction.id)]) < 1e-7) }
        #expect(predictor.nextGraphemes(k: 2) == Array(all.prefix(2)))
        #expect(predictor.nextGraphemes(k: 0).isEmpty)
    }

    @Test("a tokenizer that does not fit the model and bad settings are typed errors")
    func errors() throws {
        let tokenizer = try PredictionFixtures.tokenizer(["a", "b"])
        let model = try PredictionFixtures.model(for: try PredictionFixtures.tokenizer(["a", "b", "c"]))
        #expect(throws: PredictorError.vocabularyMismatch(vocabulary: 3, model: 4)) {
            try Predictor(model: model, tokenizer: tokenizer)
        }
        let fitting = try PredictionFixtures.model(for: tokenizer)
        #expect(throws: PredictorError.invalidSetting("undo depth must be in 0...4 (the context limit), got 5")) {
            try Predictor(model: fitting, tokenizer: tokenizer, configuration: .init(contextLimit: 4, undoDepth: 5))
        }
        #expect(throws: PredictorError.invalidSetting("search budget must be at least 1 step, got 0")) {
            try Predictor(model: fitting, tokenizer: tokenizer, configuration: .init(searchBudget: 0))
        }
        #expect(PredictorError.vocabularyMismatch(vocabulary: 3, model: 4).description
            == "the vocabulary has 3 ids but the model predicts 4; use the tokenizer saved with the model")
    }
}
