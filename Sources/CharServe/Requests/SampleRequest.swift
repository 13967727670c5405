import CharInference

/// `POST /v1/sample`'s body: what `charnn sample` takes as options, as JSON.
///
///     {"prime": "ROMEO:", "length": 200, "temperature": 0.8, "top_k": 10, "top_p": 0.95, "seed": 7,
///      "stop": "\n\n", "stream": true, "model": "default"}
///
/// Every field may be left out: no prime (the model starts as at a line start), 200 graphemes, temperature 0.8 (as
/// `charnn sample`), no top-k or top-p, a random seed (reported in the answer), no stop text, one JSON answer, the
/// default model.
struct SampleRequest: JSONRequest {
    var prime = ""
    var length = 200
    var temperature: Float = 0.8
    var topK: Int?
    var topP: Float?
    var seed: UInt64?
    var stop: String?
    var stream = false
    var model: String?

    static let fields = ["prime", "length", "temperature", "top_k", "top_p", "seed", "stop", "stream", "model"]

    init(_ body: JSONBody) throws(ServeError) {
        prime = try body.string("prime") ?? prime
        length = try body.integer("length") ?? length
        temperature = try body.number("temperature").map(Float.init) ?? temperature
        topK = try body.integer("top_k")
        topP = try body.number("top_p").map(Float.init)
        seed = try body.unsigned64("seed")
        stop = try body.string("stop")
        stream = try body.bool("stream") ?? stream
        model = try body.string("model")
    }

    /// The sample asked for, checked against the server's limits field by field; `seed` is the one to use.
    func resolve(in catalog: ModelCatalog, limits: ServeConfiguration, seed: UInt64) throws(ServeError)
        -> (entry: ModelCatalog.Entry, stream: SampleStream) {
        let entry = try catalog.entry(named: model, else: catalog.textEntry)
        guard (0...limits.maxLength).contains(length) else {
            throw .invalidField("length", "must be 0 to \(limits.maxLength) graphemes (this server's --max-length), got \(length)")
        }
        // Each sampling option is checked alone by the library's own rules, so that the error can name its field.
        let alone: [(String, SamplingOptions)] = [
            ("temperature", SamplingOptions(temperature: temperature)), ("top_k", SamplingOptions(topK: topK)),
            ("top_p", SamplingOptions(topP: topP)),
        ]
        for (field, options) in alone {
            do { try options.validate() } catch { throw .invalidField(field, error.description) }
        }
        try TextLimit.check(prime, field: "prime", limits: limits)
        if let stop {
            guard !stop.isEmpty else { throw .invalidField("stop", "must not be empty; leave it out to stop only at the length") }
            try TextLimit.check(stop, field: "stop", limits: limits)
        }
        let options = SamplingOptions(temperature: temperature, topK: topK, topP: topP, seed: seed)
        do {
            return (entry, try SampleStream(model: entry.model, prime: prime, length: length, options: options, stop: stop))
        } catch {
            // The options, length and stop text were checked above; what is left is a prime the model cannot read.
            throw .invalidField("prime", error.description)
        }
    }
}
