import CharInference
import Foundation
import Testing
import TestSupport
@testable import CharServe

/// A sample as `/v1/sample` answers it.
private struct Sample: Decodable, Equatable {
    var finish: String
    var graphemes: Int
    var model: String
    var prime: String
    var seed: UInt64
    var skipped: [String]
    var text: String?
}

/// A prediction as `/v1/predict` answers it.
private struct Prediction: Decodable, Equatable {
    var model: String
    var text: String
    var word: String
    var next: [GraphemePrediction]
    var completions: [WordCompletion]
    var exact: Bool
}

/// The pieces `stream` yields.
private func pieces(of stream: SampleStream) async throws -> [String] {
    var pieces: [String] = []
    for try await piece in stream { pieces.append(piece) }
    return pieces
}

/// One Server-Sent Event: its name ("message" when unnamed) and data.
struct ServerEvent: Equatable {
    var name: String
    var data: String
}

/// The events in an event stream's text.
func serverEvents(in text: String) -> [ServerEvent] {
    text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { block in
        var event = ServerEvent(name: "message", data: "")
        for line in block.split(separator: "\n") {
            if line.hasPrefix("event: ") { event.name = String(line.dropFirst(7)) }
            if line.hasPrefix("data: ") { event.data += line.dropFirst(6) }
        }
        return event
    }
}

