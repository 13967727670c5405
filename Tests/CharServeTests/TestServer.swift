import CharInference
import Foundation
import Logging
import Synchronization
import TestSupport
@testable import CharServe

/// The real server, run in this process on a free loopback port for one test, its log lines captured.
final class TestServer: Sendable {
    /// The port it listens on.
    let port: Int
    /// The models it serves.
    let catalog: ModelCatalog
    /// What it logged.
    let logs: LogCapture
    private let task: Task<Void, any Error>

    private init(port: Int, catalog: ModelCatalog, logs: LogCapture, task: Task<Void, any Error>) {
        self.port = port
        self.catalog = catalog
        self.logs = logs
        self.task = task
    }

    /// Runs `body` with a server of `configuration` (port 0: a free one) over `TestModels`, and stops the server after.
    static func with<T: Sendable>(_ configuration: ServeConfiguration = ServeConfiguration(port: 0),
                                  _ body: (TestServer) async throws -> T) async throws -> T {
        let catalog = try TestModels.catalog()
        let logs = LogCapture()
        let server = try CharServer(catalog: catalog, configuration: configuration,
                                    logger: Logger(label: "charnn.serve") { _ in CapturingLogHandler(capture: logs) })
        let (ports, listening) = AsyncStream<Int>.makeStream()
        let task = Task {
            defer { listening.finish() }
            try await server.run { listening.yield($0) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await task.value
            throw TestConnection.Failure(description: "the server stopped before it listened")
        }
        let running = TestServer(port: port, catalog: catalog, logs: logs, task: task)
        do {
            let result = try await body(running)
            await running.stop()
            return result
        } catch {
            await running.stop()
            throw error
        }
    }

    /// Stops the server and waits for it to end.
    private func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// Sends a request and reads its response, off the cooperative pool.
    func request(_ method: String, _ path: String, json: String? = nil) async throws -> TestReply {
        let port = port
        return try await io { try TestConnection.request(port: port, method, path, body: json.map { Data($0.utf8) }) }
    }

    /// Sends raw `body` bytes to `path` with POST.
    func post(_ path: String, bytes: Data) async throws -> TestReply {
        let port = port
        return try await io { try TestConnection.request(port: port, "POST", path, body: bytes) }
    }

    /// The health answer's count of requests in flight.
    func inFlight() async throws -> Int {
        struct Health: Decodable { var inFlight: Int }
        return try await request("GET", "/healthz").json(Health.self).inFlight
    }

    /// Waits, polling `/healthz`, until no request is in flight; false if some still is after about 30 s.
    func waitUntilIdle() async throws -> Bool {
        for _ in 0..<600 {
            if try await inFlight() == 0 { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Waits until `count` request lines have been logged, at most about 30 s, and returns how many there are.
    func waitForLogLines(_ count: Int) async throws -> Int {
        for _ in 0..<600 where logs.requestLines.count < count {
            try await Task.sleep(for: .milliseconds(50))
        }
        return logs.requestLines.count
    }

    /// Waits until a request line for `method` `path` has been logged, and returns it; nil after about 30 s.
    func waitForLogLine(_ method: String, _ path: String) async throws -> LogCapture.Line? {
        for _ in 0..<600 {
            if let line = logs.requestLines.first(where: { $0.message.hasPrefix("\(method) \(path) ") }) { return line }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}

/// Log lines as the server wrote them.
final class LogCapture: Sendable {
    /// One line: its message and its metadata as text.
    struct Line: Sendable, Equatable {
        var message: String
        var metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])

    func append(_ line: Line) {
        lines.withLock { $0.append(line) }
    }

    /// Every line so far.
    var all: [Line] { lines.withLock { $0 } }

    /// The per-request lines ("METHOD /path STATUS").
    var requestLines: [Line] {
        all.filter { $0.message.range(of: #"^[A-Z]+ /\S* \d{3}$"#, options: .regularExpression) != nil }
    }
}

/// A swift-log handler that keeps every line in a `LogCapture`.
struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        capture.append(LogCapture.Line(message: event.message.description, metadata: merged.mapValues(\.description)))
    }
}

/// Models with random weights over small vocabularies: the server's answers are checked against what the library
/// computes with the same model, so the models need not have learnt anything.
enum TestModels {
    /// The text both vocabularies are made from (the keyboard one without line feeds).
    static let corpus = "the cat sat on the mat and then there was café été\n"

    /// "default" (H = 16, 2 layers) and "keyboard" (H = 12, 1 layer).
    static func catalog() throws -> ModelCatalog {
        ModelCatalog(default: try model(corpus: corpus, hiddenSize: 16, layers: 2, seed: 5, file: "text.safetensors"),
                     keyboard: try model(corpus: corpus.replacingOccurrences(of: "\n", with: " "), hiddenSize: 12, layers: 1, seed: 6,
                                         file: "keyboard.safetensors"))
    }

    private static func model(corpus: String, hiddenSize: Int, layers: Int, seed: UInt64, file: String) throws -> TrainedModel {
        let vocabulary = try Vocabulary(corpus: corpus)
        let config = ModelConfig(vocabularySize: vocabulary.count, embeddingSize: 8, hiddenSize: hiddenSize, layers: layers)
        let network = try LanguageModel(config: config, seed: seed)
        return try TrainedModel(file: ModelFile(model: network, vocabulary: vocabulary), url: URL(fileURLWithPath: "/models/\(file)"))
    }
}
