import Foundation
import Testing
import TestSupport
@testable import CharServe

/// A streamed sample far longer than the socket buffers can hold, whose client reads the first event and then stops
/// reading: the server cannot finish it, and holds its slot, until the client reads on or goes away.
private func startStalledStream(port: Int) throws -> TestConnection {
    let connection = try TestConnection(port: port, receiveBuffer: 4096)
    let request = #"{"length":1000000,"seed":1,"stream":true}"#
    try connection.send(TestConnection.requestHead("POST", "/v1/sample", bodyLength: request.utf8.count) + request)
    let head = try connection.readHead()
    guard head.status == 200, try connection.readChunk() != nil else {
        throw TestConnection.Failure(description: "the stream did not start: \(head)")
    }
    return connection
}

@Suite("serve: limits, cancellation and slow clients")
struct LimitTests {
    static let long = ServeConfiguration(port: 0, maxInFlight: 1, maxLength: 1_000_000)

    @Test("above --max-in-flight a request gets 503 with Retry-After at once, and is served once a slot is free")
    func busy() async throws {
        try await TestServer.with(Self.long) { server in
            let port = server.port
            let stream = try await io { try startStalledStream(port: port) }
            let refused = try await server.request("POST", "/v1/predict", json: #"{"text":"the"}"#)
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] == "1")
            #expect(refused.text == #"{"error":{"message":"the server is busy with 1 requests (charnn serve --max-in-flight); retry shortly"}}"#)
            // Requests that do no model work are still answered.
            #expect(try await server.inFlight() == 1)
            #expect(try await server.request("GET", "/v1/models").status == 200)
            // The stream's client goes away.
            try await io { stream.close() }
            #expect(try await server.waitUntilIdle())
            #expect(try await server.request("POST", "/v1/predict", json: #"{"text":"the"}"#).status == 200)
        }
    }

    @Test("a streamed sample whose client goes away stops generating")
    func streamCancelled() async throws {
        try await TestServer.with(Self.long) { server in
            let port = server.port
            try await io { try startStalledStream(port: port).close() }
            let line = try #require(try await server.waitForLogLine("POST", "/v1/sample"))
            #expect(line.message == "POST /v1/sample 200")
            #expect(line.metadata["finish"] == "cancelled")
            let drawn = try #require(line.metadata["graphemes"].flatMap { Int($0) })
            #expect(drawn < 1_000_000)
            #expect(try await server.waitUntilIdle())
        }
    }

    @Test("a JSON sample whose client goes away is cancelled, not finished")
    func answerCancelled() async throws {
        try await TestServer.with(Self.long) { server in
            let port = server.port
            try await io {
                let connection = try TestConnection(port: port)
                let request = #"{"length":1000000,"seed":1}"#
                try connection.send(TestConnection.requestHead("POST", "/v1/sample", bodyLength: request.utf8.count) + request)
                connection.close()
            }
            let line = try #require(try await server.waitForLogLine("POST", "/v1/sample"))
            #expect(line.message == "POST /v1/sample 499")
            #expect(line.metadata["finish"] == "cancelled")
            let drawn = try #require(line.metadata["graphemes"].flatMap { Int($0) })
            #expect(drawn < 1_000_000)
            #expect(try await server.waitUntilIdle())
        }
    }

    @Test("a body declared larger than the limit is refused before it is read; the server skips it and goes on")
    func declaredBodyTooLarge() async throws {
        try await TestServer.with { server in
            let port = server.port
            let size = 100 << 20
            let connection = try await io { try TestConnection(port: port) }
            try await io { try connection.send(TestConnection.requestHead("POST", "/v1/predict", bodyLength: size)) }
            // The 100 MB are sent while the answer is read: the server answers at once and reads the rest to skip it.
            let sender = Task.detached {
                try await io {
                    let block = Data(repeating: 0x20, count: 1 << 20)
                    for _ in 0..<100 { try connection.send(block) }
                }
            }
            let reply = try await io { try connection.readReply() }
            #expect(reply.status == 413)
            #expect(reply.text == #"{"error":{"field":"body","message":"the body is larger than this server's limit of 1048576 bytes (charnn serve --max-body-bytes)"}}"#)
            try await sender.value
            // The same connection then serves the next request.
            let next = try await io { () -> TestReply in
                try connection.send(TestConnection.requestHead("GET", "/healthz", bodyLength: nil))
                return try connection.readReply()
            }
            #expect(next.status == 200)
        }
    }

    @Test("a chunked body that grows past the limit is refused, the sample's included")
    func chunkedBodyTooLarge() async throws {
        try await TestServer.with(ServeConfiguration(port: 0, maxBodyBytes: 1000)) { server in
            let port = server.port
            for path in ["/v1/predict", "/v1/sample"] {
                let reply = try await io { () -> TestReply in
                    let connection = try TestConnection(port: port)
                    try connection.send(TestConnection.requestHead("POST", path, bodyLength: nil, headers: ["Transfer-Encoding": "chunked"]))
                    let chunk = String(repeating: " ", count: 400)
                    for _ in 0..<5 { try connection.send("190\r\n" + chunk + "\r\n") }
                    try connection.send("0\r\n\r\n")
                    return try connection.readReply()
                }
                #expect(reply.status == 413)
                #expect(reply.text == #"{"error":{"field":"body","message":"the body is larger than this server's limit of 1000 bytes (charnn serve --max-body-bytes)"}}"#)
            }
        }
    }

    @Test("a client that sends half a request, or nothing, is disconnected after the idle timeout")
    func idleClients() async throws {
        try await TestServer.with(ServeConfiguration(port: 0, idleTimeout: 0.5)) { server in
            let port = server.port
            let closed = try await io { () -> [Bool] in
                let silent = try TestConnection(port: port)
                let half = try TestConnection(port: port)
                try half.send(TestConnection.requestHead("POST", "/v1/predict", bodyLength: 40) + #"{"te"#)
                return [try silent.waitForClose(), try half.waitForClose()]
            }
            #expect(closed == [true, true])
            #expect(try await server.request("GET", "/healthz").status == 200)
        }
    }

    @Test("a request sent a byte at a time is answered as a fast one, and /healthz answers meanwhile")
    func slowClient() async throws {
        try await TestServer.with { server in
            let port = server.port
            let body = #"{"text":"the ca","k":3}"#
            let fast = try await server.request("POST", "/v1/predict", json: body)
            let bytes = Array((TestConnection.requestHead("POST", "/v1/predict", bodyLength: body.utf8.count) + body).utf8)
            let slow = try await io { () -> (TestReply, [Int]) in
                let connection = try TestConnection(port: port)
                var health: [Int] = []
                for (index, byte) in bytes.enumerated() {
                    try connection.send(Data([byte]))
                    usleep(2_000)
                    if index % 40 == 0 { health.append(try TestConnection.request(port: port, "GET", "/healthz").status) }
                }
                return (try connection.readReply(), health)
            }
            #expect(slow.0.status == 200)
            #expect(slow.0.text == fast.text)
            #expect(slow.1 == Array(repeating: 200, count: (bytes.count + 39) / 40))
        }
    }

    @Test("a body cut off by a client that goes away leaves the server answering")
    func truncatedBody() async throws {
        try await TestServer.with { server in
            let port = server.port
            for path in ["/v1/predict", "/v1/sample", "/v1/eval"] {
                try await io {
                    let connection = try TestConnection(port: port)
                    try connection.send(TestConnection.requestHead("POST", path, bodyLength: 100) + #"{"text":"th"#)
                    connection.close()
                }
            }
            for path in ["/v1/predict", "/v1/eval"] {
                let line = try #require(try await server.waitForLogLine("POST", path))
                #expect(line.message == "POST \(path) 400")
                #expect(line.metadata["error"]?.hasPrefix("the body could not be read: ") == true, "\(line)")
            }
            // A sample's body is read under Hummingbird's watch for a closed connection, and the same end of the
            // connection reaches both: the line says whichever saw it first.
            let sample = try #require(try await server.waitForLogLine("POST", "/v1/sample"))
            #expect(sample.message == "POST /v1/sample 400" && sample.metadata["error"]?.hasPrefix("the body could not be read: ") == true
                    || sample.message == "POST /v1/sample 499" && sample.metadata["finish"] == "cancelled", "\(sample)")
            #expect(try await server.request("GET", "/healthz").status == 200)
            #expect(try await server.request("POST", "/v1/sample", json: #"{"length":5}"#).status == 200)
            #expect(try await server.waitUntilIdle())
        }
    }
}
