// Sampling and evaluation in an app, from the inference module alone.
import CharInference

let path = CommandLine.arguments.dropFirst().first ?? "Models/default.safetensors"
let loaded = try TrainedModel.load(path)

// The model's single-step path: no allocation per grapheme.
let sampler = try Sampler(model: loaded.model, options: SamplingOptions(temperature: 0.7, topK: 10, seed: 42))
try sampler.feed(loaded.tokenizer.encode("ROMEO:"))
var text = "ROMEO:"
for _ in 0..<60 { text += loaded.tokenizer.decode([sampler.next()]) }
print(text)

let result = try evaluate(model: loaded.model, ids: loaded.tokenizer.encode("To be, or not to be, that is the question"))
print("loss \((result.loss * 1000).rounded() / 1000) nats/grapheme")
