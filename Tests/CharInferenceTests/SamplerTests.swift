import Foundation
import Testing
import CharModel
@testable import CharInference

private func tinyModel(vocabulary: Int = 12, seed: UInt64 = 4) throws -> LanguageModel {
    try LanguageModel(config: ModelConfig(vocabularySize: vocabulary, embeddingSize: 8, hiddenSize: 16, layers: 2), seed: seed)
}

private func sample(_ model: LanguageModel, _ options: SamplingOptions, prime: [Int32] = [1, 2, 3], count: Int = 200) throws -> [Int32] {
    let sampler = try Sampler(model: model, options: options)
    try sampler.feed(prime)
    return (0..<count).map { _ in sampler.next() }
}

/// The softmax of `logits` at temperature `t`, in Float64.
private func softmax(_ logits: [Float], temperature t: Double = 1) -> [Double] {
    let m = Double(logits.max()!)
    let e = logits.map { exp((Double($0) - m) / t) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
}

@Suite("Sampler")
struct SamplerTests {
    @Test("the same seed and options give the same ids; another seed gives others")
    func reproducible() throws {
        let model = try tinyModel()
        let options = SamplingOptions(temperature: 0.9, topK: 8, topP: 0.95, seed: 77)
        #expect(try sample(model, options) == sample(model, options))
        var other = options
        other.seed = 78
        #expect(try sample(model, options) != sample(model, other))
    }

    @Test("temperature 0 follows the argmax path, and top-k = 1 equals it")
    func greedy() throws {
        let model = try tinyModel()
        let greedy = try sample(model, SamplingOptions(temperature: 0))
        // The argmax path, computed step by step here.
        let state = model.makeInferenceState()
        for id in [Int32(1), 2, 3] { try model.step(token: id, state: state) }
        var expected: [Int32] = []
        for _ in 0..<200 {
            let logits = Array(state.logits)
            let id = Int32(logits.firstIndex(of: logits.max()!)!)
            expected.append(id)
            try model.step(token: id, state: state)
        }
        #expect(greedy == expected)
        #expect(try sample(model, SamplingOptions(temperature: 1.3, topK: 1, seed: 5)) == expected)
        #expect(try sample(model, SamplingOptions(temperature: 0.7, topP: 1e-6, seed: 6)) == expected)
    }

    @Test("top-k never draws outside the k most likely ids")
    func topKStaysInside() throws {
        let logits: [Float] = [0.1, 2.0, -1.0, 1.5, 0.3, 1.9, -0.4, 0.0]
        let allowed: Set<Int32> = [1, 5, 3]  // the three largest
        let sampler = try Sampler(model: try tinyModel(vocabulary: 8), options: SamplingOptions(temperature: 2, topK: 3, seed: 3))
        var seen: Set<Int32> = []
        for _ in 0..<5000 { seen.insert(logits.withUnsafeBufferPointer { sampler.draw(from: $0) }) }
        #expect(seen == allowed)
    }

    @Test("top-p keeps the smallest most-likely set reaching p, and draws only from it")
    func topPStaysInside() throws {
        // Probabilities 0.5, 0.25, 0.125, 0.0625, ...: p = 0.8 needs the first three (0.875).
        let probabilities: [Float] = [0.5, 0.25, 0.125, 0.0625, 0.03125, 0.03125]
        let logits = probabilities.map { Float(log(Double($0))) }
        let sampler = try Sampler(model: try tinyModel(vocabulary: 6), options: SamplingOptions(temperature: 1, topP: 0.8, seed: 9))
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<20000 { counts[Int(logits.withUnsafeBufferPointer { sampler.draw(from: $0) })] += 1 }
        #expect(counts[3] == 0 && counts[4] == 0 && counts[5] == 0)
        // Renormalised over the kept three: 4/7, 2/7, 1/7.
        for (i, expected) in [4.0 / 7, 2.0 / 7, 1.0 / 7].enumerated() {
            #expect(abs(Double(counts[i]) / 20000 - expected) < 0.015)
        }
    }

    @Test("at temperature 1 the frequencies of many draws match the softmax (chi-square)")
    func frequenciesMatchSoftmax() throws {
        let model = try tinyModel()
        let state = model.makeInferenceState()
        for id in [Int32(4), 7, 1] { try model.step(token: id, state: state) }
        let logits = Array(state.logits)
        let p = softmax(logits)
        let sampler = try Sampler(model: model, options: SamplingOptions(temperature: 1, seed: 2024))
        let draws = 60000
        var counts = [Int](repeating: 0, count: p.count)
        for _ in 0..<draws { counts[Int(logits.withUnsafeBufferPointer { sampler.draw(from: $0) })] += 1 }
        let chiSquare = zip(counts, p).reduce(0.0) { acc, pair in
            let expected = Double(draws) * pair.1
            return acc + (Double(pair.0) - expected) * (Double(pair.0) - expected) / expected
        }
        // 11 degrees of freedom: the 0.999 quantile of chi-square is 31.26.
        #expect(chiSquare < 31.26, "chi-square \(chiSquare)")
    }

    @Test("temperature sharpens and flattens as the softmax of z/T says")
    func temperatureScales() throws {
        let logits: [Float] = [1.0, 0.0, -1.0]
        for t: Float in [0.5, 2.0] {
            let sampler = try Sampler(model: try tinyModel(vocabulary: 3), options: SamplingOptions(temperature: t, seed: 11))
            var counts = [0, 0, 0]
            for _ in 0..<30000 { counts[Int(logits.withUnsafeBufferPointer { sampler.draw(from: $0) })] += 1 }
            for (i, expected) in softmax(logits, temperature: Double(t)).enumerated() {
                #expect(abs(Double(counts[i]) / 30000 - expected) < 0.012, "T=\(t) id \(i)")
            }
        }
    }

    @Test("bad options are typed errors", arguments: [
        (SamplingOptions(temperature: -0.5), "invalid sampling option: temperature must be a finite number >= 0, got -0.5"),
        (SamplingOptions(temperature: .nan), "invalid sampling option: temperature must be a finite number >= 0, got nan"),
        (SamplingOptions(topK: 0), "invalid sampling option: top-k must be at least 1, got 0"),
        (SamplingOptions(topP: 0), "invalid sampling option: top-p must be in (0, 1], got 0.0"),
        (SamplingOptions(topP: 1.5), "invalid sampling option: top-p must be in (0, 1], got 1.5"),
    ])
    func badOptions(options: SamplingOptions, message: String) throws {
        let model = try tinyModel()
        let error = #expect(throws: SamplingError.self) { try Sampler(model: model, options: options) }
        #expect(error?.description == message)
    }
}

@Suite("Evaluation")
struct EvaluationTests {
    @Test("loss, accuracy and perplexity agree with a direct step-by-step computation")
    func matchesStepByStep() throws {
        let model = try tinyModel()
        var rng = RandomSource(seed: 3)
        let ids = (0..<700).map { _ in Int32(rng.next() % 12) }
        let result = try evaluate(model: model, ids: ids, steps: 64)
        let state = model.makeInferenceState()
        var (loss, top1, top5) = (0.0, 0, 0)
        for i in 0..<ids.count - 1 {
            try model.step(token: ids[i], state: state)
            let p = softmax(Array(state.logits))
            let target = Int(ids[i + 1])
            loss -= log(p[target])
            let rank = p.enumerated().filter { $0.element > p[target] || ($0.element == p[target] && $0.offset < target) }.count
            if rank == 0 { top1 += 1 }
            if rank < 5 { top5 += 1 }
        }
        let n = Double(ids.count - 1)
        #expect(result.predictions == 699)
        #expect(abs(result.loss - loss / n) < 1e-5)
        #expect(result.top1Accuracy == Double(top1) / n)
        #expect(result.top5Accuracy == Double(top5) / n)
        #expect(abs(result.perplexity - exp(loss / n)) < 1e-3)
        #expect(abs(result.bitsPerCharacter - loss / n / log(2)) < 1e-5)
    }

    @Test("a text shorter than two graphemes is an error")
    func tooShort() throws {
        #expect(throws: SamplingError.invalidText("the text needs at least 2 graphemes to evaluate, got 1")) {
            try evaluate(model: try tinyModel(), ids: [Int32(3)])
        }
    }
}
