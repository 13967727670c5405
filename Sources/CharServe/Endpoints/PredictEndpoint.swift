import CharInference
import Hummingbird

/// `POST /v1/predict`: the likely next graphemes after a text and the likely ways to finish its last word, as
/// `charnn predict --json` gives them, from a `Predictor` made for the request over the shared model.
struct PredictEndpoint: Sendable {
    let catalog: ModelCatalog
    let limits: ServeConfiguration
    let slots: InFlightLimit

    func respond(to request: Request, context: ServeRequestContext) async throws -> Response {
        let asked = try await PredictRequest.read(from: request, limit: limits.maxBodyBytes)
        let entry = try asked.resolve(in: catalog, limits: limits)
        let ticket = try slots.admit()
        defer { ticket.release() }
        context.record.note("model", entry.name)
        return JSONResponse.ok(try await ModelThreads.run { try Self.predict(asked, with: entry) })
    }

    private static func predict(_ asked: PredictRequest, with entry: ModelCatalog.Entry) throws -> PredictResponse {
        // The search budget of `charnn predict`, whose answers these are; no undo states, as nothing is deleted.
        let predictor = try Predictor(model: entry.model.model, tokenizer: entry.model.tokenizer,
                                      configuration: Predictor.Configuration(undoDepth: 0, searchBudget: 256))
        // The text as a focused text field reads it: its last `contextLimit` graphemes, so that a long text costs no
        // more than that many model steps.
        predictor.reset(context: asked.text)
        let next = predictor.nextGraphemes(k: asked.k)
        let completions = predictor.completions(k: asked.k, maxLength: asked.maxLength)
        return PredictResponse(model: entry.name, text: asked.text, word: predictor.currentWord, next: next,
                               completions: completions, exact: predictor.lastSearchWasExact)
    }
}
