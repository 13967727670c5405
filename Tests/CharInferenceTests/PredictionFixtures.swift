import CharModel
import CharTokenizer
@testable import CharInference

/// Small random models over hand-made vocabularies, and the model's own distributions computed without a Predictor.
enum PredictionFixtures {
    /// A tokenizer whose vocabulary is exactly `graphemes` (ids 1...), NFC and grapheme clusters.
    static func tokenizer(_ graphemes: [String]) throws -> Tokenizer {
        try Tokenizer(vocabulary: Vocabulary(settings: TokenizerSettings(), graphemes: graphemes))
    }

    /// A random two-layer model sized for `tokenizer`.
    static func model(for tokenizer: Tokenizer, seed: UInt64 = 7, hidden: Int = 12) throws -> LanguageModel {
        try LanguageModel(config: ModelConfig(vocabularySize: tokenizer.vocabulary.count, embeddingSize: 6,
                                              hiddenSize: hidden, layers: 2), seed: seed)
    }

    static func predictor(_ graphemes: [String], seed: UInt64 = 7, configuration: Predictor.Configuration = .init()) throws -> Predictor {
        let tokenizer = try tokenizer(graphemes)
        return try Predictor(model: try model(for: tokenizer, seed: seed), tokenizer: tokenizer, configuration: configuration)
    }

    /// A predictor over `graphemes` (ids 1... in this order) whose model ignores the text: every LSTM weight and bias
    /// is 0, so every hidden state is 0, and the decoder's bias is log p, so after the start line feed the next
    /// grapheme is always distributed as given (`<unk>` gets a logit of -1e9, probability 0). What it suggests can
    /// be worked out by hand.
    static func unigramPredictor(_ graphemes: [(grapheme: String, probability: Double)]) throws -> Predictor {
        let tokenizer = try tokenizer(graphemes.map(\.grapheme))
        let config = ModelConfig(vocabularySize: tokenizer.vocabulary.count, embeddingSize: 2, hiddenSize: 3, layers: 1)
        let layout = ParameterLayout(config: config)
        let bias = layout.tensor(named: "decoder.bias")!
        var parameters = [Float](repeating: 0, count: layout.count)
        parameters[bias.offset] = -1e9
        for (grapheme, probability) in graphemes {
            parameters[bias.offset + Int(tokenizer.vocabulary.id(for: grapheme))] = Float(log(probability))
        }
        return try Predictor(model: LanguageModel(config: config, parameters: parameters), tokenizer: tokenizer)
    }

    /// The softmax of `logits` in Float64.
    static func softmax(_ logits: UnsafeBufferPointer<Float>) -> [Double] {
        let m = Double(logits.max()!)
        let e = logits.map { exp(Double($0) - m) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }

    /// A fresh state after the start line feed (when known) and `text`, fed id by id.
    static func state(after text: String, model: LanguageModel, tokenizer: Tokenizer) throws -> InferenceState {
        let state = model.makeInferenceState()
        let newline = tokenizer.vocabulary.id(for: "\n")
        if newline != Vocabulary.unknownID { try model.step(token: newline, state: state) }
        for id in tokenizer.encode(text) { try model.step(token: id, state: state) }
        return state
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
