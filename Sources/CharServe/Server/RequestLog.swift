import Foundation
import Hummingbird
import Logging

/// Writes one log line per request once its answer is complete, and turns the server's errors (`ServeError`, and a
/// path or method no endpoint has) into the JSON answers a client can act on.
///
///     info charnn.serve : finish=stop graphemes=37 ms=41.2 model=default [CharServe] POST /v1/sample 200
///
/// For a streamed answer (one whose length is not known when its head is sent) "complete" means after its last
/// event, or when it was cut short (finish=cancelled), so the line says how the stream really ended. A request whose
/// client went away before its answer was ready is logged with status 499, as nginx does; nothing is sent. A body
/// that could not be read is logged as 400 and left to Hummingbird, and any other error as the 500 Hummingbird
/// sends for it, with the error in the line.
struct RequestLog: RouterMiddleware {
    typealias Context = ServeRequestContext

    let logger: Logger
    /// Every endpoint's method and path, to tell a wrong method (405) from a wrong path (404).
    let endpoints: [(method: HTTPRequest.Method, path: String)]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as ServeError {
            response = try error.response(from: request, context: context)
        } catch let error as HTTPError where error.status == .notFound {
            response = try notFound(request).response(from: request, context: context)
        } catch is CancellationError {
            context.record.note("finish", "cancelled")
            log(request, status: 499, since: start, record: context.record)
            throw CancellationError()
        } catch let error as UnreadableBody {
            context.record.note("error", "the body could not be read: \(error.underlying)")
            log(request, status: 400, since: start, record: context.record)
            throw error.underlying
        } catch {
            context.record.note("error", "\(error)")
            log(request, status: 500, since: start, record: context.record)
            throw error
        }
        guard response.body.contentLength == nil else {
            log(request, status: response.status.code, since: start, record: context.record)
            return response
        }
        let body = response.body
        let status = response.status.code
        response.body = ResponseBody { writer in
            do {
                try await body.write(writer)
            } catch {
                context.record.note("finish", "cancelled")
                log(request, status: status, since: start, record: context.record)
                throw error
            }
            log(request, status: status, since: start, record: context.record)
        }
        return response
    }

    /// 405 when the path is an endpoint's under another method, else 404; both name what to change.
    private func notFound(_ request: Request) -> ServeError {
        let path = request.uri.path
        let methods = endpoints.filter { $0.path == path }.map(\.method.rawValue)
        guard methods.isEmpty else {
            return ServeError(status: .methodNotAllowed, field: "method",
                              message: "\(path) answers \(methods.joined(separator: ", ")), not \(request.method.rawValue)",
                              headers: [.allow: methods.joined(separator: ", ")])
        }
        let known = endpoints.map { "\($0.method.rawValue) \($0.path)" }.joined(separator: ", ")
        return ServeError(status: .notFound, field: "path", message: "no endpoint at \(path); the endpoints are \(known)")
    }

    private func log(_ request: Request, status: Int, since start: ContinuousClock.Instant, record: RequestRecord) {
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        var metadata = record.metadata
        metadata["ms"] = .string(String(format: "%.1f", milliseconds))
        logger.info("\(request.method.rawValue) \(request.uri.path) \(status)", metadata: metadata)
    }
}
