// Serving many users from one model: load it once, share it read-only across tasks, and give each task its own
// stream or predictor. A stream yields text as it is drawn and stops when its task is cancelled.
import CharInference

let path = CommandLine.arguments.dropFirst().first ?? "Models/default.safetensors"
let loaded = try TrainedModel.load(path)  // Sendable: one instance for every task

// Three samples drawn at once, each its own stream over the shared model.
let samples = try await withThrowingTaskGroup(of: (UInt64, String).self) { group in
    for seed: UInt64 in 1...3 {
        group.addTask {
            let stream = try SampleStream(model: loaded, prime: "ROMEO:\n", length: 60,
                                          options: SamplingOptions(temperature: 0.7, seed: seed), stop: "\n")
            var text = ""
            for try await piece in stream { text += piece }
            return (seed, text)
        }
    }
    var samples: [UInt64: String] = [:]
    for try await (seed, text) in group { samples[seed] = text }
    return samples
}
for seed in samples.keys.sorted() { print("seed \(seed): \(samples[seed]!)", terminator: "") }  // each ends with its stop, "\n"

// A predictor per text field, on its own task; the model is never written to.
let words = try await Task {
    let predictor = try Predictor(model: loaded.model, tokenizer: loaded.tokenizer)
    predictor.append("To be, or not to b")
    return predictor.completions(k: 2).map(\.word)
}.value
print("completions \(words)")

// Cancelling the task that reads a stream stops the drawing at the next grapheme.
let reader = Task {
    var drawn = 0
    do {
        for try await _ in try SampleStream(model: loaded, length: 100_000) { drawn += 1 }
    } catch is CancellationError {
        return "cancelled after \(drawn < 100_000 ? "fewer than" : "all") 100000 graphemes"
    }
    return "finished all \(drawn) graphemes"
}
reader.cancel()
print(try await reader.value)
