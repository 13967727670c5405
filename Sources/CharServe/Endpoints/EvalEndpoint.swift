import CharInference
import Hummingbird

/// `POST /v1/eval`: how well a model predicts a text (loss, bits per character, perplexity, accuracy), as
/// `charnn eval --json` reports it.
struct EvalEndpoint: Sendable {
    let catalog: ModelCatalog
    let limits: ServeConfiguration
    let slots: InFlightLimit

    func respond(to request: Request, context: ServeRequestContext) async throws -> Response {
        let asked = try await EvalRequest.read(from: request, limit: limits.maxBodyBytes)
        let entry = try asked.resolve(in: catalog, limits: limits)
        let ticket = try slots.admit()
        defer { ticket.release() }
        context.record.note("model", entry.name)
        let ids = entry.model.tokenizer.encode(asked.text)
        let result: EvaluationResult
        do {
            result = try await ModelThreads.run { try evaluate(model: entry.model.model, ids: ids) }
        } catch let error as SamplingError {
            throw ServeError.invalidField("text", error.description)
        }
        let unknown = ids.filter { $0 == Vocabulary.unknownID }.count
        return JSONResponse.ok(EvalResponse(model: entry.name, graphemes: ids.count, unknown: unknown, result: result))
    }
}
