/// `POST /v1/eval`'s body: a text to measure the model on.
///
///     {"text": "To be, or not to be, that is the question", "model": "default"}
struct EvalRequest: JSONRequest {
    var text: String
    var model: String?

    static let fields = ["text", "model"]

    init(_ body: JSONBody) throws(ServeError) {
        text = try body.requiredString("text")
        model = try body.string("model")
    }

    /// The model to use, after checking the text against the server's limit.
    func resolve(in catalog: ModelCatalog, limits: ServeConfiguration) throws(ServeError) -> ModelCatalog.Entry {
        let entry = try catalog.entry(named: model, else: catalog.textEntry)
        try TextLimit.check(text, field: "text", limits: limits)
        return entry
    }
}
