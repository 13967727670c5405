import CharInference
import Hummingbird

/// `POST /v1/sample`: text generated from a model, as one JSON answer or, with `"stream": true`, as Server-Sent
/// Events while it is drawn (see `ServerSentEvent`). Either way a `SampleStream` made for the request draws it.
///
/// A client that goes away stops the generation within one grapheme. For a JSON answer, Hummingbird's watch on the
/// connection (`consumeWithCancellationOnInboundClose`, which is why the body is read inside it) cancels the
/// generation when the client closes, and `SampleStream` checks for cancellation before every draw. For a stream,
/// the next event fails to write. The watch ends the connection's reading, so a sample's connection closes after its
/// answer (said in `Connection: close`).
struct SampleEndpoint: Sendable {
    let catalog: ModelCatalog
    let limits: ServeConfiguration
    let slots: InFlightLimit

    func respond(to request: Request, context: ServeRequestContext) async throws -> Response {
        try JSONBody.checkDeclaredLength(of: request, limit: limits.maxBodyBytes)
        return try await request.body.consumeWithCancellationOnInboundClose { body in
            let asked = try await SampleRequest.read(body, limit: limits.maxBodyBytes)
            // As `charnn sample` draws a seed when none is given, in a range any JSON client reads exactly.
            let seed = asked.seed ?? UInt64.random(in: 0...UInt64(UInt32.max))
            let (entry, stream) = try asked.resolve(in: catalog, limits: limits, seed: seed)
            let ticket = try slots.admit()
            context.record.note("model", entry.name)
            let summary = SampleResponse(model: entry.name, seed: seed, prime: asked.prime, graphemes: 0, finish: "length",
                                         skipped: stream.skippedGraphemes)
            guard asked.stream else {
                defer { ticket.release() }
                return try await Self.answer(summary, drawing: stream, record: context.record)
            }
            return Self.events(summary, drawing: stream, ticket: ticket, record: context.record)
        }
    }

    /// The whole sample as one JSON answer.
    private static func answer(_ summary: SampleResponse, drawing stream: SampleStream, record: RequestRecord) async throws -> Response {
        var (summary, text, count) = (summary, "", 0)
        do {
            for try await piece in stream {
                text += piece
                count += 1
            }
        } catch {
            summary.complete(text: text, graphemes: count, stop: nil)
            record.note(summary)
            throw error
        }
        summary.complete(text: text, graphemes: count, stop: stream.stop)
        summary.text = text
        record.note(summary)
        var response = JSONResponse.ok(summary)
        response.headers[.connection] = "close"
        return response
    }

    /// The sample as Server-Sent Events, drawn while the body is written; `ticket` is held until the last event.
    private static func events(_ summary: SampleResponse, drawing stream: SampleStream, ticket: InFlightTicket,
                               record: RequestRecord) -> Response {
        let headers: HTTPFields = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache", .connection: "close"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { ticket.release() }
            var (summary, text, count) = (summary, "", 0)
            do {
                for try await piece in stream {
                    try await writer.write(ServerSentEvent.piece(piece))
                    text += piece
                    count += 1
                }
            } catch {
                summary.complete(text: text, graphemes: count, stop: nil)
                record.note(summary)
                throw error
            }
            summary.complete(text: text, graphemes: count, stop: stream.stop)
            record.note(summary)
            try await writer.write(ServerSentEvent.done(summary))
            try await writer.finish(nil)
        })
    }
}

private extension SampleResponse {
    /// Records that `graphemes` pieces were drawn, making `text`, and says why it ended.
    mutating func complete(text: String, graphemes: Int, stop: String?) {
        self.graphemes = graphemes
        finish = stop.map { text.hasSuffix($0) } == true ? "stop" : "length"
    }
}

private extension RequestRecord {
    /// Notes a sample's size and ending for the log line.
    func note(_ summary: SampleResponse) {
        note("graphemes", "\(summary.graphemes)")
        note("finish", summary.finish)
    }
}
