import Foundation
import Hummingbird

/// Why a request was not answered as asked, sent to the client as JSON with a 4xx or 503 status:
///
///     {"error":{"field":"temperature","message":"invalid sampling option: temperature must be ..."}}
///
/// `field` names the part of the request to change (a JSON field, or "body", "path", "method"); it is left out
/// when the request itself was fine (the server is busy).
struct ServeError: HTTPResponseError {
    let status: HTTPResponse.Status
    let field: String?
    let message: String
    /// Headers the answer carries besides its content type: `Retry-After` on a 503, `Allow` on a 405.
    var headers: HTTPFields = [:]

    /// A request field with an unusable value: 400.
    static func invalidField(_ field: String, _ message: String) -> ServeError {
        ServeError(status: .badRequest, field: field, message: message)
    }

    /// A body larger than the server reads: 413.
    static func bodyTooLarge(limit: Int) -> ServeError {
        ServeError(status: .contentTooLarge, field: "body",
                   message: "the body is larger than this server's limit of \(limit) bytes (charnn serve --max-body-bytes)")
    }

    /// Every slot for model work taken: 503, to be retried after a second.
    static func busy(limit: Int) -> ServeError {
        ServeError(status: .serviceUnavailable, field: nil,
                   message: "the server is busy with \(limit) requests (charnn serve --max-in-flight); retry shortly",
                   headers: [.retryAfter: "1"])
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }

    /// The body sent: `{"error":{"field":...,"message":...}}`.
    var json: Data {
        struct Body: Encodable {
            struct Detail: Encodable {
                var field: String?
                var message: String
            }
            var error: Detail
        }
        return JSONResponse.encode(Body(error: .init(field: field, message: message)))
    }
}
