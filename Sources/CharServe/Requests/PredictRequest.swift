/// `POST /v1/predict`'s body: the text typed so far and how many suggestions of each kind, as `charnn predict`
/// takes them.
///
///     {"text": "To be, or not to b", "k": 5, "max_length": 16, "model": "keyboard"}
struct PredictRequest: JSONRequest {
    var text: String
    var k = 5
    var maxLength = 16
    var model: String?

    static let fields = ["text", "k", "max_length", "model"]

    init(_ body: JSONBody) throws(ServeError) {
        text = try body.requiredString("text")
        k = try body.integer("k") ?? k
        maxLength = try body.integer("max_length") ?? maxLength
        model = try body.string("model")
    }

    /// The model to use, after checking the fields against `charnn predict`'s ranges and the server's limits.
    func resolve(in catalog: ModelCatalog, limits: ServeConfiguration) throws(ServeError) -> ModelCatalog.Entry {
        let entry = try catalog.entry(named: model, else: catalog.keyboardEntry)
        guard (1...100).contains(k) else { throw .invalidField("k", "must be 1 to 100, got \(k)") }
        guard (1...64).contains(maxLength) else { throw .invalidField("max_length", "must be 1 to 64 graphemes, got \(maxLength)") }
        try TextLimit.check(text, field: "text", limits: limits)
        return entry
    }
}
