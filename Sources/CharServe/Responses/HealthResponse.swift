/// `GET /healthz`'s answer: the server is up, and how many of its slots for model work are taken.
struct HealthResponse: Encodable, Sendable {
    var status = "ok"
    var inFlight: Int
    var maxInFlight: Int
}
