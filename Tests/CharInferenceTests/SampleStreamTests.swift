import Foundation
import Testing
@testable import CharInference

/// A model whose vocabulary is that of a small text (a line feed included) with random weights: enough to check
/// that a stream draws exactly what a `Sampler` draws.
private func streamModel() throws -> TrainedModel {
    let vocabulary = try Vocabulary(corpus: "abc de\nfab cad\n")
    let network = try LanguageModel(config: ModelConfig(vocabularySize: vocabulary.count, embeddingSize: 8, hiddenSize: 16, layers: 2),
                                    seed: 11)
    return try TrainedModel(file: ModelFile(model: network, vocabulary: vocabulary), url: URL(fileURLWithPath: "/models/stream.safetensors"))
}

/// The pieces a `Sampler` draws after feeding `prime`, `count` of them, as `charnn sample` draws them.
private func sampled(_ loaded: TrainedModel, prime: [Int32], options: SamplingOptions, count: Int) throws -> [String] {
    let sampler = try Sampler(model: loaded.model, options: options)
    try sampler.feed(prime)
    return (0..<count).map { _ in loaded.tokenizer.decode([sampler.next()]) }
}

/// Every piece of `stream`, in order.
private func pieces(of stream: SampleStream) async throws -> [String] {
    var pieces: [String] = []
    for try await piece in stream { pieces.append(piece) }
    return pieces
}

@Suite("SampleStream")
struct SampleStreamTests {
    @Test("a stream yields, one grapheme a piece, what a sampler draws after the same prime")
    func matchesSampler() async throws {
        let loaded = try streamModel()
        let options = SamplingOptions(temperature: 0.9, topK: 5, seed: 3)
        let stream = try SampleStream(model: loaded, prime: "ab", length: 50, options: options)
        let expected = try sampled(loaded, prime: loaded.tokenizer.encode("ab"), options: options, count: 50)
        #expect(try await pieces(of: stream) == expected)
        #expect(stream.primeIDs == loaded.tokenizer.encode("ab"))
        // Each iteration makes its own sampler: the same stream read again gives the same text.
        #expect(try await pieces(of: stream) == expected)
    }

    @Test("an empty prime starts as at a line start; length 0 yields nothing")
    func emptyPrimeAndZeroLength() async throws {
        let loaded = try streamModel()
        let lineFeed = loaded.tokenizer.vocabulary.id(for: "\n")
        let stream = try SampleStream(model: loaded, length: 30, options: SamplingOptions(seed: 8))
        #expect(stream.primeIDs == [lineFeed])
        #expect(try await pieces(of: stream) == sampled(loaded, prime: [lineFeed], options: SamplingOptions(seed: 8), count: 30))
        #expect(try await pieces(of: SampleStream(model: loaded, prime: "ab", length: 0)) == [])
    }

    @Test("prime graphemes the model does not know are skipped and listed")
    func unknownPrimeGraphemes() async throws {
        let loaded = try streamModel()
        let stream = try SampleStream(model: loaded, prime: "aXbé", length: 20, options: SamplingOptions(seed: 4))
        #expect(stream.skippedGraphemes == ["X", "é"])
        #expect(stream.primeIDs == loaded.tokenizer.encode("ab"))
        #expect(try await pieces(of: stream) == sampled(loaded, prime: loaded.tokenizer.encode("ab"), options: SamplingOptions(seed: 4), count: 20))
    }

    @Test("the stream ends with the first piece that completes the stop text")
    func stopText() async throws {
        let loaded = try streamModel()
        let options = SamplingOptions(temperature: 1.2, seed: 21)
        let free = try sampled(loaded, prime: loaded.tokenizer.encode("ab"), options: options, count: 400)
        // The first place where the text drawn so far ends with "a": the stop text used below.
        var text = ""
        let end = try #require(free.firstIndex { piece in
            text += piece
            return text.hasSuffix("a")
        })
        #expect(end < 399)
        let stopped = try await pieces(of: SampleStream(model: loaded, prime: "ab", length: 400, options: options, stop: "a"))
        #expect(stopped == Array(free[...end]))
    }

    @Test("bad arguments are errors that name them")
    func badArguments() throws {
        let loaded = try streamModel()
        #expect(throws: SamplingError.invalidOption("length must be 0 or more graphemes, got -1")) {
            try SampleStream(model: loaded, length: -1)
        }
        #expect(throws: SamplingError.invalidOption("the stop text must not be empty")) {
            try SampleStream(model: loaded, length: 5, stop: "")
        }
        #expect(throws: SamplingError.invalidOption("temperature must be a finite number >= 0, got -1.0")) {
            try SampleStream(model: loaded, length: 5, options: SamplingOptions(temperature: -1))
        }
        #expect(throws: SamplingError.invalidText("none of the prime text's graphemes are in the model's vocabulary; give a prime in its script")) {
            try SampleStream(model: loaded, prime: "XYZ", length: 5)
        }
    }

    @Test("a cancelled task's stream throws CancellationError before drawing another grapheme")
    func cancellation() async throws {
        let loaded = try streamModel()
        let stream = try SampleStream(model: loaded, prime: "ab", length: 1_000_000, options: SamplingOptions(seed: 2))
        let reader = Task {
            var received = 0
            do {
                for try await _ in stream {
                    received += 1
                    // The task is cancelled while it holds its tenth piece, as when its reader goes away.
                    if received == 10 { withUnsafeCurrentTask { $0?.cancel() } }
                }
            } catch is CancellationError {
                return received
            }
            return -received
        }
        #expect(try await reader.value == 10)
    }

    @Test("streams over one shared model run at once, each drawing what it draws alone")
    func concurrentStreams() async throws {
        let loaded = try streamModel()
        let seeds: [UInt64] = [1, 2, 3, 4]
        let alone = try seeds.map { try sampled(loaded, prime: loaded.tokenizer.encode("ab"), options: SamplingOptions(seed: $0), count: 300) }
        let together = try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
            for (index, seed) in seeds.enumerated() {
                group.addTask {
                    (index, try await pieces(of: SampleStream(model: loaded, prime: "ab", length: 300, options: SamplingOptions(seed: seed))))
                }
            }
            return try await group.reduce(into: [[String]](repeating: [], count: seeds.count)) { $0[$1.0] = $1.1 }
        }
        #expect(together == alone)
    }
}
