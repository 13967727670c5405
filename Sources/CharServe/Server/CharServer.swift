import CharInference
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// `charnn serve`: an HTTP server over loaded models, on Hummingbird.
///
///     GET  /               the page: typing with suggestions, streamed samples
///     GET  /healthz        {"inFlight":0,"maxInFlight":8,"status":"ok"}
///     GET  /v1/models      each model's configuration, vocabulary size, ICU and Unicode versions
///     POST /v1/sample      generated text, as JSON or streamed as Server-Sent Events
///     POST /v1/predict     the next graphemes and word completions after a text
///     POST /v1/eval        loss, bits per character and accuracy on a text
///
/// Each model is loaded once and shared, read-only, by every request; a request makes its own `SampleStream` or
/// `Predictor`. Model work is bounded (`ServeConfiguration.maxInFlight`, refused at once with 503 beyond it), and so
/// are bodies, texts and lengths; every bad request gets a 4xx whose JSON names the field to change (`ServeError`).
/// One log line per request goes to `logger`.
public struct CharServer: Sendable {
    /// The models served.
    public let catalog: ModelCatalog
    /// Where it listens and its limits.
    public let configuration: ServeConfiguration
    /// Where the request lines and the server's own lines go.
    public let logger: Logger

    /// A server for `catalog` under `configuration`; throws the first setting out of range.
    public init(catalog: ModelCatalog, configuration: ServeConfiguration,
                logger: Logger = Logger(label: "charnn.serve") { StreamLogHandler.standardError(label: $0) }) throws(ServeConfigurationError) {
        try configuration.validate()
        self.catalog = catalog
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves until the task running it is cancelled, or, with `stopOnSignals`, until SIGTERM or SIGINT arrives:
    /// then it stops accepting connections, lets the requests in flight finish for up to
    /// `ServeConfiguration.shutdownGrace` seconds (cancelling those still running then), and returns.
    ///
    /// `onListening` is called with the port once the server accepts connections (the one the system chose, for
    /// port 0).
    ///
    /// Throws `CharServerError.cannotListen` when the address cannot be listened on.
    public func run(stopOnSignals: Bool = false, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let slots = InFlightLimit(capacity: configuration.maxInFlight)
        let listening = Flag()
        // Hummingbird's and ServiceLifecycle's own info lines repeat the ones written here; only their warnings show.
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let application = Application(
            router: router(slots: slots),
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(Int64(configuration.idleTimeout * 1e9)))),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { [logger, configuration, catalog] channel in
                let port = channel.localAddress?.port ?? configuration.port
                listening.raise()
                logger.info("listening on http://\(configuration.host):\(port) with the models \(catalog.entries.map(\.name).joined(separator: " and ")); at most \(configuration.maxInFlight) requests in flight")
                await onListening(port)
            },
            logger: quiet
        )
        var group = ServiceGroupConfiguration(services: [ShutdownNotice(application: application, logger: logger, slots: slots,
                                                                        grace: configuration.shutdownGrace)],
                                              gracefulShutdownSignals: stopOnSignals ? [.sigterm, .sigint] : [], logger: quiet)
        group.maximumGracefulShutdownDuration = .milliseconds(Int64(configuration.shutdownGrace * 1000))
        // Once cancelled, requests end within one grapheme or one model call; this only bounds a stuck connection.
        group.maximumCancellationDuration = .seconds(5)
        do {
            try await ServiceGroup(configuration: group).run()
        } catch where !listening.isRaised {
            throw CharServerError.cannotListen(host: configuration.host, port: configuration.port, reason: "\(error)")
        }
        logger.info("stopped")
    }

    /// Whether something has happened yet (the server listening), set from any thread.
    private final class Flag: Sendable {
        private let raised = Mutex(false)

        func raise() {
            raised.withLock { $0 = true }
        }

        var isRaised: Bool { raised.withLock { $0 } }
    }

    /// The endpoints, behind the request log.
    private func router(slots: InFlightLimit) -> Router<ServeRequestContext> {
        let sample = SampleEndpoint(catalog: catalog, limits: configuration, slots: slots)
        let predict = PredictEndpoint(catalog: catalog, limits: configuration, slots: slots)
        let eval = EvalEndpoint(catalog: catalog, limits: configuration, slots: slots)
        let models = JSONResponse.ok(ModelsResponse(catalog: catalog))
        let endpoints: [(method: HTTPRequest.Method, path: String, respond: @Sendable (Request, ServeRequestContext) async throws -> Response)] = [
            (.get, "/", { _, _ in Page.response }),
            (.get, "/healthz", { _, _ in JSONResponse.ok(HealthResponse(inFlight: slots.inFlight, maxInFlight: slots.capacity)) }),
            (.get, "/v1/models", { _, _ in models }),
            (.post, "/v1/sample", sample.respond),
            (.post, "/v1/predict", predict.respond),
            (.post, "/v1/eval", eval.respond),
        ]
        let router = Router(context: ServeRequestContext.self)
        router.add(middleware: RequestLog(logger: logger, endpoints: endpoints.map { ($0.method, $0.path) }))
        for endpoint in endpoints {
            router.on(RouterPath(endpoint.path), method: endpoint.method, use: endpoint.respond)
        }
        return router
    }
}
