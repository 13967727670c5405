import CharInference

/// `POST /v1/eval`'s answer, as `charnn eval --json` reports a text (the model by its name in the catalog).
struct EvalResponse: Encodable, Sendable {
    var model: String
    /// Graphemes in the text.
    var graphemes: Int
    /// How many of them the model does not know (each read as `<unk>`).
    var unknown: Int
    /// Loss, bits per character, perplexity, top-1 and top-5 accuracy.
    var result: EvaluationResult
}
