import CharInference

/// `POST /v1/predict`'s answer, with the fields and meaning of `charnn predict --json`'s (the model by its name in
/// the catalog rather than its path).
struct PredictResponse: Encodable, Sendable {
    var model: String
    var text: String
    /// The part of the word at the cursor already typed; "" after a space or punctuation.
    var word: String
    /// The most likely next graphemes, most likely first.
    var next: [GraphemePrediction]
    /// The most likely ways to finish the word (after a space, the next words), most likely first.
    var completions: [WordCompletion]
    /// Whether the completion search finished within its budget, so the list is exactly the k best.
    var exact: Bool
}