@Suite("serve: endpoints")
struct EndpointTests {
    @Test("a JSON sample is the text a SampleStream draws with the same seed and options")
    func sampleAsJSON() async throws {
        try await TestServer.with { server in
            let reply = try await server.request("POST", "/v1/sample", json: #"{"prime":"the ","length":40,"temperature":0.9,"top_k":5,"seed":12}"#)
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "application/json; charset=utf-8")
            let options = SamplingOptions(temperature: 0.9, topK: 5, seed: 12)
            let expected = try await pieces(of: SampleStream(model: server.catalog.entries[0].model, prime: "the ", length: 40, options: options))
            #expect(try reply.json(Sample.self) == Sample(finish: "length", graphemes: 40, model: "default", prime: "the ", seed: 12,
                                                          skipped: [], text: expected.joined()))
        }
    }

    @Test("a streamed sample sends each grapheme as an event as it is drawn, then a done event")
    func sampleAsEvents() async throws {
        try await TestServer.with { server in
            let port = server.port
            let (head, body) = try await io {
                let connection = try TestConnection(port: port)
                let request = #"{"prime":"th","length":30,"seed":3,"stream":true,"stop":"zz"}"#
                try connection.send(TestConnection.requestHead("POST", "/v1/sample", bodyLength: request.utf8.count) + request)
                let head = try connection.readHead()
                var body = Data()
                while let chunk = try connection.readChunk() { body.append(chunk) }
                return (head, String(decoding: body, as: UTF8.self))
            }
            #expect(head.status == 200)
            #expect(head.headers["content-type"] == "text/event-stream; charset=utf-8")
            #expect(head.headers["transfer-encoding"] == "chunked")
            let expected = try await pieces(of: SampleStream(model: server.catalog.entries[0].model, prime: "th", length: 30,
                                                             options: SamplingOptions(temperature: 0.8, seed: 3)))
            let events = serverEvents(in: body)
            struct Piece: Decodable { var text: String }
            #expect(events.dropLast().map(\.name) == Array(repeating: "message", count: 30))
            #expect(try events.dropLast().map { try JSONDecoder().decode(Piece.self, from: Data($0.data.utf8)).text } == expected)
            #expect(events.last == ServerEvent(name: "done", data: #"{"finish":"length","graphemes":30,"model":"default","prime":"th","seed":3,"skipped":[]}"#))
        }
    }

    @Test("a sample ends at its stop text, and says so; unknown prime graphemes are skipped and listed")
    func sampleStopsAndSkips() async throws {
        try await TestServer.with { server in
            let model = server.catalog.entries[0].model
            // The first grapheme after the prime of a long free sample: a stop text met at once.
            let free = try await pieces(of: SampleStream(model: model, prime: "the", length: 1, options: SamplingOptions(seed: 9)))
            let stop = try #require(free.first)
            let reply = try await server.request("POST", "/v1/sample", json: #"{"prime":"thX?e","length":500,"seed":9,"temperature":1,"stop":"# + jsonString(stop) + "}")
            #expect(try reply.json(Sample.self) == Sample(finish: "stop", graphemes: 1, model: "default", prime: "thX?e", seed: 9,
                                                          skipped: ["X", "?"], text: stop))
        }
    }

    @Test("a sample without a seed reports the one it drew, which reproduces it")
    func drawnSeed() async throws {
        try await TestServer.with { server in
            let first = try await server.request("POST", "/v1/sample", json: #"{"length":25}"#).json(Sample.self)
            let again = try await server.request("POST", "/v1/sample", json: #"{"length":25,"seed":\#(first.seed)}"#).json(Sample.self)
            #expect(again == first)
        }
    }

    @Test("predict answers what charnn predict computes: a Predictor fed the text, with its search budget")
    func predict() async throws {
        try await TestServer.with { server in
            let reply = try await server.request("POST", "/v1/predict", json: #"{"text":"the ca","k":4}"#)
            #expect(reply.status == 200)
            let keyboard = server.catalog.entries[1].model
            let predictor = try Predictor(model: keyboard.model, tokenizer: keyboard.tokenizer, configuration: Predictor.Configuration(searchBudget: 256))
            predictor.append("the ca")
            let next = predictor.nextGraphemes(k: 4)
            let completions = predictor.completions(k: 4, maxLength: 16)
            #expect(try reply.json(Prediction.self) == Prediction(model: "keyboard", text: "the ca", word: "ca", next: next,
                                                                  completions: completions, exact: predictor.lastSearchWasExact))
            #expect(next.count == 4 && completions.count == 4)
            // The default model by name, with a shorter completion limit.
            let other = try await server.request("POST", "/v1/predict", json: #"{"text":"on ","k":2,"max_length":3,"model":"default"}"#)
            let text = server.catalog.entries[0].model
            let second = try Predictor(model: text.model, tokenizer: text.tokenizer, configuration: Predictor.Configuration(searchBudget: 256))
            second.append("on ")
            #expect(try other.json(Prediction.self) == Prediction(model: "default", text: "on ", word: "", next: second.nextGraphemes(k: 2),
                                                                  completions: second.completions(k: 2, maxLength: 3), exact: second.lastSearchWasExact))
        }
    }

    @Test("eval answers evaluate's loss, bits per character and accuracy, with the count of unknown graphemes")
    func eval() async throws {
        try await TestServer.with { server in
            let text = "the cat sat on the mat, then a dog"
            let reply = try await server.request("POST", "/v1/eval", json: #"{"text":"\#(text)"}"#)
            #expect(reply.status == 200)
            struct Evaluation: Decodable, Equatable {
                var model: String
                var graphemes: Int
                var unknown: Int
                var result: EvaluationResult
            }
            let model = server.catalog.entries[0].model
            let ids = model.tokenizer.encode(text)
            #expect(try reply.json(Evaluation.self) == Evaluation(model: "default", graphemes: 34, unknown: 2,
                                                                  result: try evaluate(model: model.model, ids: ids)))
            #expect(ids.filter { $0 == Vocabulary.unknownID }.count == 2)  // "," and "g"
            #expect(reply.text.contains(#""bitsPerCharacter":"#))
        }
    }

    @Test("models lists each model's configuration, vocabulary size and versions, and the server's versions")
    func models() async throws {
        try await TestServer.with { server in
            struct Listing: Decodable, Equatable {
                struct Model: Decodable, Equatable {
                    var name: String
                    var file: String
                    var config: ModelConfig
                    var vocabularySize: Int
                    var versions: UnicodeVersionInfo
                    var charnnVersion: String
                }
                var models: [Model]
                var versions: UnicodeVersionInfo
            }
            let reply = try await server.request("GET", "/v1/models")
            let entries = server.catalog.entries
            let vocabularySizes = entries.map { $0.model.tokenizer.vocabulary.count }
            #expect(try reply.json(Listing.self) == Listing(models: [
                .init(name: "default", file: "text.safetensors", config: ModelConfig(vocabularySize: vocabularySizes[0], embeddingSize: 8, hiddenSize: 16, layers: 2),
                      vocabularySize: vocabularySizes[0], versions: .current, charnnVersion: ModelFile.currentVersion),
                .init(name: "keyboard", file: "keyboard.safetensors", config: ModelConfig(vocabularySize: vocabularySizes[1], embeddingSize: 8, hiddenSize: 12, layers: 1),
                      vocabularySize: vocabularySizes[1], versions: .current, charnnVersion: ModelFile.currentVersion),
            ], versions: .current))
            #expect(vocabularySizes == [17, 16])  // 14 letters, the space and <unk>, and the default model's line feed
        }
    }

    @Test("healthz answers with the slots for model work in use")
    func health() async throws {
        try await TestServer.with(ServeConfiguration(port: 0, maxInFlight: 3)) { server in
            let reply = try await server.request("GET", "/healthz")
            #expect(reply.status == 200)
            #expect(reply.text == #"{"inFlight":0,"maxInFlight":3,"status":"ok"}"#)
        }
    }

    @Test("the page is served from the binary and loads nothing from elsewhere")
    func page() async throws {
        try await TestServer.with { server in
            let reply = try await server.request("GET", "/")
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "text/html; charset=utf-8")
            #expect(reply.text == PageHTML.text)
            for part in [#"<textarea id="text""#, #"<div id="suggestions""#, #"<div id="chart""#, #"<input type="range" id="temperature""#,
                         #"<pre id="output""#, #"name="viewport""#] {
                #expect(reply.text.contains(part), "\(part)")
            }
            #expect(!reply.text.contains("://"))
        }
    }

    @Test("each request is one log line: method, path and status, with what the endpoint noted")
    func requestLog() async throws {
        try await TestServer.with { server in
            _ = try await server.request("POST", "/v1/predict", json: #"{"text":"the"}"#)
            _ = try await server.request("POST", "/v1/sample", json: #"{"length":7,"seed":1}"#)
            _ = try await server.request("GET", "/nope")
            _ = try await server.request("POST", "/v1/eval", json: #"{"text":1}"#)
            let lines = server.logs.requestLines
            #expect(lines.map(\.message) == ["POST /v1/predict 200", "POST /v1/sample 200", "GET /nope 404", "POST /v1/eval 400"])
            #expect(lines.map { $0.metadata.filter { $0.key != "ms" } } == [
                ["model": "keyboard"], ["model": "default", "graphemes": "7", "finish": "length"], [:], [:],
            ])
            #expect(lines.allSatisfy { $0.metadata["ms"].flatMap(Double.init) != nil })
        }
    }
}

/// `text` as a JSON string literal, quotes included.
func jsonString(_ text: String) -> String {
    // Encoding a string cannot fail.
    String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
}
