import CharModel
import CharTokenizer
import Testing
@testable import CharInference

/// The completion search stepping several candidates together (`CompletionSearch.batchSize`).
@Suite("Batched completion search")
struct CompletionBatchTests {
    @Test("stepping 2 to 8 candidates together expands exactly what stepping one at a time does",
          arguments: [2, 4, 8])
    func batchedSearchIsExact(batchSize: Int) throws {
        let graphemes = ["a", "n", "t", "e", "r", "s", " ", ".", "'"]
        let tokenizer = try PredictionFixtures.tokenizer(graphemes)
        let model = try PredictionFixtures.model(for: tokenizer, seed: 11, hidden: 6)
        let rules = try WordEndRules(vocabulary: tokenizer.vocabulary)
        let one = CompletionSearch(model: model, delta: nil, rules: rules, budget: 3000, exactThreshold: 0, batchSize: 1)
        let many = CompletionSearch(model: model, delta: nil, rules: rules, budget: 3000, exactThreshold: 0, batchSize: batchSize)
        for (context, prefix) in [("the ant", "ant"), ("a rat ", ""), ("tea st", "st"), ("ear", "ear")] {
            let root = try PredictionFixtures.state(after: context, model: model, tokenizer: tokenizer)
            let expected = one.run(root: root, prefix: prefix, prefixLastIsSimple: true, k: 6, maxLength: 5)
            let found = many.run(root: root, prefix: prefix, prefixLastIsSimple: true, k: 6, maxLength: 5)
            #expect(one.lastIsExact && many.lastIsExact)
            #expect(found.map(\.word) == expected.map(\.word), "\(context)")
            #expect(found.map(\.probability) == expected.map(\.probability), "\(context)")
            #expect(many.lastSteps == one.lastSteps)
        }
    }
}
