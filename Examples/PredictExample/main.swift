// Keyboard-style prediction in an app: load a model, type, read the suggestions. Imports the inference module
// only: no training code, no command-line parser.
import CharInference

let path = CommandLine.arguments.dropFirst().first ?? "Models/default.safetensors"
let loaded = try TrainedModel.load(path)
let predictor = try Predictor(model: loaded.model, tokenizer: loaded.tokenizer)

predictor.append("To be, or not to b")
for p in predictor.nextGraphemes(k: 3) {
    print("next \(p.grapheme.debugDescription) \(Int((p.probability * 100).rounded()))%")
}
for c in predictor.completions(k: 3) {
    print("word \(c.word.debugDescription) \(Int((c.probability * 100).rounded()))%")
}
_ = predictor.deleteBackward()  // undo one grapheme without re-reading the text
print("now at \(predictor.text.debugDescription)")
