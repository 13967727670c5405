import Foundation
import Testing
import TestSupport
@testable import CharServe

/// A seeded generator (SplitMix64), so that a failing request can be found again.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Request bodies made to be wrong in every way a careless or hostile client can manage.
private enum FuzzBodies {
    /// Bodies that are right, to start mutations from.
    static let valid = [
        #"{"prime":"the ","length":20,"temperature":0.9,"top_k":5,"top_p":0.9,"seed":3,"stop":"\n","stream":false}"#,
        #"{"text":"the ca","k":3,"max_length":8,"model":"keyboard"}"#,
        #"{"text":"the cat sat on the mat","model":"default"}"#,
        #"{"length":15,"stream":true,"seed":4}"#,
    ]

    /// Values of every JSON type and of awkward size.
    static let values = [
        "null", "true", "false", "0", "-0", "-1", "1.5", "1e308", "-1e308", "1e999", "1e-400", "9223372036854775808",
        "18446744073709551616", "-9223372036854775809", "123456789012345678901234567890", "\"\"", "\"NaN\"", "\"Infinity\"",
        "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "[]", "{}", "[[[[[[[[[[]]]]]]]]]]", "{\"a\":{\"b\":[1,{}]}}",
        "\"" + String(repeating: "é", count: 50) + "\"", "\"👨‍👩‍👧‍👦🇫🇷\"", "NaN", "Infinity", "-", "\"\\x41\"", "01", "0x10", "1.", ".5",
    ]

    static let fields = ["prime", "length", "temperature", "top_k", "top_p", "seed", "stop", "stream", "model", "text", "k", "max_length", "x"]

    /// One bad body.
    static func make(using random: inout SplitMix) -> Data {
        var bytes = Array(valid.randomElement(using: &random)!.utf8)
        switch random.next() % 8 {
        case 0:  // cut short
            bytes = Array(bytes.prefix(Int(random.next() % UInt64(bytes.count))))
        case 1:  // bytes changed, some to invalid UTF-8
            for _ in 0..<(1 + random.next() % 4) {
                bytes[Int(random.next() % UInt64(bytes.count))] = [0xFF, 0xC0, 0x80, 0x00, 0x22, 0x7B, 0x5C, 0xED][Int(random.next() % 8)]
            }
        case 2:  // one field with a value of another type or size
            let field = fields.randomElement(using: &random)!, value = values.randomElement(using: &random)!
            bytes = Array(#"{"\#(field)":\#(value)}"#.utf8)
        case 3:  // several fields of random values
            let pairs = (0..<(1 + random.next() % 4)).map { _ in
                #""\#(fields.randomElement(using: &random)!)":\#(values.randomElement(using: &random)!)"#
            }
            bytes = Array(("{" + pairs.joined(separator: ",") + "}").utf8)
        case 4:  // random bytes
            bytes = (0..<(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        case 5:  // deep nesting
            let depth = Int(1 + random.next() % 5000)
            bytes = Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
        case 6:  // a value alone
            bytes = Array(values.randomElement(using: &random)!.utf8)
        default:  // a byte inserted
            bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: Int(random.next() % UInt64(bytes.count + 1)))
        }
        return Data(bytes)
    }
}

@Suite("serve: fuzzed requests")
struct FuzzTests {
    @Test("random, truncated, mistyped and oversized bodies get 2xx, 4xx or 503, each 4xx a JSON error; /healthz answers throughout")
    func fuzzedBodies() async throws {
        try await TestServer.with(ServeConfiguration(port: 0, maxBodyBytes: 4096, maxTextGraphemes: 200, maxLength: 200)) { server in
            var random = SplitMix(state: 2024)
            struct ErrorAnswer: Decodable {
                struct Detail: Decodable {
                    var field: String?
                    var message: String
                }
                var error: Detail
            }
            var statuses: [Int: Int] = [:]
            for index in 0..<400 {
                let path = ["/v1/sample", "/v1/predict", "/v1/eval"][index % 3]
                let body = FuzzBodies.make(using: &random)
                let reply = try await server.post(path, bytes: body)
                statuses[reply.status, default: 0] += 1
                let described = "\(path) \(body.map { String(format: "%02x", $0) }.joined())"
                #expect((200..<500).contains(reply.status) || reply.status == 503, "\(described) -> \(reply.status)")
                if reply.status >= 400 {
                    let error = try #require(try? reply.json(ErrorAnswer.self), "\(described) -> \(reply.text)")
                    #expect(!error.error.message.isEmpty)
                    #expect(error.error.field != nil || reply.status == 503, "\(described) -> \(reply.text)")
                }
                if index % 20 == 19 { #expect(try await server.request("GET", "/healthz").status == 200) }
            }
            // The bodies reached every kind of answer: some were right, most were refused.
            #expect(statuses[200, default: 0] > 0 && statuses[400, default: 0] > 200, "\(statuses)")
            // One log line per request, the 400 requests and the 20 health checks.
            #expect(try await server.waitForLogLines(420) == 420)
        }
    }

    @Test("bytes that are not HTTP get a 400 or a closed connection, never a crash")
    func notHTTP() async throws {
        // A short idle timeout: most of these look like the start of a request, which the server waits for.
        try await TestServer.with(ServeConfiguration(port: 0, idleTimeout: 1)) { server in
            let port = server.port
            var random = SplitMix(state: 7)
            let garbage: [Data] = [
                Data("GET / HTTP/9.9\r\n\r\n".utf8), Data("\r\n\r\n".utf8), Data("POST /v1/predict HTTP/1.1\r\nContent-Length: -5\r\n\r\n".utf8),
                Data("POST /v1/predict HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".utf8),
                Data("GET /\(String(repeating: "a", count: 100_000)) HTTP/1.1\r\n\r\n".utf8),
            ] + (0..<20).map { _ in Data((0..<200).map { _ in UInt8(truncatingIfNeeded: random.next()) }) }
            let statuses = try await withThrowingTaskGroup(of: (Data, Int?).self) { group in
                for bytes in garbage {
                    group.addTask {
                        try await io {
                            let connection = try TestConnection(port: port)
                            try? connection.send(bytes)
                            return (bytes, try? connection.readReply().status)
                        }
                    }
                }
                var statuses: [(Data, Int?)] = []
                for try await answer in group { statuses.append(answer) }
                return statuses
            }
            for (bytes, status) in statuses {
                #expect(status == nil || (400..<500).contains(status!), "\(Array(bytes.prefix(40))) -> \(String(describing: status))")
            }
            #expect(try await server.request("GET", "/healthz").status == 200)
        }
    }
}
