import Foundation
import Testing
import TestSupport
@testable import CharServe

/// One bad request and the whole answer it must get.
struct BadRequest: Sendable, CustomTestStringConvertible {
    var method = "POST"
    var path: String
    var body: String?
    var status: Int
    var answer: String

    var testDescription: String { "\(method) \(path) \(body ?? "")" }
}

@Suite("serve: bad requests")
struct BadRequestTests {
    static let sampleFields = "prime, length, temperature, top_k, top_p, seed, stop, stream, model"

    static let cases: [BadRequest] = [
        // Not a JSON object.
        BadRequest(path: "/v1/sample", body: #"{"prime": "ab"#, status: 400,
                   answer: #"{"error":{"field":"body","message":"is not valid JSON: Unexpected end of file during JSON parse."}}"#),
        BadRequest(path: "/v1/sample", body: "", status: 400,
                   answer: #"{"error":{"field":"body","message":"is not valid JSON: Unexpected end of file during JSON parse."}}"#),
        BadRequest(path: "/v1/sample", body: #"{"temperature": NaN}"#, status: 400,
                   answer: #"{"error":{"field":"body","message":"is not valid JSON: Invalid value around character 16."}}"#),
        BadRequest(path: "/v1/predict", body: "[1,2]", status: 400,
                   answer: #"{"error":{"field":"body","message":"must be a JSON object, got an array"}}"#),
        BadRequest(path: "/v1/eval", body: #""text""#, status: 400,
                   answer: #"{"error":{"field":"body","message":"must be a JSON object, got a string"}}"#),
        // Fields unknown, missing, of the wrong type or out of their type's range.
        BadRequest(path: "/v1/sample", body: #"{"topk": 3, "zz": 1}"#, status: 400,
                   answer: #"{"error":{"field":"topk","message":"unknown field; the fields are \#(sampleFields)"}}"#),
        BadRequest(path: "/v1/predict", body: "{}", status: 400, answer: #"{"error":{"field":"text","message":"is required"}}"#),
        BadRequest(path: "/v1/eval", body: #"{"text": null}"#, status: 400, answer: #"{"error":{"field":"text","message":"is required"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"length": "ten"}"#, status: 400,
                   answer: #"{"error":{"field":"length","message":"must be an integer, got a string"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"length": 1.5}"#, status: 400,
                   answer: #"{"error":{"field":"length","message":"must be an integer, got 1.5"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"length": 1e30}"#, status: 400,
                   answer: #"{"error":{"field":"length","message":"must be an integer from -9223372036854775808 to 9223372036854775807, got 1e+30"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"seed": -1}"#, status: 400,
                   answer: #"{"error":{"field":"seed","message":"must be an integer from 0 to 18446744073709551615, got -1"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"seed": 18446744073709551616}"#, status: 400,
                   answer: #"{"error":{"field":"seed","message":"must be an integer from 0 to 18446744073709551615, got 18446744073709551616"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"temperature": "NaN"}"#, status: 400,
                   answer: #"{"error":{"field":"temperature","message":"must be a number, got a string"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"stream": 1}"#, status: 400,
                   answer: #"{"error":{"field":"stream","message":"must be true or false, got 1"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"prime": true}"#, status: 400,
                   answer: #"{"error":{"field":"prime","message":"must be a string, got true"}}"#),
        BadRequest(path: "/v1/predict", body: #"{"text": ["a"]}"#, status: 400,
                   answer: #"{"error":{"field":"text","message":"must be a string, got an array"}}"#),
        // Values out of range.
        BadRequest(path: "/v1/sample", body: #"{"temperature": -1}"#, status: 400,
                   answer: #"{"error":{"field":"temperature","message":"invalid sampling option: temperature must be a finite number >= 0, got -1.0"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"temperature": 1e39}"#, status: 400,
                   answer: #"{"error":{"field":"temperature","message":"invalid sampling option: temperature must be a finite number >= 0, got inf"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"top_k": 0}"#, status: 400,
                   answer: #"{"error":{"field":"top_k","message":"invalid sampling option: top-k must be at least 1, got 0"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"top_p": 1.5}"#, status: 400,
                   answer: #"{"error":{"field":"top_p","message":"invalid sampling option: top-p must be in (0, 1], got 1.5"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"length": 2001}"#, status: 400,
                   answer: #"{"error":{"field":"length","message":"must be 0 to 2000 graphemes (this server's --max-length), got 2001"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"length": -1}"#, status: 400,
                   answer: #"{"error":{"field":"length","message":"must be 0 to 2000 graphemes (this server's --max-length), got -1"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"stop": ""}"#, status: 400,
                   answer: #"{"error":{"field":"stop","message":"must not be empty; leave it out to stop only at the length"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"prime": "ΩΩ"}"#, status: 400,
                   answer: #"{"error":{"field":"prime","message":"none of the prime text's graphemes are in the model's vocabulary; give a prime in its script"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"model": "nope"}"#, status: 400,
                   answer: #"{"error":{"field":"model","message":"no model named \"nope\" is loaded; the models are \"default\" and \"keyboard\""}}"#),
        BadRequest(path: "/v1/predict", body: #"{"text": "a", "k": 0}"#, status: 400,
                   answer: #"{"error":{"field":"k","message":"must be 1 to 100, got 0"}}"#),
        BadRequest(path: "/v1/predict", body: #"{"text": "a", "max_length": 65}"#, status: 400,
                   answer: #"{"error":{"field":"max_length","message":"must be 1 to 64 graphemes, got 65"}}"#),
        BadRequest(path: "/v1/eval", body: #"{"text": "a"}"#, status: 400,
                   answer: #"{"error":{"field":"text","message":"the text needs at least 2 graphemes to evaluate, got 1"}}"#),
        // Texts over the server's limit (30 graphemes in these tests).
        BadRequest(path: "/v1/eval", body: #"{"text": "\#(String(repeating: "ab", count: 16))"}"#, status: 400,
                   answer: #"{"error":{"field":"text","message":"is longer than this server's limit of 30 graphemes (charnn serve --max-text)"}}"#),
        BadRequest(path: "/v1/sample", body: #"{"stop": "\#(String(repeating: "é", count: 31))"}"#, status: 400,
                   answer: #"{"error":{"field":"stop","message":"is longer than this server's limit of 30 graphemes (charnn serve --max-text)"}}"#),
        // No such endpoint, or not with this method.
        BadRequest(method: "GET", path: "/nope", status: 404,
                   answer: #"{"error":{"field":"path","message":"no endpoint at /nope; the endpoints are GET /, GET /healthz, GET /v1/models, POST /v1/sample, POST /v1/predict, POST /v1/eval"}}"#),
        BadRequest(method: "GET", path: "/v1/sample", status: 405,
                   answer: #"{"error":{"field":"method","message":"/v1/sample answers POST, not GET"}}"#),
        BadRequest(method: "DELETE", path: "/healthz", status: 405,
                   answer: #"{"error":{"field":"method","message":"/healthz answers GET, not DELETE"}}"#),
    ]

    @Test("a bad request gets a 4xx whose JSON names the field to change", arguments: cases)
    func badRequest(_ bad: BadRequest) async throws {
        try await TestServer.with(ServeConfiguration(port: 0, maxTextGraphemes: 30)) { server in
            let reply = try await server.request(bad.method, bad.path, json: bad.body)
            #expect(reply.status == bad.status)
            #expect(reply.text == bad.answer)
            #expect(reply.headers["content-type"] == "application/json; charset=utf-8")
            if bad.status == 405 { #expect(reply.headers["allow"] == (bad.path == "/healthz" ? "GET" : "POST")) }
        }
    }

    @Test("a body that is not UTF-8 is not JSON, and says where")
    func invalidUTF8() async throws {
        try await TestServer.with { server in
            let reply = try await server.post("/v1/predict", bytes: Data(#"{"text":""#.utf8) + Data([0xFF, 0xC0]) + Data(#""}"#.utf8))
            #expect(reply.status == 400)
            #expect(reply.text == #"{"error":{"field":"body","message":"is not valid JSON: Invalid UTF-8 sequence 2 bytes starting from character 9."}}"#)
        }
    }
}
