import ArgumentParser
import CharModel
import CharInference
import CharServe
import Dispatch
import Foundation
import Synchronization

/// `charnn serve`: the models over HTTP, a JSON API and a page to type and sample in (see `CharServer`).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve models over HTTP: a JSON API and a page to type and sample in.",
        discussion: """
        Endpoints: GET / (the page), GET /healthz, GET /v1/models, POST /v1/sample (JSON, or Server-Sent Events \
        with "stream": true), POST /v1/predict, POST /v1/eval; docs/serving.md describes each. Requests over a limit \
        get a 4xx whose JSON names the field; above --max-in-flight, 503 with Retry-After. SIGTERM or Ctrl-C stops \
        accepting, lets the requests in flight finish for up to --shutdown-grace seconds and exits 0. One log line \
        per request goes to standard error.
        """
    )

    @OptionGroup var model: ModelSource
    @Option(help: ArgumentHelp("The model for /v1/predict (default: the shipped keyboard model, else the --model one).", valueName: "path"))
    var keyboardModel: String?
    @Option(help: ArgumentHelp("The address to listen on.", valueName: "address")) var host = ServeConfiguration().host
    @Option(help: ArgumentHelp("The port to listen on; 0 takes a free one (the log says which).", valueName: "n")) var port = ServeConfiguration().port
    @Option(help: ArgumentHelp("Requests doing model work at once; more get 503 at once.", valueName: "n"))
    var maxInFlight = ServeConfiguration().maxInFlight
    @Option(help: ArgumentHelp("The largest request body read, in bytes.", valueName: "n")) var maxBodyBytes = ServeConfiguration().maxBodyBytes
    @Option(help: ArgumentHelp("The longest text in a field (prime, stop, text), in graphemes.", valueName: "n"))
    var maxText = ServeConfiguration().maxTextGraphemes
    @Option(help: ArgumentHelp("The most graphemes one sample may ask for.", valueName: "n")) var maxLength = ServeConfiguration().maxLength
    @Option(help: ArgumentHelp("Seconds that requests in flight may take to finish after SIGTERM.", valueName: "s"))
    var shutdownGrace = ServeConfiguration().shutdownGrace
    @Option(help: ArgumentHelp("Seconds after which a connection sending nothing (or half a request) is closed.", valueName: "s"))
    var idleTimeout = ServeConfiguration().idleTimeout

    private var settings: ServeConfiguration {
        ServeConfiguration(host: host, port: port, maxInFlight: maxInFlight, maxBodyBytes: maxBodyBytes, maxTextGraphemes: maxText,
                           maxLength: maxLength, shutdownGrace: shutdownGrace, idleTimeout: idleTimeout)
    }

    func validate() throws {
        try settings.validate()
    }

    func run() throws {
        // The cores are shared between requests, each a stream a grapheme at a time: BLAS threads of their own would
        // only wait for each other.
        setBLASThreads(1)
        logBLASWarnings()
        let text = try model.load(default: .shakespeare)
        let server = try CharServer(catalog: ModelCatalog(default: text, keyboard: try loadKeyboardModel(besides: text)),
                                    configuration: settings)
        // A parent (a service manager, a test's Process) may start us with these blocked; the server stops on them.
        unblock([SIGINT, SIGTERM])
        try Self.wait { try await server.run(stopOnSignals: true) }
    }

    /// The model for prediction: `--keyboard-model`, else the shipped keyboard model, else none (prediction then
    /// uses `text`, which is said on standard error). The same file as `text` is not loaded twice.
    private func loadKeyboardModel(besides text: TrainedModel) throws -> TrainedModel? {
        let url: URL
        if let keyboardModel {
            url = try RunPointer.resolve(keyboardModel)
        } else {
            do {
                url = try ShippedModel.keyboard.url()
            } catch is CLIError {
                // Not found; a $CHARNN_KEYBOARD_MODEL that cannot be read is an error, as for the other commands.
                let shipped = ShippedModel.keyboard
                log("warning: the shipped keyboard model \(shipped.relativePath) was not found (pass --keyboard-model or set "
                    + "\(shipped.environmentVariable)); /v1/predict uses the --model model")
                return nil
            }
        }
        guard url.standardizedFileURL != text.url.standardizedFileURL else { return text }
        return ModelSource.warned(try TrainedModel.load(from: url))
    }

    /// Runs `work` to its end from this synchronous command: the main thread waits while Swift's executors run it.
    private static func wait(for work: @escaping @Sendable () async throws -> Void) throws {
        let finished = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Void, any Error>>(.success(()))
        Task {
            do { try await work() } catch { outcome.withLock { $0 = .failure(error) } }
            finished.signal()
        }
        finished.wait()
        try outcome.withLock { $0 }.get()
    }
}
