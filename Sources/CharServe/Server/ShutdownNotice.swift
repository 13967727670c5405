import Hummingbird
import Logging
import ServiceLifecycle

/// The application as the service group runs it, saying when a graceful shutdown begins and how much is still in
/// flight, so that the log shows why the server stopped accepting and what it waited for.
struct ShutdownNotice<Responder: HTTPResponder>: Service where Responder.Context == ServeRequestContext {
    let application: Application<Responder>
    let logger: Logger
    let slots: InFlightLimit
    let grace: Double

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await application.run()
        } onGracefulShutdown: {
            logger.info("shutting down: no new connections; waiting up to \(grace) s for \(slots.inFlight) requests in flight")
        }
    }
}
