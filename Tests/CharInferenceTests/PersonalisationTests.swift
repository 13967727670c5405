import CharModel
import CharModelFile
import Foundation
import Testing
import TestSupport
@testable import CharInference

/// A personalised predictor learns from the words typed, keeps its change apart from the shared model, and saves
/// and refuses profiles as it should.
@Suite struct PersonalisationTests {
    static let distribution: [(grapheme: String, probability: Double)] = [("a", 0.5), ("b", 0.2), (" ", 0.2), (".", 0.05), ("\n", 0.05)]

    static func personalised(settings: Personalisation.Settings = .init()) throws -> Predictor {
        let plain = try PredictionFixtures.unigramPredictor(distribution)
        return try Predictor(model: plain.model, tokenizer: plain.tokenizer,
                             personalisation: Personalisation(model: plain.model, settings: settings))
    }

    /// The fixture's hidden state is always 0, so only Δb moves: after "b " (two graphemes predicted by logits
    /// z = log p), Δb = -rate Σ_t (softmax(z) - onehot(y_t)) / 2, and the next graphemes follow softmax(z + Δb).
    @Test("a finished word takes one gradient step, worked out in Float64")
    func aWordTakesOneStep() throws {
        let predictor = try Self.personalised(settings: .init(rate: 0.5, decay: 0.1, window: 64))
        predictor.append("b")
        #expect(predictor.personalisation?.steps == 0)
        #expect(predictor.personalisation?.pending == 1)
        predictor.append(" ")
        #expect(predictor.personalisation?.steps == 1)
        #expect(predictor.personalisation?.pending == 0)

        let p = Self.distribution.map(\.probability)
        let z = [-1e9] + p.map { log($0) }
        var zNew = z
        for j in 1..<z.count {
            let typed = (j == 2 ? 0.5 : 0) + (j == 3 ? 0.5 : 0)  // b is id 2, space id 3
            zNew[j] -= 0.5 * (p[j - 1] - typed)
        }
        let m = zNew.max()!
        let total = zNew.map { exp($0 - m) }.reduce(0, +)
        let expected = Dictionary(uniqueKeysWithValues: Self.distribution.enumerated().map { ($1.grapheme, exp(zNew[$0 + 1] - m) / total) })
        for prediction in predictor.nextGraphemes(k: 5) {
            #expect(abs(prediction.probability - expected[prediction.grapheme]!) < 1e-6, "\(prediction.grapheme)")
        }
        #expect(predictor.nextGraphemes(k: 5).first { $0.grapheme == "b" }!.probability > 0.2)
    }

    @Test("the shared model is never written to, and a plain predictor on it is unchanged")
    func theSharedModelStaysAsItIs() throws {
        let predictor = try Self.personalised()
        let before = Array(predictor.model.parameters.buffer)
        predictor.append("bb bb bb bb\n")
        #expect(predictor.personalisation!.steps == 4, "three spaces and a line feed")
        #expect(Array(predictor.model.parameters.buffer) == before)
        let plain = try Predictor(model: predictor.model, tokenizer: predictor.tokenizer)
        #expect(plain.nextGraphemes(k: 1).first?.grapheme == "a")
    }

    @Test("Backspace forgets a grapheme not yet learned from: typing, deleting and retyping equals typing once")
    func backspaceForgetsWhatIsNotLearned() throws {
        let edited = try Self.personalised()
        edited.append("ab")
        edited.deleteBackward()
        edited.deleteBackward()
        edited.append("a ")
        let straight = try Self.personalised()
        straight.append("a ")
        #expect(edited.nextGraphemes(k: 5) == straight.nextGraphemes(k: 5))
        #expect(edited.personalisation?.steps == 1)
    }

    @Test("a profile saved and loaded predicts exactly as the predictor that learned it")
    func profileRoundTrip() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("me.profile")
            let learner = try Self.personalised()
            learner.append("bb ba. ab\n")
            try learner.personalisation!.save(to: url)
            let loaded = try Personalisation.load(from: url, model: learner.model)
            #expect(loaded.steps == learner.personalisation!.steps)
            let again = try Predictor(model: learner.model, tokenizer: learner.tokenizer, personalisation: loaded)
            learner.reset()
            #expect(again.nextGraphemes(k: 5) == learner.nextGraphemes(k: 5))
            #expect(again.completions(k: 3) == learner.completions(k: 3))
        }
    }

    @Test("a profile of another model or a damaged one is refused with the reason")
    func badProfilesAreRefused() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("me.profile")
            let learner = try Self.personalised()
            learner.append("b ")
            try learner.personalisation!.save(to: url)
            let other = try PredictionFixtures.unigramPredictor([("a", 0.4), ("b", 0.3), (" ", 0.2), (".", 0.05), ("\n", 0.05)])
            #expect(throws: ProfileError.notForThisModel(path: url.path, profileModel: Personalisation.fingerprint(of: learner.model),
                                                         model: Personalisation.fingerprint(of: other.model))) {
                try Personalisation.load(from: url, model: other.model)
            }
            let bytes = try Data(contentsOf: url)
            try bytes.prefix(bytes.count - 8).write(to: url)
            #expect(throws: ProfileError.self) { try Personalisation.load(from: url, model: learner.model) }
            do {
                _ = try Personalisation.load(from: url, model: learner.model)
            } catch let error as ProfileError {
                #expect("\(error)".hasPrefix("profile \(url.path) is damaged: tensor 'personalisation."))
            }
            try Data("not a profile".utf8).write(to: url)
            #expect(throws: ProfileError.self) { try Personalisation.load(from: url, model: learner.model) }
        }
    }
}
