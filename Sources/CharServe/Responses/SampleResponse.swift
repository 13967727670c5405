/// `POST /v1/sample`'s answer; streamed, the same without `text` is the final `done` event.
///
///     {"finish":"length","graphemes":200,"model":"default","prime":"ROMEO:","seed":7,"skipped":[],"text":"..."}
struct SampleResponse: Encodable, Sendable {
    /// The model's name in the catalog.
    var model: String
    /// The seed used: the one asked for, or the one drawn; the same request with it gives the same text.
    var seed: UInt64
    /// The prime as given.
    var prime: String
    /// The generated text, after the prime; absent in the stream's `done` event, whose pieces carried it.
    var text: String?
    /// Graphemes generated.
    var graphemes: Int
    /// Why it ended: "stop" when the text ends with the stop text, else "length".
    var finish: String
    /// The prime's graphemes the model does not know, which were skipped.
    var skipped: [String]
}
